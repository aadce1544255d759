"""A cluster nasnb started dies with its client (SIGKILL included); a connected one does not."""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

pytest.importorskip("ipyparallel")
pytest.importorskip("mpi4py")
psutil = pytest.importorskip("psutil")
if shutil.which("mpiexec") is None or shutil.which("ipcluster") is None:  # pragma: no cover
    pytest.skip("mpiexec / ipcluster are not on PATH", allow_module_level=True)

from nasnb.cluster import watchdog  # noqa: E402

pytestmark = pytest.mark.cluster

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# prints one JSON line per cluster: client pid, cluster id, engine pids; then acts on argv[1]
CLIENT = textwrap.dedent("""
    import json, os, sys, time
    from nasnb.cluster import Cluster, watchdog

    def describe(env):
        view = env.client[:]
        ids = set(view.apply_sync(os.getenv, "IPP_CLUSTER_ID"))
        assert len(ids) == 1, ids
        return {"client": os.getpid(), "cluster_id": ids.pop(), "engines": sorted(view.apply_sync(os.getpid))}

    mode = sys.argv[1]
    if mode == "kill":
        with Cluster(n=2, timeout=120) as env:
            print(json.dumps(describe(env)), flush=True)
            time.sleep(600)
    elif mode == "exit":
        with Cluster(n=2, timeout=120) as env:   # leaving the block stops it at once
            info = describe(env)
        info["left_after_with"] = [p.pid for p in watchdog.cluster_processes(info["cluster_id"])]
        print(json.dumps(info), flush=True)
        env = Cluster(n=2, timeout=120)
        env.__enter__()                          # never left: the interpreter's exit stops it
        print(json.dumps(describe(env)), flush=True)
    else:  # connect to a running cluster, then exit or wait to be killed
        with Cluster(n=2, cluster_id=sys.argv[2], timeout=120) as env:
            print(json.dumps(describe(env)), flush=True)
            if mode == "connect-kill":
                time.sleep(600)
""")


def _client(tmp_path, *args):
    script = tmp_path / "client.py"
    script.write_text(CLIENT)
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS="1")
    # own session, like a notebook kernel: killing its process group is how a kernel is killed
    return subprocess.Popen([sys.executable, str(script), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, text=True)


def _read_json(proc, timeout=150.0):
    """Next JSON line the client prints (its other output is kept for the failure message)."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if not ready:
            continue
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("{"):
            return json.loads(line)
        seen.append(line)
    raise AssertionError("the client printed no cluster description:\n" + "".join(seen))


def _alive(proc):
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _processes(cluster_id, known=()):
    """Live processes of the cluster: noted ones, IPP_CLUSTER_ID in the environment, or the id on the command line."""
    found = {p.pid: p for p in known if _alive(p)}
    found.update({p.pid: p for p in watchdog.cluster_processes(cluster_id)})
    for p in psutil.process_iter():
        try:
            if p.pid != os.getpid() and cluster_id in " ".join(p.cmdline()) and _alive(p):
                found[p.pid] = p
        except psutil.Error:
            continue
    return found


def _wait_gone(cluster_id, known, timeout):
    start = time.monotonic()
    left = _processes(cluster_id, known)
    while left and time.monotonic() - start < timeout:
        time.sleep(0.25)
        left = _processes(cluster_id, left.values())
    return left, time.monotonic() - start


def _names(procs):
    out = []
    for p in procs.values():
        try:
            out.append(f"{p.pid}: {' '.join(p.cmdline())[:90]}")
        except psutil.Error:
            pass
    return out


def _kill_all(procs):
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass


def test_sigkilled_client_leaves_no_process_of_its_cluster(tmp_path):
    proc = _client(tmp_path, "kill")
    known = {}
    try:
        info = _read_json(proc)
        cid = info["cluster_id"]
        known = _processes(cid)
        cmdlines = " | ".join(" ".join(p.cmdline()) for p in known.values())
        # controller (+ its schedulers), mpiexec, hydra proxy, 2 engines, 2 nannies and the watchdog
        assert set(info["engines"]) <= set(known) and len(known) >= 8, cmdlines
        assert "mpiexec" in cmdlines and "ipyparallel.controller" in cmdlines and "watchdog.py" in cmdlines
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        left, waited = _wait_gone(cid, known.values(), 90.0)  # returns as soon as all are gone
        assert not left, f"left {waited:.1f} s after SIGKILL: {_names(left)}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        _kill_all(known.values())


def test_with_block_and_interpreter_exit_stop_the_cluster(tmp_path):
    proc = _client(tmp_path, "exit")
    known = {}
    try:
        first = _read_json(proc)
        assert first["left_after_with"] == []  # the with block stopped everything, watchdog included
        assert not _processes(first["cluster_id"])
        second = _read_json(proc)
        known = _processes(second["cluster_id"])
        assert set(second["engines"]) <= set(known)
        assert proc.wait(180) == 0, proc.stdout.read()
        # stopped by the client's exit handler, not by the watchdog (which would wait ~1 s to notice)
        left = _processes(second["cluster_id"], known.values())
        assert not left, _names(left)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        _kill_all(known.values())


@pytest.fixture()
def ipcluster_id():
    cid = f"nasnb-life-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    subprocess.run(["ipcluster", "start", "--engines=mpi", "-n", "2", f"--cluster-id={cid}", "--daemonize"],
                   check=True, env=env, timeout=60, capture_output=True)
    try:
        yield cid
    finally:
        # what a watchdog does, used here as a quick `ipcluster stop` (which waits ~4 s for mpiexec)
        import ipyparallel as ipp

        where = ipp.Cluster(cluster_id=cid, shutdown_atexit=False)
        watchdog.shut_down(cid, where.profile_dir, cluster_file=where.cluster_file)
        left, _ = _wait_gone(cid, (), 60.0)
        _kill_all(left.values())
        assert not left, _names(left)


def test_a_connected_cluster_outlives_its_clients(tmp_path, ipcluster_id):
    proc = _client(tmp_path, "connect-exit", ipcluster_id)
    first = _read_json(proc)
    assert proc.wait(180) == 0
    proc = _client(tmp_path, "connect-kill", ipcluster_id)
    try:
        second = _read_json(proc)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert first["engines"] == second["engines"]  # the normal exit stopped nothing
    time.sleep(3)  # longer than a watchdog needs to notice a dead client
    alive = _processes(ipcluster_id)
    assert set(second["engines"]) <= set(alive) and len(alive) >= 7, _names(alive)
