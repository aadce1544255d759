"""The executor of a search without one: :class:`InlineExecutor`.

It runs each submitted call at once, in this process, and its :meth:`~InlineExecutor.wait_first`
hands futures back in submission order, so a serial search is the same loop as a parallel one.
"""

from __future__ import annotations

import concurrent.futures as cf
from typing import Any

__all__ = ["InlineExecutor"]


class InlineExecutor:
    """Runs each submitted call at once in this process; futures complete in submission order.

    Examples
    --------
    >>> ex = InlineExecutor()
    >>> f = ex.submit(divmod, 7, 2)
    >>> f.result(), ex.wait_first([f]) == {f}
    ((3, 1), True)
    """

    def __init__(self) -> None:
        self._order: dict[cf.Future, int] = {}
        self._count = 0

    def submit(self, fn: Any, *args: Any, **kwargs: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future, like any executor
            future.set_exception(exc)
        self._order[future] = self._count
        self._count += 1
        return future

    def wait_first(self, futures: Any) -> set:
        """The earliest-submitted of ``futures`` (all are done already)."""
        first = min(futures, key=lambda f: self._order.get(f, -1))
        self._order.pop(first, None)
        return {first}
