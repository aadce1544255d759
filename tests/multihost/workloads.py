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
"""

from __future__ import annotations

import time
import zlib
from typing import Any

import numpy as np

__all__ = ["PacedTable", "search"]


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
