"""Issue 25, point 5: the many-hosts page's Slurm commands and batch script, run on a real one-node Slurm.

The login-node commands and ``engines.sh`` are taken from ``docs/many-hosts.md`` as printed.
A study runs on the job's MPI engines; the job is cancelled (``scancel``) mid-study and
submitted again: the study goes on with nothing lost or run twice, its history equal to the
serial run's. A job that never starts (held) gives a ClusterError naming the engines missing.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time

import pytest

from .harness import ROOT, available
from .slurm import Slurm
from .workloads import PacedTable, search

pytestmark = [pytest.mark.multihost, pytest.mark.cluster]

PAGE = ROOT / "docs" / "many-hosts.md"


def _slurm_blocks() -> tuple[str, str]:
    """The login-node commands and ``engines.sh`` of the page's Slurm section."""
    text = PAGE.read_text()
    section = text[text.index("## Slurm"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    login = [b for b in blocks if "ipcontroller --profile=nasnb" in b]
    script = [b for b in blocks if b.startswith("#!/bin/bash")]
    assert len(login) == 1 and len(script) == 1, "the page's Slurm section must print both blocks once"
    return login[0], script[0]


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    why = available()
    if why is not None:
        pytest.skip(f"the Slurm test runs Slurm in a network namespace: {why}")
    home = tmp_path_factory.mktemp("slurm-home")
    env = {"IPYTHONDIR": str(home / "ipython"), "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    with Slurm(env=env) as made:
        yield made


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


def _client(slurm, store, *, budget, timeout, pause=0.3, engines_at_most_first=-1):
    return slurm.popen([sys.executable, "-m", "tests.multihost.client", "profile=nasnb", str(store), "slurm",
                        "--budget", str(budget), "--pause", str(pause), "--timeout", str(timeout),
                        "--engines-at-most-first", str(engines_at_most_first)])


def _result(proc, timeout=240):
    stdout, _ = proc.communicate(timeout=timeout)
    return _json(stdout)


def test_the_pages_slurm_job_runs_a_study_that_survives_scancel(slurm, tmp_path):
    login, script = _slurm_blocks()
    (tmp_path / "engines.sh").write_text(script)
    with open(tmp_path / "login.log", "w") as log:  # the controller stays up in the background
        slurm.run(["bash", "-e", "-c", login], cwd=tmp_path, capture_output=False, stdout=log,
                  stderr=subprocess.STDOUT, timeout=120)
    jobs = slurm.run(["squeue", "-h", "-o", "%i"]).stdout.split()
    assert len(jobs) == 1, jobs
    first = int(jobs[0])

    budget, store = 10, tmp_path / "runs.sqlite"
    client = _client(slurm, store, budget=budget, timeout=120)  # it waits for the job's engines
    slurm.wait_state(first, ["RUNNING"])
    deadline = time.monotonic() + 120
    while _count(store) < 2 and client.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    slurm.run(["scancel", str(first)])
    second = slurm.sbatch(tmp_path / "engines.sh", cwd=tmp_path)  # it starts once the first job is gone
    out = _result(client)
    assert "error" not in out, out["error"]
    from nasnb.store import ExperimentStore

    rows = ExperimentStore(store).load_study("slurm").evaluations()
    assert [r.seq for r in rows] == list(range(budget)) and {r.status for r in rows} == {"done"}
    serial = search().run(PacedTable(pause=0.0), budget)
    assert out["candidates"] == [repr(c) for c in serial.candidates] and out["fitness"] == serial.fitness.tolist()
    assert {r.engine_rank for r in rows} == {0, 1}  # the job's engines are the ranks of one MPI world
    assert len({r.engine_pid for r in rows}) > 2  # both jobs' engines evaluated

    assert slurm.state(first) == ""  # the cancelled job left the queue

    # a job that never starts: the client stops with a ClusterError naming the engines it waited for
    slurm.run(["scancel", str(second)])
    held = slurm.sbatch(tmp_path / "engines.sh", "--hold", cwd=tmp_path)
    assert slurm.state(held) == "PENDING"
    # (once the controller has unregistered the cancelled job's engines: it learns of it within a heartbeat)
    out = _result(_client(slurm, tmp_path / "never.sqlite", budget=4, timeout=5, engines_at_most_first=0),
                  timeout=120)
    assert "ClusterTimeoutError" in out["error"] and "0 of 2 engine(s)" in out["error"], out["error"]
    assert "profile 'nasnb'" in out["error"]
