"""Bootstrap estimates of a statistic, with a fast path for Kendall's tau-b on large lists.

:func:`bootstrap` wraps :func:`scipy.stats.bootstrap` (paired resampling, percentile
interval) for any statistic. :func:`bootstrap_tau` is the same estimate for tau-b but fast
enough for the thesis' NAS-Bench-101 study (100,000 pairs x 800 resamples): the pairs are
rank-transformed and sorted once; a resample is then drawn as multiplicities of the sorted
pairs, so it is already in scipy's sort order, and only scipy's discordant-pair count (the
merge-sort kernel behind :func:`scipy.stats.kendalltau`) runs per resample. Tie corrections
come from weighted counts. The result is the tau-b scipy returns on the same resample (the
tests check equality); if that private kernel ever disappears, the public
:func:`scipy.stats.kendalltau` is used on the pre-sorted resample instead.

Both return a :class:`BootstrapResult` with the mean, standard error, percentile interval
and a Lilliefors normality test of the bootstrap distribution (statsmodels).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=200); y = x + rng.normal(size=200)
>>> res = bootstrap_tau(x, y, n_resamples=200, seed=1)
>>> bool(res.ci_low < res.estimate < res.ci_high), bool(0.0 < res.std_error < 0.1)
(True, True)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from nasnb._optional import require
from nasnb._validation import as_generator, check_fraction, check_positive_int, parameter_error
from nasnb.analysis.ranking import _pair

__all__ = ["BootstrapResult", "bootstrap", "bootstrap_tau", "lilliefors_pvalue"]

logger = logging.getLogger(__name__)

try:  # scipy's merge-sort discordant-pair counter (private; public fallback below)
    from scipy.stats._stats import _kendall_dis
except ImportError:  # pragma: no cover - depends on the scipy build
    _kendall_dis = None


@dataclass(frozen=True)
class BootstrapResult:
    """A bootstrap estimate.

    Attributes
    ----------
    estimate : float
        The statistic on the original data.
    mean : float
        Mean of the bootstrap distribution.
    std_error : float
        Standard deviation of the bootstrap distribution (ddof=1).
    ci_low, ci_high : float
        Percentile interval at ``confidence``.
    confidence : float
    lilliefors_pvalue : float
        p-value of the Lilliefors test of normality of the bootstrap distribution (small =
        not normal); NaN when the distribution is constant.
    n_resamples : int
    distribution : numpy.ndarray
        The ``n_resamples`` bootstrap values.
    """

    estimate: float
    mean: float
    std_error: float
    ci_low: float
    ci_high: float
    confidence: float
    lilliefors_pvalue: float
    n_resamples: int
    distribution: np.ndarray

    @property
    def ci(self) -> tuple[float, float]:
        """``(ci_low, ci_high)``."""
        return (self.ci_low, self.ci_high)

    def as_dict(self) -> dict:
        """The scalar fields as a dict (for a DataFrame row)."""
        return {
            "estimate": self.estimate,
            "mean": self.mean,
            "std_error": self.std_error,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "lilliefors_p": self.lilliefors_pvalue,
            "n_resamples": self.n_resamples,
        }


def lilliefors_pvalue(values) -> float:
    """Lilliefors (Kolmogorov-Smirnov with estimated mean/std) normality p-value.

    Examples
    --------
    >>> import numpy as np
    >>> p = lilliefors_pvalue(np.random.default_rng(0).normal(size=500))
    >>> bool(p > 0.01)
    True
    """
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size < 4 or np.ptp(arr) == 0:
        return float("nan")
    diagnostic = require("statsmodels.stats.diagnostic", extra="stats", purpose="run the Lilliefors test")
    return float(diagnostic.lilliefors(arr, dist="norm", pvalmethod="table")[1])


def _result(estimate: float, dist: np.ndarray, confidence: float) -> BootstrapResult:
    finite = dist[np.isfinite(dist)]
    alpha = (1.0 - confidence) / 2.0
    if finite.size:
        low, high = np.percentile(finite, [100 * alpha, 100 * (1 - alpha)])
        mean, se = float(finite.mean()), float(finite.std(ddof=1)) if finite.size > 1 else float("nan")
    else:
        low = high = mean = se = float("nan")
    return BootstrapResult(
        estimate=float(estimate),
        mean=mean,
        std_error=se,
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        lilliefors_pvalue=lilliefors_pvalue(finite),
        n_resamples=int(dist.size),
        distribution=dist,
    )


def bootstrap(
    statistic: Callable[..., float],
    *samples,
    n_resamples: int = 800,
    confidence: float = 0.95,
    seed=None,
) -> BootstrapResult:
    """Paired bootstrap of any statistic of one or more equal-length samples (scipy underneath).

    Parameters
    ----------
    statistic : callable
        ``statistic(*resampled_samples) -> float``.
    *samples : array-like
        Resampled together (pairs stay pairs).
    n_resamples : int, default 800
    confidence : float, default 0.95
    seed : int, Generator or None

    Examples
    --------
    >>> import numpy as np
    >>> res = bootstrap(np.mean, np.arange(100.0), n_resamples=300, seed=0)
    >>> res.estimate, bool(2.0 < res.std_error < 3.8)
    (49.5, True)
    """
    func = "bootstrap"
    if not callable(statistic):
        raise parameter_error("statistic", func, "a callable", statistic)
    if not samples:
        raise parameter_error("samples", func, "at least one sample", "none")
    n_resamples = check_positive_int(n_resamples, "n_resamples", func)
    confidence = check_fraction(confidence, "confidence", func)
    from nasnb.analysis.ranking import as_scores

    arrays = [as_scores(s, f"samples[{i}]", func, min_size=2) for i, s in enumerate(samples)]
    if len({a.size for a in arrays}) != 1:
        raise parameter_error("samples", func, "samples of equal length", [a.size for a in arrays])
    res = stats.bootstrap(
        arrays,
        statistic,
        n_resamples=n_resamples,
        confidence_level=confidence,
        method="percentile",
        paired=True,
        vectorized=False,
        rng=as_generator(seed),
    )
    return _result(statistic(*arrays), np.asarray(res.bootstrap_distribution, dtype=float), confidence)


class _TauResampler:
    """tau-b of resamples given as multiplicities of pairs sorted by (x, y) ranks."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        xr = stats.rankdata(x, method="dense").astype(np.intp)
        yr = stats.rankdata(y, method="dense").astype(np.intp)
        order = np.lexsort((yr, xr))
        self.order = order  # sorted position i holds original pair order[i]
        self.x, self.y = xr[order], yr[order]
        self.n = x.size
        # groups of tied x, of tied (x, y) and of tied y; only groups of 2+ pairs are kept
        self.x_groups = self._groups(self.x, np.arange(self.n))
        self.joint_groups = self._groups(self.x * (int(self.y.max()) + 1) + self.y, np.arange(self.n))
        self.y_groups = self._groups(self.y[np.argsort(self.y, kind="stable")], np.argsort(self.y, kind="stable"))

    @staticmethod
    def _groups(sorted_keys: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the members of tied groups (grouped) and the groups' starts."""
        new = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
        label = np.cumsum(new) - 1
        size = np.bincount(label)
        keep = size[label] > 1
        members = positions[keep]
        starts = np.flatnonzero(new[keep]) if members.size else np.empty(0, dtype=np.intp)
        return members, starts

    @staticmethod
    def _pairs(counts: np.ndarray, groups: tuple[np.ndarray, np.ndarray], base: int) -> int:
        """Pairs tied within groups: ``base`` (= sum c(c-1)/2, all pairs of copies) plus cross-copy ties."""
        members, starts = groups
        if members.size == 0:
            return base
        c = counts[members]
        t = np.add.reduceat(c, starts)
        return base + int((t * (t - 1) // 2).sum()) - int((c * (c - 1) // 2).sum())

    def tau(self, counts: np.ndarray) -> float:
        """tau-b of the sample holding pair ``i`` (in sorted order) ``counts[i]`` times."""
        idx = np.repeat(np.arange(self.n), counts)
        xs, ys = self.x[idx], self.y[idx]
        size = idx.size
        if _kendall_dis is None:  # pragma: no cover - public fallback
            return float(stats.kendalltau(xs, ys).statistic)
        dis = int(_kendall_dis(xs, ys))
        tot = size * (size - 1) // 2
        copies = int((counts * (counts - 1) // 2).sum())  # a pair drawn twice ties with itself
        xtie = self._pairs(counts, self.x_groups, copies)
        ytie = self._pairs(counts, self.y_groups, copies)
        ntie = self._pairs(counts, self.joint_groups, copies)
        if xtie == tot or ytie == tot:
            return float("nan")
        con_minus_dis = tot - xtie - ytie + ntie - 2 * dis
        tau = con_minus_dis / np.sqrt(tot - xtie) / np.sqrt(tot - ytie)
        return float(min(1.0, max(-1.0, tau)))


def bootstrap_tau(
    x,
    y,
    *,
    n_resamples: int = 800,
    decimals: int | None = None,
    confidence: float = 0.95,
    seed=None,
) -> BootstrapResult:
    """Bootstrap of Kendall's tau-b between two paired score lists (fast; scipy-exact).

    Parameters
    ----------
    x, y : sequence of float
        Paired scores (e.g. 36-epoch and 108-epoch accuracy of the same draws).
    n_resamples : int, default 800
        The thesis' choice.
    decimals : int, optional
        Round scores first (e.g. 2 for accuracies in [0, 1] rounded to whole percents).
    confidence : float, default 0.95
        Level of the percentile interval.
    seed : int, Generator or None

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> res = bootstrap_tau([1, 2, 3, 4, 5, 6], [1, 3, 2, 4, 6, 5], n_resamples=100, seed=0)
    >>> round(res.estimate, 3), res.n_resamples
    (0.733, 100)
    """
    func = "bootstrap_tau"
    a, b = _pair(x, y, func, decimals)
    n_resamples = check_positive_int(n_resamples, "n_resamples", func)
    confidence = check_fraction(confidence, "confidence", func)
    rng = as_generator(seed)
    sampler = _TauResampler(a, b)
    estimate = float(stats.kendalltau(a, b).statistic)
    n = a.size
    dist = np.empty(n_resamples)
    for i in range(n_resamples):
        dist[i] = sampler.tau(np.bincount(rng.integers(0, n, size=n), minlength=n))
    logger.debug("bootstrap_tau: %d resamples of %d pairs", n_resamples, n)
    return _result(estimate, dist, confidence)
