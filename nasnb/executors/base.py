"""What every executor shares: ``submit`` plus an optional ``wait_first``.

An executor is anything with ``submit(fn, *args, **kwargs) -> concurrent.futures.Future``
(``concurrent.futures`` pools, :class:`nasnb.Cluster`, :class:`~nasnb.executors.SimulatedExecutor`).
An executor may also define ``wait_first(futures) -> set`` that blocks until at least one of
``futures`` is done; :func:`wait_first` calls it when it exists, so a search loop written
against :func:`wait_first` runs unchanged on a simulated clock.

Examples
--------
>>> from concurrent.futures import ThreadPoolExecutor
>>> with ThreadPoolExecutor(2) as pool:
...     futures = [pool.submit(pow, 2, k) for k in range(3)]
...     done = wait_first(pool, futures)
>>> len(done) >= 1 and all(f.done() for f in done)
True
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["wait_first", "as_completed"]


def wait_first(executor: Any, futures: Iterable[Any]) -> set:
    """Block until at least one of ``futures`` is done; return the set of those done.

    Parameters
    ----------
    executor : object or None
        The executor the futures came from. When it defines ``wait_first(futures)`` (a
        :class:`~nasnb.executors.SimulatedExecutor` advances its virtual clock there), that
        method answers; otherwise ``concurrent.futures.wait(futures, return_when=FIRST_COMPLETED)``.
    futures : iterable of concurrent.futures.Future
        The futures to wait for. An empty iterable returns an empty set at once.

    Returns
    -------
    set
        The futures of ``futures`` that are done (at least one unless ``futures`` is empty).

    Examples
    --------
    >>> from nasnb.executors import SimulatedExecutor
    >>> sim = SimulatedExecutor(2, cost=lambda outcome: outcome)
    >>> slow, fast = sim.submit(float, 3.0), sim.submit(float, 1.0)
    >>> wait_first(sim, [slow, fast]) == {fast}, sim.now
    (True, 1.0)
    """
    futures = futures if isinstance(futures, (set, frozenset, list, tuple)) else list(futures)
    if not futures:
        return set()
    method = getattr(executor, "wait_first", None)
    if callable(method):
        return set(method(futures))
    done, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
    return set(done)


def as_completed(executor: Any, futures: Iterable[Any]) -> Iterator[Any]:
    """Yield ``futures`` as they finish, in the executor's own way.

    An executor with ``as_completed(futures)`` (a :class:`nasnb.Cluster`: it drives its client
    loop) answers itself; one with ``wait_first`` (simulated and inline executors) is asked
    repeatedly; otherwise :func:`concurrent.futures.as_completed`.

    Examples
    --------
    >>> from nasnb.executors import SimulatedExecutor
    >>> sim = SimulatedExecutor(2, cost=lambda outcome: outcome)
    >>> fs = [sim.submit(float, 3.0), sim.submit(float, 1.0)]
    >>> [f.result() for f in as_completed(sim, fs)]
    [1.0, 3.0]
    """
    futures = list(futures)
    method = getattr(executor, "as_completed", None)
    if callable(method):
        yield from method(futures)
        return
    if callable(getattr(executor, "wait_first", None)):
        order = {f: i for i, f in enumerate(futures)}
        left = set(futures)
        while left:
            done = wait_first(executor, left)
            left -= done
            yield from sorted(done, key=order.__getitem__)  # ties in submission order: deterministic
        return
    yield from concurrent.futures.as_completed(futures)
