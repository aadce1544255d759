"""Issue 13, done-when 2: an asynchronous search killed (SIGKILL) at three points and resumed gives
the same history as the uninterrupted run.

The search runs steady state (8 workers) on a simulated clock whose evaluation times vary with
the candidate, so results arrive far from ask order; the client process is SIGKILLed three
times while it records, and each new process resumes from the study.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUDGET = 120

SCRIPT = textwrap.dedent("""
    import sys, time
    from nasnb.benchmarks import NASBenchGraph
    from nasnb.executors import SimulatedExecutor
    from nasnb.store import ExperimentStore
    from nasnb.strategies import RegularizedEvolution

    path, name, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
    bench = NASBenchGraph("cora")

    class Slow:  # wall time per look-up, so that a kill lands half-way
        def evaluate_candidate(self, cell):
            time.sleep(pause)
            return bench.evaluate_candidate(cell)

    def hours(outcome):  # simulated training time: 1 to 8 hours, depending on the candidate
        return 1.0 + int(round(outcome.result.fitness * 1e4)) %% 8

    study = ExperimentStore(path).create_study(name, {"test": "async-resume"})
    search = RegularizedEvolution(bench, 16, 4, seed=3, workers=8)
    search.run(Slow(), %d, study=study, executor=SimulatedExecutor(8, cost=hours), mode="async")
    print("finished")
""" % BUDGET)


def _rows(path):
    try:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _start(script, path, name, pause):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.Popen([sys.executable, str(script), str(path), name, str(pause)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_async_search_killed_three_times_resumes_to_the_same_history(tmp_path):
    from nasnb.store import ExperimentStore

    script = tmp_path / "search.py"
    script.write_text(SCRIPT)
    reference_db, killed_db = tmp_path / "reference.sqlite", tmp_path / "killed.sqlite"
    out = _start(script, reference_db, "s", 0.0).communicate(timeout=240)[0].decode()
    assert "finished" in out, out

    counts = []
    for point in (15, 50, 90):
        proc = _start(script, killed_db, "s", 0.02)
        deadline = time.monotonic() + 120
        while _rows(killed_db) < point and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        counts.append(_rows(killed_db))
    assert counts[0] < counts[1] < counts[2] < BUDGET, counts  # three kills, each one half-way
    out = _start(script, killed_db, "s", 0.0).communicate(timeout=240)[0].decode()
    assert "finished" in out, out

    ref = ExperimentStore(reference_db).load_study("s").to_dataframe()
    got = ExperimentStore(killed_db).load_study("s").to_dataframe()
    cols = ["seq", "descriptor_hash", "parent", "arrival", "fitness", "status"]
    assert len(got) == BUDGET and got["seq"].tolist() == list(range(BUDGET))
    assert got[cols].equals(ref[cols])
    assert got["arrival"].tolist() != list(range(BUDGET))  # results really arrived out of ask order
