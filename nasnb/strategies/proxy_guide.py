"""Zero-cost guidance of a search: warm-up and move proposal through a proxy (:class:`ProxyGuidedSpace`).

Two uses of a cheap proxy (Abdelfattah et al., ICLR 2021, §5):

* **warm-up** -- before the first evaluation, ``warmup_pool`` random candidates are scored with
  the proxy and the initial population is drawn best first from that pool;
* **move proposal** -- each mutation draws ``proposals`` children of the parent, scores them and
  proposes the best one for evaluation.

Both live in a search-space wrapper: :class:`ProxyGuidedSpace` answers ``sample`` and ``mutate``
with the proxy's choice and delegates everything else to the wrapped space, so the strategy's
selection and the one run loop are unchanged. :class:`~nasnb.strategies.RegularizedEvolution`
builds it from its ``proxy=``, ``warmup_pool=`` and ``proposals=`` options and records the proxy
score of every evaluated candidate in the study (metric ``proxy_score``), its scoring seconds
added to the evaluation's ``total_time`` (so a :class:`~nasnb.executors.SimulatedExecutor`
counts the proxy's cost); the seconds spent on candidates that were scored but never evaluated
(the rest of the pool, the losing proposals) are in :attr:`ProxyGuidedSpace.overhead_seconds`.

Examples
--------
>>> import numpy as np
>>> from nasnb.spaces import NB101MutationSpace
>>> space = ProxyGuidedSpace(NB101MutationSpace(), lambda cell: float(len(cell.ops)), warmup_pool=20, proposals=4)
>>> rng = np.random.default_rng(0)
>>> first = space.sample(rng)
>>> len(first.ops) == max(len(c.ops) for c in space.pool)
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from nasnb._validation import check_nonnegative_int, check_positive_int, parameter_error
from nasnb.results import EvaluationResult

__all__ = ["ProxyGuidedSpace", "ProxyRecordingEvaluator"]


def _score_fn(proxy: Any) -> Callable[[Any], tuple[float, float]]:
    """``candidate -> (score, seconds)`` of a callable or of an evaluator with ``evaluate_candidate``."""
    evaluate = getattr(proxy, "evaluate_candidate", None)

    def score(candidate: Any) -> tuple[float, float]:
        start = time.perf_counter()
        if callable(evaluate):
            result = evaluate(candidate)
            value = result.fitness if isinstance(result, EvaluationResult) and result.ok else float("-inf")
            seconds = result.total_time if isinstance(result, EvaluationResult) else time.perf_counter() - start
            return float(value), float(seconds)
        value = float(proxy(candidate))
        return (value if math.isfinite(value) else float("-inf")), time.perf_counter() - start

    return score


class ProxyGuidedSpace:
    """A search space whose ``sample`` and ``mutate`` are guided by a zero-cost proxy.

    Parameters
    ----------
    space : SearchSpace
        The space searched.
    proxy : callable or evaluator
        ``proxy(candidate) -> float`` (higher is better), or an evaluator with
        ``evaluate_candidate(candidate)`` (e.g. :meth:`nasnb.proxies.ProxyEvaluator.for_candidates`),
        whose fitness is the score and ``total_time`` the cost; a candidate it cannot score
        (NaN, a failed result) ranks last.
    warmup_pool : int, default 0
        Random candidates scored before the first evaluation; samples are served best first
        from them (0: no warm-up).
    proposals : int, default 1
        Mutations drawn per child; the best by the proxy is proposed (1: no proposal step).
    """

    def __init__(self, space: Any, proxy: Any, *, warmup_pool: int = 0, proposals: int = 1) -> None:
        func = "ProxyGuidedSpace"
        if not callable(proxy) and not callable(getattr(proxy, "evaluate_candidate", None)):
            raise parameter_error(
                "proxy", func, "a callable candidate -> score or an evaluator with evaluate_candidate", proxy
            )
        self.space = space
        self.proxy = proxy
        self.warmup_pool = check_nonnegative_int(warmup_pool, "warmup_pool", func)
        self.proposals = check_positive_int(proposals, "proposals", func)
        self._score = _score_fn(proxy)
        self.reset()

    def __getattr__(self, name: str) -> Any:  # key, to_descriptor, JSON... of the wrapped space
        if name in ("space", "__setstate__", "__getstate__"):
            raise AttributeError(name)
        return getattr(self.space, name)

    def reset(self) -> None:
        """Forget the pool, the scores and the costs (a strategy calls it when a run starts)."""
        self.pool: list[Any] = []
        self._served = 0
        self.scores: dict[Any, float] = {}
        self.seconds: dict[Any, float] = {}
        self.overhead_seconds = 0.0
        reset = getattr(self.space, "reset", None)
        if callable(reset):
            reset()

    def settings(self) -> dict[str, Any]:
        """JSON-able description (part of the strategy's config)."""
        proxy = getattr(self.proxy, "settings", None)
        return {
            "proxy": proxy() if callable(proxy) else getattr(self.proxy, "__name__", repr(self.proxy)),
            "warmup_pool": self.warmup_pool,
            "proposals": self.proposals,
        }

    def to_json(self) -> Any:
        to_json = getattr(self.space, "to_json", None)
        return {"guided": self.settings(), "space": to_json() if callable(to_json) else repr(self.space)}

    def score(self, candidate: Any) -> float:
        """The proxy score of ``candidate`` (memoised by the space's key)."""
        key = self.space.key(candidate)
        if key not in self.scores:
            self.scores[key], self.seconds[key] = self._score(candidate)
            self.overhead_seconds += self.seconds[key]
        return self.scores[key]

    def _best(self, candidates: list[Any]) -> Any:
        scores = [self.score(c) for c in candidates]
        best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
        return candidates[best]

    def sample(self, rng: Any) -> Any:
        """Best unserved candidate of the warm-up pool (drawn and scored on the first call), then random."""
        if self.warmup_pool and not self.pool:
            self.pool = [self.space.sample(rng) for _ in range(self.warmup_pool)]
            order = sorted(range(len(self.pool)), key=lambda i: (-self.score(self.pool[i]), i))
            self.pool = [self.pool[i] for i in order]
        if self._served < len(self.pool):
            self._served += 1
            return self._claim(self.pool[self._served - 1])
        return self._claim(self.space.sample(rng)) if self.pool or self.warmup_pool else self.space.sample(rng)

    def mutate(self, candidate: Any, rng: Any) -> Any:
        """The best of ``proposals`` mutations of ``candidate`` by the proxy."""
        if self.proposals == 1:
            return self.space.mutate(candidate, rng)
        return self._claim(self._best([self.space.mutate(candidate, rng) for _ in range(self.proposals)]))

    def _claim(self, candidate: Any) -> Any:
        """The candidate goes to evaluation: its own scoring cost is billed to its row, not overhead."""
        self.score(candidate)
        self.overhead_seconds -= self.seconds.get(self.space.key(candidate), 0.0)
        return candidate


class ProxyRecordingEvaluator:
    """Wrap an evaluator: each result gains the candidate's ``proxy_score`` metric and its proxy seconds.

    Made by :meth:`RegularizedEvolution.run` when the search is proxy-guided. The score comes from
    the guide's memo (inline and thread pools) or is computed again where the evaluation runs
    (cluster engines hold a copy; proxies are deterministic, so it is the same score).
    """

    def __init__(self, evaluator: Any, guide: ProxyGuidedSpace) -> None:
        if not callable(getattr(evaluator, "evaluate_candidate", None)):
            raise parameter_error(
                "evaluator", "ProxyRecordingEvaluator", "an evaluator with evaluate_candidate", evaluator
            )
        self.evaluator = evaluator
        self.guide = guide
        if hasattr(evaluator, "threads"):
            self.threads = evaluator.threads

    def settings(self) -> dict[str, Any]:
        inner = getattr(self.evaluator, "settings", None)
        return {"evaluator": inner() if callable(inner) else repr(self.evaluator), "proxy_guide": self.guide.settings()}

    def _with_proxy(self, candidate: Any, value: Any) -> Any:
        from nasnb.results import as_result

        result = as_result(value)
        key = self.guide.space.key(candidate)
        if key not in self.guide.scores:
            self.guide.scores[key], self.guide.seconds[key] = self.guide._score(candidate)
        score, seconds = self.guide.scores[key], self.guide.seconds[key]
        metrics = dict(
            result.metrics, proxy_score=score if math.isfinite(score) else float("nan"), proxy_seconds=seconds
        )
        return EvaluationResult(
            result.loss, metrics, result.total_time + seconds, result.fitness, result.status, result.message
        )

    def evaluate_candidate(self, candidate: Any, **kwargs: Any) -> Any:
        """The wrapped evaluator's result with ``proxy_score`` and ``proxy_seconds`` added."""
        return self._with_proxy(candidate, self.evaluator.evaluate_candidate(candidate, **kwargs))
