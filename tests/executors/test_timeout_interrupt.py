"""Time limits and interrupts (issue 26, point 6).

``timeout=`` gives each evaluation a time limit on every executor: an evaluation that runs
past it is recorded ``failed`` with a message starting ``timeout`` and the search goes on.
Ctrl-C (a real SIGINT to a subprocess) ends a run in every mode -- inline, thread pool in
batch and in asynchronous mode, with an evaluator that never returns -- with a message saying
how to resume, the study consistent: the same call with a working evaluator resumes it.
"""

from __future__ import annotations

import concurrent.futures as cf
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from nasnb.benchmarks import NASBenchGraph
from nasnb.exceptions import ParameterError
from nasnb.executors import SimulatedExecutor
from nasnb.store import ExperimentStore
from nasnb.strategies import RegularizedEvolution

BENCH = NASBenchGraph("cora")
BENCH.evaluate_candidate(BENCH.sample(np.random.default_rng(0)))  # load the table now, not inside a time limit


class SlowOnSome:
    """Every third evaluation sleeps ``seconds`` (far past the limit); the others answer at once."""

    def __init__(self, seconds):
        self.seconds = seconds

    def evaluate_candidate(self, candidate):
        if int(BENCH.key(candidate)) % 3 == 0:
            time.sleep(self.seconds)
        return BENCH.evaluate_candidate(candidate)


def _check(history, study=None):
    statuses = np.array(history.statuses)
    slow = np.array([int(BENCH.key(c)) % 3 == 0 for c in history.candidates])
    assert slow.any() and (statuses[slow] == "failed").all() and (statuses[~slow] == "done").all()
    assert all(m.startswith("timeout") for m, s in zip(history.messages, slow) if s)
    if study is not None:
        rows = study.evaluations()
        assert [r.seq for r in rows] == list(range(len(history)))
        assert [r.status for r in rows] == history.statuses
        assert all(r.traceback.startswith("timeout") for r in rows if r.status == "failed")


def test_timeout_inline(tmp_path):
    study = ExperimentStore(tmp_path / "s.sqlite").create_study("s", {})
    h = RegularizedEvolution(BENCH, 4, 2, seed=0).run(SlowOnSome(30), 12, study=study, timeout=2.0)
    _check(h, study)


@pytest.mark.parametrize("mode", ["batch", "async"])
def test_timeout_on_a_thread_pool_frees_the_worker(mode):
    start = time.monotonic()
    with cf.ThreadPoolExecutor(2) as pool:
        h = RegularizedEvolution(BENCH, 4, 2, seed=0, workers=2).run(SlowOnSome(60), 16, executor=pool, mode=mode,
                                                                      timeout=2.0)
    _check(h)
    assert time.monotonic() - start < 50  # the pool did not wait for the 60-second sleepers


def test_timeout_on_a_process_pool():
    import multiprocessing

    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        h = RegularizedEvolution(BENCH, 4, 2, seed=0, workers=2).run(SlowOnSome(4), 10, executor=pool, timeout=1.0)
    _check(h)


@pytest.mark.parametrize("workers, mode", [(1, "batch"), (2, "batch"), (2, "async")])
def test_a_generous_timeout_changes_nothing(workers, mode):
    plain = RegularizedEvolution(BENCH, 4, 2, seed=1, workers=workers).run(BENCH, 20, mode=mode)
    limited = RegularizedEvolution(BENCH, 4, 2, seed=1, workers=workers).run(BENCH, 20, mode=mode, timeout=600)
    assert limited.candidates == plain.candidates and limited.statuses == plain.statuses
    assert limited.fitness.tolist() == plain.fitness.tolist() and limited.parents.tolist() == plain.parents.tolist()


def test_a_bad_timeout_is_refused():
    with pytest.raises(ParameterError, match="timeout"):
        RegularizedEvolution(BENCH, 4, 2, seed=0).run(BENCH, 4, timeout=0)
    with pytest.raises(ParameterError, match="simulated"):
        RegularizedEvolution(BENCH, 4, 2, seed=0).run(BENCH, 4, executor=SimulatedExecutor(2, cost=lambda o: 1.0),
                                                     timeout=5)


_SCRIPT = """
import sys, time, concurrent.futures as cf
from nasnb.benchmarks import NASBenchGraph
from nasnb.store import ExperimentStore
from nasnb.strategies import RegularizedEvolution
where, mode, path, hang = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "hang"
bench = NASBenchGraph("cora")
class Evaluator:
    def __init__(self):
        self.calls = 0
    def evaluate_candidate(self, candidate):
        self.calls += 1
        if hang and self.calls > 5:
            print("hanging", flush=True)
            while True:  # never returns
                time.sleep(0.05)
        return bench.evaluate_candidate(candidate)
study = ExperimentStore(path).create_study("s", {})
search = RegularizedEvolution(bench, 4, 2, seed=0, workers=2)
if where == "inline":
    h = search.run(Evaluator(), 30, study=study, mode=mode)
else:
    with cf.ThreadPoolExecutor(2) as pool:
        h = search.run(Evaluator(), 30, study=study, executor=pool, mode=mode)
print("finished", len(h), flush=True)
"""


@pytest.mark.timeout(300)
@pytest.mark.parametrize("where, mode", [("inline", "batch"), ("pool", "batch"), ("pool", "async")])
def test_ctrl_c_ends_a_hung_run_and_the_same_call_resumes(tmp_path, where, mode):
    path = tmp_path / "s.sqlite"
    script = textwrap.dedent(_SCRIPT)
    proc = subprocess.Popen([sys.executable, "-c", script, where, mode, str(path), "hang"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:  # wait (however long a loaded machine takes) until an evaluation hangs
            if "hanging" in line:
                break
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        stderr = proc.communicate(timeout=15)[1]  # ends within 15 s of Ctrl-C
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0 and "KeyboardInterrupt" in stderr
    assert "Run the same call with the same study to resume" in stderr
    rows = ExperimentStore(path, read_only=True).load_study("s").evaluations()
    assert rows and all(r.final for r in rows)
    resumed = subprocess.run([sys.executable, "-c", script, where, mode, str(path), "work"], capture_output=True,
                             text=True, timeout=240)
    assert resumed.returncode == 0, resumed.stderr
    assert "finished 30" in resumed.stdout
    rows = ExperimentStore(path, read_only=True).load_study("s").evaluations()
    assert [r.seq for r in rows] == list(range(30))
