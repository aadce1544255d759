"""What the multi-host tests and benchmark run: NAS-Bench-Graph look-ups that take wall time.

The engines import this module (the hosts share the repository; the harness puts it on their
``PYTHONPATH``), so evaluators travel by reference.

Examples
--------
>>> table = PacedTable(pause=0.0)
>>> search().run(table, 4).status_counts
{'done': 4}
>>> PacedTable(pause=0.5, sigma=0.8).duration((1, 2)) == PacedTable(pause=0.5, sigma=0.8).duration((1, 2))
True

An asynchronous search run serially, its results applied in a given arrival order:

>>> history = search().run(table, 6, executor=ArrivalOrder([1, 0, 2, 3, 5, 4]), mode="async")
>>> len(history.candidates)
6
"""

from __future__ import annotations

import time
import zlib
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

import numpy as np

__all__ = ["PacedTable", "ArrivalOrder", "search"]


class PacedTable:
    """NAS-Bench-Graph (cora) results that take ``pause`` seconds each (lognormal with ``sigma`` > 0).

    A duration is a function of the candidate and ``seed`` only, so every run sees the same
    durations; the result is the table's, so any run's history can be compared with the serial one.
    """

    def __init__(self, pause: float = 0.2, sigma: float = 0.0, seed: int = 0) -> None:
        self.pause, self.sigma, self.seed = float(pause), float(sigma), int(seed)
        self._bench: Any = None

    def __getstate__(self) -> dict:
        return {"pause": self.pause, "sigma": self.sigma, "seed": self.seed, "_bench": None}

    def duration(self, candidate: Any) -> float:
        if self.sigma <= 0 or self.pause <= 0:
            return self.pause
        rng = np.random.default_rng([self.seed, zlib.crc32(repr(candidate).encode())])
        return float(rng.lognormal(np.log(self.pause), self.sigma))

    def evaluate_candidate(self, candidate: Any) -> Any:
        if self._bench is None:
            from nasnb.benchmarks import NASBenchGraph

            self._bench = NASBenchGraph("cora")
        time.sleep(self.duration(candidate))
        return self._bench.evaluate_candidate(candidate)


def search(seed: int = 3, workers: int = 2) -> Any:
    """The search every multi-host run makes: regularized evolution (P = 8, S = 3) on NAS-Bench-Graph."""
    from nasnb.benchmarks import NASBenchGraph
    from nasnb.strategies import RegularizedEvolution

    return RegularizedEvolution(NASBenchGraph("cora"), 8, 3, seed=seed, workers=workers)


class ArrivalOrder:
    """An executor that evaluates at once, in this process, and hands results back in a given order.

    ``order`` lists submission indices (0 for the first ``submit``...) in the order their
    results are to arrive. Fed the arrival order an asynchronous run recorded (the ``seq`` of its
    rows sorted by ``arrival``), it makes the serial run of the same strategy and seed with the
    same completion order: nasnb's asynchronous schedule is a function of the seed and the order
    results arrive in, so that serial run must propose the same candidates, get the same results
    and record the same rows. (The i-th submission is evaluation ``seq`` i when no candidate is
    invalid: an invalid one is finished without being submitted.)
    """

    def __init__(self, order: Iterable[int]) -> None:
        self._arrivals = deque(int(i) for i in order)
        self._index: dict[Future, int] = {}

    def submit(self, fn: Any, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future, like any executor
            future.set_exception(exc)
        self._index[future] = len(self._index)
        return future

    def wait_first(self, futures: Iterable[Future]) -> set:
        """The future of the next recorded arrival; an error when that evaluation is not in flight here."""
        futures = list(futures)
        if not self._arrivals:
            raise RuntimeError("more results were awaited than the recorded run received")
        want = self._arrivals.popleft()
        for future in futures:
            if self._index.get(future) == want:
                return {future}
        raise RuntimeError(f"evaluation {want} arrived next in the recorded run, but here the evaluations in "
                           f"flight are {sorted(self._index.get(f, -1) for f in futures)}")
