"""Connecting to a cluster started separately (ipcluster), and resuming after the client dies."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

pytest.importorskip("ipyparallel")
pytest.importorskip("mpi4py")
if shutil.which("mpiexec") is None or shutil.which("ipcluster") is None:  # pragma: no cover
    pytest.skip("mpiexec / ipcluster are not on PATH", allow_module_level=True)

from nasnb.cluster import Cluster  # noqa: E402
from nasnb.store import ExperimentStore  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from _cluster_helpers import digits_descriptor  # noqa: E402

pytestmark = pytest.mark.cluster

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def cluster_id():
    cid = f"nasnb-test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    subprocess.run(["ipcluster", "start", "--engines=mpi", "-n", "2", f"--cluster-id={cid}", "--daemonize"],
                   check=True, env=env, timeout=60, capture_output=True)
    try:
        yield cid
    finally:
        subprocess.run(["ipcluster", "stop", f"--cluster-id={cid}"], timeout=60, capture_output=True)


def test_connect_to_a_cluster_started_by_ipcluster(cluster_id):
    with Cluster(n=2, cluster_id=cluster_id, timeout=120) as env:
        assert not env.owned and env.num_engines == 2
        assert sorted(i["mpi_rank"] for i in env.engine_info().values()) == [0, 1]
        results = env.map_evaluate([digits_descriptor(0), digits_descriptor(1)], 1, "digits", seeds=[0, 1])
        assert [r.status for r in results] == ["done", "done"]
    # leaving the block does not stop a cluster nasnb did not start
    with Cluster(n=2, cluster_id=cluster_id, timeout=120) as env:
        assert env.num_engines == 2


SCRIPT = textwrap.dedent("""
    import os
    import sys
    import time
    sys.path.insert(0, {helpers!r})
    from _cluster_helpers import digits_descriptor
    from nasnb.cluster import Cluster
    from nasnb.evaluators import LocalEvaluator
    from nasnb.store import ExperimentStore

    class GatedEvaluator(LocalEvaluator):
        # evaluations with seed >= 2 wait for the gate file: the client is always killed half-way
        gate = None

        def descriptor_evaluate(self, descriptor, epochs, dataset, percentage=1.0, seed=None):
            while seed is not None and seed >= 2 and not os.path.exists(self.gate):
                time.sleep(0.05)
            return super().descriptor_evaluate(descriptor, epochs, dataset, percentage=percentage, seed=seed)

    store_path, study_name, cluster_id, gate = sys.argv[1:5]
    evaluator = GatedEvaluator("Adam", {{"lr": 0.01}}, batch_size=64, device="cpu")  # as digits_evaluator()
    evaluator.gate = gate
    study = ExperimentStore(store_path).create_study(study_name, {{"epochs": 1, "dataset": "digits"}})
    descriptors = [digits_descriptor(k) for k in range(6)]
    with Cluster(n=2, cluster_id=cluster_id, evaluator=evaluator, timeout=120) as env:
        env.map_evaluate(descriptors, 1, "digits", seeds=range(6), study=study)
""")


def _run(script, *args, **kw):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, str(script), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, **kw)


def _done_rows(path):
    try:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT COUNT(*) FROM evaluations WHERE status='done'").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def test_killed_client_resumes_only_missing_evaluations(cluster_id, tmp_path):
    script = tmp_path / "study.py"
    script.write_text(SCRIPT.format(helpers=os.path.dirname(__file__)))
    store_path = str(tmp_path / "resume.sqlite")
    gate = tmp_path / "gate"  # closed: evaluations 2..5 wait, so the kill always comes after exactly 2
    proc = _run(script, store_path, "resumed", cluster_id, str(gate))
    try:
        deadline = time.monotonic() + 120
        while _done_rows(store_path) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        gate.touch()  # lets the engines finish the dead client's tasks; later runs pass straight through
    study = ExperimentStore(store_path).load_study("resumed")
    before = {r.key: r.finished for r in study.evaluations(status="done")}
    assert len(before) == 2, "the client must die half-way through the study"

    proc = _run(script, store_path, "resumed", cluster_id, str(gate))
    out = proc.communicate(timeout=240)[0].decode()
    assert proc.returncode == 0, out
    proc = _run(script, store_path, "uninterrupted", cluster_id, str(gate))
    out = proc.communicate(timeout=240)[0].decode()
    assert proc.returncode == 0, out

    store = ExperimentStore(store_path)
    resumed = store.load_study("resumed")
    after = {r.key: r.finished for r in resumed.evaluations()}
    assert all(after[k] == t for k, t in before.items())  # finished ones were not run again
    cols = ["seq", "descriptor_hash", "seed", "status", "loss", "metrics.accuracy"]
    a = resumed.to_dataframe()[cols]
    b = store.load_study("uninterrupted").to_dataframe()[cols]
    assert len(a) == 6 and a.equals(b)
