"""Time limits, interrupts and refusals on the cluster (issue 26, points 1, 6 and 9).

``Strategy.run(timeout=...)`` on a :class:`~nasnb.Cluster`: the engine that runs an evaluation
keeps its clock (time spent queued does not count), stops it past its limit (recorded ``failed``,
message ``timeout``) and is free again; an evaluation that does not stop gets its engine killed
and replaced. Ctrl-C on a search on the cluster ends it with the resume hint, the study
consistent. ``Cluster(n=...)`` beyond what this machine can start is refused up front, and
engines that die while nasnb sets them up give a ``ClusterError``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

pytest.importorskip("ipyparallel")
psutil = pytest.importorskip("psutil")

import cloudpickle  # noqa: E402

from nasnb.benchmarks import NASBenchGraph  # noqa: E402
from nasnb.cluster import Cluster, connect, max_local_engines, watchdog  # noqa: E402  # noqa: E402
from nasnb.exceptions import ClusterError, ParameterError  # noqa: E402
from nasnb.store import ExperimentStore  # noqa: E402
from nasnb.strategies import RegularizedEvolution  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # like classes defined in a notebook

BENCH = NASBenchGraph("cora")
needs_mpi = pytest.mark.skipif(shutil.which("mpiexec") is None, reason="mpiexec is not on PATH")


class SlowOnSome:
    """Every third candidate sleeps ``seconds`` (far past the limit); the others answer at once."""

    def __init__(self, seconds):
        self.seconds = seconds

    def evaluate_candidate(self, candidate):
        if int(BENCH.key(candidate)) % 3 == 0:
            time.sleep(self.seconds)
        return BENCH.evaluate_candidate(candidate)


class Sleeper:
    """Sleeps the payload's seconds; with ``deaf`` it first blocks SIGALRM (native code that never
    returns to Python behaves the same: the engine's timer cannot interrupt it)."""

    def __init__(self, deaf=False):
        self.deaf = deaf

    def evaluate_candidate(self, seconds, seed=None):
        if self.deaf:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(seconds)
        return float(seconds)


@pytest.fixture(scope="module")
def env():
    pytest.importorskip("mpi4py")
    if shutil.which("mpiexec") is None:  # pragma: no cover
        pytest.skip("mpiexec is not on PATH")
    with Cluster(n=2, timeout=120) as cluster:
        yield cluster


@pytest.mark.cluster
def test_an_evaluation_past_its_limit_is_recorded_failed_and_its_engine_freed(env, tmp_path):
    study = ExperimentStore(tmp_path / "s.sqlite").create_study("s", {})
    h = RegularizedEvolution(BENCH, 4, 2, seed=0).run(SlowOnSome(600), 10, study=study, executor=env, timeout=2.0)
    slow = np.array([int(BENCH.key(c)) % 3 == 0 for c in h.candidates])
    statuses = np.array(h.statuses)
    assert slow.any() and (statuses[slow] == "failed").all() and (statuses[~slow] == "done").all()
    rows = study.evaluations()
    assert [r.seq for r in rows] == list(range(10)) and [r.status for r in rows] == h.statuses
    stopped = [r for r in rows if r.status == "failed"]
    assert all(r.traceback.startswith("timeout") and "stopped on its engine" in r.traceback for r in stopped)
    # both engines are free again (a sleeping one would not answer within 60 s)
    assert len(env.apply_all(os.getpid, distributed=False, timeout=60)) == 2


@pytest.mark.cluster
def test_time_spent_queued_does_not_count(env):
    # 6 evaluations of 1 s on 2 engines: the last start ~2 s after submission; each has 3 s of its own
    futures = [env.submit_evaluation(Sleeper(), 1.0, fast=True, kwargs={}, timeout=3.0) for _ in range(6)]
    outcomes = [f.result() for f in futures]
    assert [o.result.status for o in outcomes] == ["done"] * 6


@pytest.mark.cluster
def test_an_evaluation_that_does_not_stop_gets_its_engine_killed_and_replaced(env, monkeypatch):
    monkeypatch.setattr(env._manager, "stop_grace", 1.0)
    pid_before = sorted(info["pid"] for info in env.engine_info().values())
    outcome = env.submit_evaluation(Sleeper(deaf=True), 600.0, fast=True, kwargs={"seed": 3}, timeout=1.0).result()
    assert outcome.result.status == "failed" and outcome.seed == 3
    assert outcome.result.message.startswith("timeout") and "was killed" in outcome.result.message
    # the engines come back (an MPI job restarts all of them) and run work again
    assert env.submit_evaluation(Sleeper(), 0.0, fast=True, kwargs={}, timeout=30.0).result().result.status == "done"
    assert sorted(info["pid"] for info in env.engine_info().values()) != pid_before


def _cluster_processes():
    names = ("ipengine", "ipcontroller", "mpiexec", "hydra_pmi_proxy")
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            text = " ".join(proc.cmdline()) + " " + proc.name()
        except psutil.Error:
            continue
        if any(n in text for n in names) or "ipyparallel" in text:
            found.append(proc)
    return found


def test_more_engines_than_this_machine_can_start_are_refused_up_front():
    before = {p.pid for p in _cluster_processes()}  # another test's cluster may be running
    with pytest.raises(ParameterError, match=r"'n'.*Cluster.*at most \d+ engines.*Cluster\(cluster_id=") as info:
        Cluster(n=10_000, timeout=5)
    assert "10000" in str(info.value)
    assert [p for p in _cluster_processes() if p.pid not in before] == []  # nothing was started
    assert Cluster(n=max_local_engines(), engines="local").n == max_local_engines()  # the limit itself is allowed
    assert Cluster(n=10_000, engines="slurm").n == 10_000  # engines elsewhere: not bounded by this machine
    assert Cluster(n=10_000, cluster_id="elsewhere").n == 10_000  # connecting waits for engines started elsewhere


class _DyingEnginesClient:
    """A client whose engines die while nasnb sets them up (as after a Slurm ``scancel``)."""

    ids = [0, 1]
    _engines = {0: b"a", 1: b"b"}
    closed = False

    def load_balanced_view(self):
        return object()

    def direct_view(self, targets):
        return self

    def apply_async(self, *args):
        return self

    def get(self, timeout=None):
        from ipyparallel.error import CompositeError

        elist = [("EngineError", "Engine b'a' died while running task 'x'", "", {"engine_id": 0, "method": "apply"})]
        raise CompositeError("one or more exceptions raised in: engine_info", elist)

    def close(self):
        self.closed = True


def test_engines_dying_while_being_set_up_give_a_cluster_error(monkeypatch):
    client = _DyingEnginesClient()
    monkeypatch.setattr(connect, "connect_client", lambda **kwargs: client)
    resume = "run the same call with the same study to resume"
    with pytest.raises(ClusterError, match=rf"(?s)CompositeError.*died.*{resume}"):
        with Cluster(n=2, cluster_id="dying"):
            pass
    assert client.closed  # the half-entered cluster was left cleanly


_SCRIPT = """
import os, sys, time
from nasnb.benchmarks import NASBenchGraph
from nasnb.cluster import Cluster
from nasnb.store import ExperimentStore
from nasnb.strategies import RegularizedEvolution
path, marker, hang = sys.argv[1], sys.argv[2], sys.argv[3] == "hang"
bench = NASBenchGraph("cora")
class Evaluator:
    def evaluate_candidate(self, candidate):
        if hang and int(bench.key(candidate)) % 3 == 0:
            with open(marker, "w") as f:
                f.write(os.environ.get("IPP_CLUSTER_ID", ""))
            while True:  # never returns
                time.sleep(0.05)
        return bench.evaluate_candidate(candidate)
study = ExperimentStore(path).create_study("s", {})
with Cluster(n=2, timeout=120) as env:
    h = RegularizedEvolution(bench, 4, 2, seed=0, workers=2).run(Evaluator(), 12, study=study, executor=env,
                                                                  mode="async")
print("finished", len(h), flush=True)
"""


@pytest.mark.cluster
@needs_mpi
@pytest.mark.timeout(400)
def test_ctrl_c_ends_a_hung_search_on_the_cluster_and_the_same_call_resumes(tmp_path):
    pytest.importorskip("mpi4py")
    path, marker = tmp_path / "s.sqlite", tmp_path / "hanging"
    script = textwrap.dedent(_SCRIPT)
    proc = subprocess.Popen([sys.executable, "-c", script, str(path), str(marker), "hang"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)  # however long a loaded machine takes to start the engines
        assert marker.exists(), proc.communicate(timeout=60)
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        stderr = proc.communicate(timeout=15)[1]  # ends within 15 s of Ctrl-C
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0 and "KeyboardInterrupt" in stderr
    assert "Run the same call with the same study to resume" in stderr
    rows = ExperimentStore(path, read_only=True).load_study("s").evaluations()
    assert all(r.final for r in rows)
    cluster_id = marker.read_text()
    assert cluster_id and watchdog.cluster_processes(cluster_id) == []  # the cluster it started was stopped with it
    resumed = subprocess.run([sys.executable, "-c", script, str(path), str(marker), "work"], capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "finished 12" in resumed.stdout
    rows = ExperimentStore(path, read_only=True).load_study("s").evaluations()
    assert [r.seq for r in rows] == list(range(12)) and all(r.status == "done" for r in rows)

