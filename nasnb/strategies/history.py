"""The result of a search: one row per evaluation, in ask order.

:class:`SearchHistory` keeps, per evaluation: its sequence index, parent index (-1 for a
random sample), candidate, fitness, status, evaluation times and, for population-based
strategies, how often the individual was sampled as a tournament contestant and when it
left the population (thesis Fig. 6.2). Keys are computed lazily from the space (they can be
costly). Only finished evaluations (:func:`nasnb.results.is_finished`) compete: ``best`` and
the incumbent curve ``best_so_far()`` ignore ``failed``, ``invalid`` and ``diverged`` rows,
whose fitness is a placeholder (0), whatever the sign of the real fitness values; :func:`curves_frame` collects
curves of
many runs into one long DataFrame for plots and tests.

Examples
--------
>>> h = SearchHistory(candidates=["a", "b", "c"], fitness=[0.2, 0.9, 0.5],
...                   statuses=["done", "done", "invalid"])
>>> h.best.index, h.best.fitness
(1, 0.9)
>>> h.best_so_far().tolist()
[0.2, 0.9, 0.9]
>>> SearchHistory(["a", "b"], [-0.3, 0.0], statuses=["done", "failed"]).best.fitness
-0.3
>>> h.num_invalid, len(h)
(1, 3)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasnb.exceptions import ParameterError, SearchError
from nasnb.results import Status, competes

__all__ = ["SearchHistory", "BestRecord", "curves_frame"]


@dataclass(frozen=True)
class BestRecord:
    """The best evaluation of a search."""

    index: int
    candidate: Any
    fitness: float
    key: str | None = None


class SearchHistory:
    """Evaluations of one search, in ask order (see the module docstring).

    Parameters
    ----------
    candidates : sequence
        The evaluated candidates.
    fitness : sequence of float
        Their fitness (0 for invalid / failed evaluations).
    statuses : sequence of str, optional
        ``done`` / ``invalid`` / ``failed`` / ``diverged`` (default all ``done``).
    parents, sample_counts, removed_at : sequence of int, optional
        Parent index (-1: random sample), times sampled for a tournament, index of the
        evaluation whose arrival removed the individual from the population (-1: never removed).
    total_times, wall_times : sequence of float, optional
        Evaluation time reported by the evaluator, and wall-clock seconds of the call.
    messages : sequence of str, optional
        Reason of a non-``done`` status.
    metrics : sequence of dict, optional
        The evaluator's metrics of each evaluation.
    arrivals : sequence of int, optional
        Order in which each result was applied to the search (ask order in batch mode).
    indices : sequence of int, optional
        Trial index of each entry (``0 .. n-1`` for a finished run).
    extra : dict of str to sequence, optional
        Strategy-specific columns (e.g. the DQN's ``epsilon``), also in :meth:`to_dataframe`.
    key_fn : callable, optional
        ``candidate -> key`` (a space's ``key``), used lazily by :attr:`keys`.
    """

    def __init__(
        self,
        candidates: Sequence[Any],
        fitness: Sequence[float],
        *,
        statuses: Sequence[str] | None = None,
        parents: Sequence[int] | None = None,
        sample_counts: Sequence[int] | None = None,
        removed_at: Sequence[int] | None = None,
        total_times: Sequence[float] | None = None,
        wall_times: Sequence[float] | None = None,
        messages: Sequence[str] | None = None,
        key_fn: Callable[[Any], str] | None = None,
        metrics: Sequence[Mapping] | None = None,
        info: Mapping[str, Any] | None = None,
        arrivals: Sequence[int] | None = None,
        indices: Sequence[int] | None = None,
        extra: Mapping[str, Sequence] | None = None,
    ) -> None:
        n = len(candidates)
        self.candidates = list(candidates)
        self.fitness = np.asarray(fitness, dtype=float)
        self.statuses = list(statuses) if statuses is not None else [Status.DONE.value] * n
        self.parents = np.asarray(parents if parents is not None else [-1] * n, dtype=np.int64)
        self.sample_counts = np.asarray(sample_counts if sample_counts is not None else [0] * n, dtype=np.int64)
        self.removed_at = np.asarray(removed_at if removed_at is not None else [-1] * n, dtype=np.int64)
        self.total_times = np.asarray(total_times if total_times is not None else [0.0] * n, dtype=float)
        self.wall_times = np.asarray(wall_times if wall_times is not None else [0.0] * n, dtype=float)
        self.messages = list(messages) if messages is not None else [""] * n
        self.metrics = list(metrics) if metrics is not None else [{}] * n
        self.indices = np.asarray(indices if indices is not None else np.arange(n), dtype=np.int64)
        self.arrivals = np.asarray(arrivals if arrivals is not None else np.arange(n), dtype=np.int64)
        self.extra = {k: list(v) for k, v in dict(extra or {}).items()}
        self.info = dict(info or {})
        self._key_fn = key_fn
        self._keys: list[str | None] | None = None
        for name in (
            "fitness",
            "statuses",
            "parents",
            "sample_counts",
            "removed_at",
            "total_times",
            "wall_times",
            "messages",
            "metrics",
            "indices",
            "arrivals",
        ):
            if len(getattr(self, name)) != n:
                raise ParameterError(
                    f"SearchHistory: {name} has {len(getattr(self, name))} entries for {n} candidates."
                )
        for name, values in self.extra.items():
            if len(values) != n:
                raise ParameterError(
                    f"SearchHistory: extra column {name!r} has {len(values)} entries for {n} candidates."
                )

    def __len__(self) -> int:
        return len(self.candidates)

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra") or {}
        if name in extra:
            return np.asarray(extra[name])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def rewards(self) -> np.ndarray:
        """The fitness of each evaluation (the reward of an RL search's episodes)."""
        return self.fitness

    def __repr__(self) -> str:
        best = f", best={self.best.fitness:.4g}" if self.finished.any() else ""
        return f"<SearchHistory: {len(self)} evaluations, {self.num_invalid} invalid{best}>"

    def _repr_html_(self) -> str | None:
        """Rich display in notebooks (drawn by :mod:`nasnb.viz.display`)."""
        try:
            from nasnb.viz.display import study_html
        except ImportError:
            return None
        return study_html(self)

    # ------------------------------------------------------------------ summaries
    @property
    def keys(self) -> list[str | None]:
        """Canonical keys of the candidates (computed once, on first use; ``None`` for a missing candidate)."""
        if self._keys is None:
            if self._key_fn is None:
                raise SearchError("This SearchHistory was built without a key function (a space's key).")
            self._keys = [None if c is None else self._key_fn(c) for c in self.candidates]
        return self._keys

    @property
    def finished(self) -> np.ndarray:
        """Boolean mask of the evaluations that finished (``done``): the ones that compete."""
        return np.fromiter((competes(s) for s in self.statuses), dtype=bool, count=len(self.statuses))

    def _ranked_fitness(self) -> np.ndarray:
        """Fitness with every unfinished evaluation at -inf (never ranked by its placeholder)."""
        return np.where(self.finished & ~np.isnan(self.fitness), self.fitness, -np.inf)

    @property
    def best(self) -> BestRecord:
        """The finished evaluation with the highest fitness (the first one on ties).

        Raises
        ------
        SearchError
            When no evaluation finished (every one failed, was invalid or diverged).
        """
        if not len(self):
            raise SearchError("An empty SearchHistory has no best evaluation.")
        ranked = self._ranked_fitness()
        i = int(np.argmax(ranked))
        if ranked[i] == -np.inf:
            raise SearchError(
                f"No evaluation of this SearchHistory finished ({self.status_counts}), so it has no best evaluation."
            )
        key = self._keys[i] if self._keys is not None else None
        return BestRecord(i, self.candidates[i], float(self.fitness[i]), key)

    def best_so_far(self) -> np.ndarray:
        """Best fitness of the finished evaluations after each evaluation (the incumbent curve).

        NaN until the first evaluation finishes.
        """
        if not len(self):
            return np.zeros(0)
        best = np.maximum.accumulate(self._ranked_fitness())
        return np.where(np.isneginf(best), np.nan, best)

    @property
    def status_counts(self) -> dict[str, int]:
        """How many evaluations ended in each status."""
        return dict(Counter(self.statuses))

    @property
    def num_invalid(self) -> int:
        return sum(s == Status.INVALID for s in self.statuses)

    @property
    def ages(self) -> np.ndarray:
        """Evaluations an individual spent in the population (-1 if it never left)."""
        idx = np.arange(len(self))
        return np.where(self.removed_at >= 0, self.removed_at - idx, -1)

    def removed_sample_counts(self) -> np.ndarray:
        """Sample counts of the individuals that left the population (thesis Fig. 6.2)."""
        return self.sample_counts[self.removed_at >= 0]

    def to_dataframe(self, *, with_keys: bool = False):
        """A pandas DataFrame, one row per evaluation."""
        import pandas as pd

        data = {
            "index": self.indices,
            "parent": self.parents,
            "fitness": self.fitness,
            "status": self.statuses,
            "best_so_far": self.best_so_far(),
            "sample_count": self.sample_counts,
            "removed_at": self.removed_at,
            "age": self.ages,
            "total_time": self.total_times,
            "wall_time": self.wall_times,
            "message": self.messages,
            "arrival": self.arrivals,
        }
        data.update(self.extra)
        if with_keys:
            data["key"] = self.keys
        return pd.DataFrame(data)


def curves_frame(histories: Mapping[str, Sequence[SearchHistory]]):
    """Incumbent curves of many runs as one long DataFrame.

    Parameters
    ----------
    histories : mapping of label to list of SearchHistory
        E.g. ``{"regularized evolution": [...], "random search": [...]}`` (one per seed).

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy``, ``run``, ``evaluation`` (1-based), ``best_so_far``.

    Examples
    --------
    >>> h = SearchHistory(["a", "b"], [0.1, 0.3])
    >>> curves_frame({"demo": [h]}).best_so_far.tolist()
    [0.1, 0.3]
    """
    import pandas as pd

    parts = []
    for label, runs in histories.items():
        for run, h in enumerate(runs):
            curve = h.best_so_far()
            parts.append(
                pd.DataFrame(
                    {"strategy": label, "run": run, "evaluation": np.arange(1, len(curve) + 1), "best_so_far": curve}
                )
            )
    if not parts:
        return pd.DataFrame(columns=["strategy", "run", "evaluation", "best_so_far"])
    return pd.concat(parts, ignore_index=True)
