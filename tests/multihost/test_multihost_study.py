"""Issue 25, points 1-4: a study across hosts (network namespaces), a host that fails and comes back,
and data-parallel training and DARTS Algorithm 1 with one rank per host.

The client runs on host a (where the controller listens), the engines are MPI jobs on hosts
b and c; see :mod:`tests.multihost.harness`. For data-parallel work the two engines are two
MPI jobs, so the torch.distributed group (gloo over TCP) meets at rank 0's address on the
hosts' network (``rendezvous_point``), not on the loopback; the same calls on two MPI engines
of one host give the same numbers.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time

import pytest

from .harness import host_name
from .workloads import PacedTable, search

pytestmark = [pytest.mark.multihost, pytest.mark.cluster]


def _client(hosts, store, study, *, budget, mode="batch", pause=0.2, engines=2, timeout=60.0, wait=True, file=None,
            engines_at_most_first=-1):
    argv = [sys.executable, "-m", "tests.multihost.client", str(file or hosts.client_file), str(store), study,
            "--budget", str(budget), "--mode", mode, "--pause", str(pause), "--engines", str(engines),
            "--timeout", str(timeout), "--engines-at-most-first", str(engines_at_most_first)]
    if not wait:
        return hosts.popen("a", argv)
    done = hosts.run("a", argv, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    return _json(done.stdout)


def _serial(budget):
    h = search().run(PacedTable(pause=0.0), budget)
    return [repr(c) for c in h.candidates], h.fitness.tolist()


def _rows(store, study):
    from nasnb.store import ExperimentStore

    return ExperimentStore(store).load_study(study).evaluations()


@pytest.fixture(scope="module")
def studies(hosts, tmp_path_factory):
    """One client on host a connects and runs the search twice, batch then asynchronous (studies
    ``both-batch`` and ``both-async``); its output and the store."""
    store = tmp_path_factory.mktemp("studies") / "runs.sqlite"
    out = _client(hosts, store, "both", budget=12, mode="batch,async")
    assert "error" not in out, out["error"]
    assert out["hosts"] == [host_name("b"), host_name("c")]
    return out, store


def test_a_batch_study_across_two_hosts_equals_the_serial_run(studies):
    out, store = studies
    assert (out["runs"]["batch"]["candidates"], out["runs"]["batch"]["fitness"]) == _serial(12)
    rows = _rows(store, "both-batch")
    assert [r.seq for r in rows] == list(range(12)) and {r.status for r in rows} == {"done"}
    assert {r.engine_host for r in rows} == {host_name("b"), host_name("c")}  # every row names its host


def _row(r):
    """What a run decides and gets for one evaluation (not where or when it ran)."""
    return (r.seq, r.arrival, r.parent, r.seed, r.descriptor_hash, r.candidate_json, r.status, r.fitness, r.loss,
            r.metrics)


def test_an_async_study_across_two_hosts_equals_the_serial_run_with_its_arrival_order(studies, tmp_path):
    """The asynchronous schedule is a function of the seed and the order results arrive in (which the
    network decides): the serial run of the same search, fed the table's results in the order the two
    hosts delivered them, proposes the same candidates, gets the same results and records the same rows."""
    from nasnb.store import ExperimentStore

    from .workloads import ArrivalOrder

    out, store = studies
    out = out["runs"]["async"]
    rows = _rows(store, "both-async")
    assert sorted(r.arrival for r in rows) == list(range(12)) and [r.seq for r in rows] == list(range(12))
    assert {r.status for r in rows} == {"done"}  # no invalid candidate: the i-th submission is seq i
    assert {r.engine_host for r in rows} == {host_name("b"), host_name("c")}

    order = [r.seq for r in sorted(rows, key=lambda r: r.arrival)]
    serial_store = ExperimentStore(tmp_path / "serial.sqlite").create_study("serial")
    serial = search().run(PacedTable(pause=0.0), 12, study=serial_store, executor=ArrivalOrder(order), mode="async")
    assert ([repr(c) for c in serial.candidates], serial.fitness.tolist()) == (out["candidates"], out["fitness"])
    assert [_row(r) for r in serial_store.evaluations()] == [_row(r) for r in rows]

    # and the stored arrivals rebuild the run: the same call in this process replays them, evaluates nothing
    replay = search().run(PacedTable(pause=0.0), 12, study=ExperimentStore(store).load_study("both-async"),
                          mode="async")
    assert [repr(c) for c in replay.candidates] == out["candidates"]
    assert replay.fitness.tolist() == out["fitness"]


def _json(stdout):
    """The client's JSON line (its other output: warnings, logs)."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    assert lines, stdout
    return json.loads(lines[-1])


def _count(store):
    try:
        with sqlite3.connect(store) as conn:
            return conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_a_host_that_fails_mid_study_loses_nothing_and_rejoins(hosts, tmp_path):
    budget, store = 10, tmp_path / "runs.sqlite"
    client = _client(hosts, store, "failure", budget=budget, pause=0.3, wait=False)
    deadline = time.monotonic() + 120
    while _count(store) < 2 and client.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    down_at = hosts.fail("b")  # link down, then b's processes die: only the heartbeat can tell
    # b's engines start again while b cannot reach the controller; beside the study, a client that connects
    # once the controller has unregistered b's lost engine says how many engines are missing
    hosts.start_engines("b")
    unreachable = _client(hosts, tmp_path / "none.sqlite", "unreachable", budget=4, engines=2, timeout=5,
                          wait=False, engines_at_most_first=1)
    stdout, _ = client.communicate(timeout=240)
    out = _json(stdout)
    unreachable = _json(unreachable.communicate(timeout=120)[0])
    assert "error" not in out, out["error"]
    # the evaluation in flight on b was resubmitted (to c) once the controller declared b dead
    assert out["lost"] and all(host_name("b") in message for _, message in out["lost"])
    assert 0 < out["lost"][0][0] - down_at < 30  # documented: ~5 s heartbeat + 5 s scheduler; loose here
    rows = _rows(store, "failure")
    assert [r.seq for r in rows] == list(range(budget)) and {r.status for r in rows} == {"done"}
    assert (out["candidates"], out["fitness"]) == _serial(budget)
    late = [r for r in rows if r.finished is not None and r.finished > out["lost"][0][0]]
    assert late and {r.engine_host for r in late} == {host_name("c")}
    assert "ClusterTimeoutError: Only 1 of 2 engine(s) registered" in unreachable["error"]
    assert "within 5.0 s" in unreachable["error"]

    hosts.restore("b")  # the host comes back: new engines join the running controller
    again = _client(hosts, tmp_path / "again.sqlite", "rejoined", budget=4, engines=2)
    assert "error" not in again, again["error"]
    assert again["hosts"] == [host_name("b"), host_name("c")]
    assert {r.engine_host for r in _rows(tmp_path / "again.sqlite", "rejoined")} == {host_name("b"), host_name("c")}


def test_a_connection_file_of_a_controller_that_is_gone_is_a_cluster_error(hosts, tmp_path):
    profile = tmp_path / "gone"
    controller = hosts.spawn("c", [sys.executable, "-m", "ipyparallel.controller", f"--ip={hosts.address('c')}",
                                   f"--profile-dir={profile}"], "gone-controller.log")
    connection = profile / "security" / "ipcontroller-client.json"
    deadline = time.monotonic() + 60
    while not connection.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # the file is complete
    import psutil

    main = psutil.Process(controller.pid)
    for proc in [*main.children(recursive=True), main]:  # gone, schedulers too; host c is still up
        proc.kill()
    controller.wait(10)
    out = _client(hosts, tmp_path / "gone.sqlite", "gone", budget=4, engines=1, timeout=5, file=connection)
    assert "ClusterTimeoutError: No ipyparallel controller answered at connection file" in out["error"]
    assert str(connection) in out["error"] and "within 5.0 s" in out["error"]


def test_data_parallel_training_and_darts_across_hosts_equal_one_host(hosts):
    # the reference: two MPI engines of one host, host a, with their own controller there; they start while
    # one client on host a uses the engines of hosts b and c, then those of the reference
    one_host_file = hosts.start_one_host_cluster("a", 2)
    done = hosts.run("a", [sys.executable, "-m", "tests.multihost.client", str(hosts.client_file), "-", "-",
                           "--task", "data-parallel", "--one-host", str(one_host_file), "--timeout", "120"],
                     timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    across = _json(done.stdout)
    assert "error" not in across, across["error"]
    one_host = across.pop("one_host")
    assert across["hosts"] == [host_name("b"), host_name("c")]
    assert one_host["hosts"] == [host_name("a")]
    assert [r["rank"] for r in across["darts"]] == [0, 1] and {r["workers"] for r in across["darts"]} == {2}
    assert across["loss"] == one_host["loss"] and across["metrics"] == one_host["metrics"]
    assert across["darts"] == one_host["darts"]  # Algorithm 1: same architecture weights, bit for bit


def test_the_many_hosts_page_prints_the_harness_commands():
    """The page shows exactly the controller and engine commands the harness runs (no root needed)."""
    from .harness import ROOT, controller_command, engine_command

    page = (ROOT / "docs" / "many-hosts.md").read_text()
    profile = "/tmp/mh/profile"
    assert " ".join(controller_command("10.213.7.1", profile)) in page
    assert " ".join(engine_command(1, f"{profile}/security/ipcontroller-engine.json", profile)) in page
    assert "python -m tests.multihost.harness up --dir /tmp/mh" in page
