"""Executors for searches: a ``wait_first`` that any executor answers, and simulated time.

:func:`wait_first` is how a search loop waits for the next result whatever runs it
(``concurrent.futures`` pools, :class:`nasnb.Cluster`, :class:`SimulatedExecutor`).
:class:`SimulatedExecutor` runs a search against a tabular benchmark as if W workers
trained every candidate for its recorded training time.

Examples
--------
>>> from nasnb.executors import SimulatedExecutor, wait_first
>>> sim = SimulatedExecutor(workers=4, cost=lambda seconds: seconds)
>>> futures = [sim.submit(float, s) for s in (4.0, 2.0, 3.0, 1.0)]
>>> [f.result() for f in wait_first(sim, futures)], sim.now
([1.0], 1.0)
"""

from nasnb.executors.base import as_completed, wait_first
from nasnb.executors.inline import InlineExecutor
from nasnb.executors.simulated import SimulatedExecutor, SimulatedFuture, simulate_schedule
from nasnb.executors.timeout import TimeLimit

__all__ = [
    "InlineExecutor",
    "SimulatedExecutor",
    "SimulatedFuture",
    "TimeLimit",
    "as_completed",
    "simulate_schedule",
    "wait_first",
]
