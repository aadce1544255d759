"""Rank correlation between score lists: Kendall tau-b, Spearman rho, top-k tau, tau matrices.

Everything here is a thin, validated layer over :func:`scipy.stats.kendalltau` (tau-b),
:func:`scipy.stats.spearmanr` and :meth:`pandas.DataFrame.corr`. Scores may be compared raw
or rounded to a number of decimals first (the thesis rounds accuracies to whole percents:
``decimals=0`` for percentages, ``decimals=2`` for fractions), which turns near-equal
accuracies into ties that tau-b then treats as such.

Examples
--------
>>> kendall_tau([0.91, 0.92, 0.95, 0.80], [0.89, 0.93, 0.94, 0.85])
1.0
>>> round(kendall_tau([91.2, 91.4, 95.0], [90.0, 89.0, 93.0], decimals=0), 3)
0.816
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from nasnb._validation import check_choice, check_fraction, check_nonnegative_int, parameter_error
from nasnb.exceptions import ParameterError

__all__ = ["kendall_tau", "spearman_rho", "top_k_tau", "tau_matrix", "as_scores", "round_scores"]

logger = logging.getLogger(__name__)


def as_scores(values, name: str, func: str, *, min_size: int = 1) -> np.ndarray:
    """Return ``values`` as a 1-D float array; raise if empty, too short, non-numeric or NaN.

    Examples
    --------
    >>> as_scores([1, 2.5], "x", "kendall_tau").tolist()
    [1.0, 2.5]
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise parameter_error(name, func, "a sequence of numbers", _short(values)) from exc
    if arr.ndim != 1:
        raise parameter_error(name, func, "a 1-D sequence of scores", f"an array of shape {arr.shape}")
    if arr.size < min_size:
        raise parameter_error(name, func, f"a sequence of at least {min_size} scores", _short(values))
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ParameterError(
            f"The {name!r} parameter of {func} must hold finite scores only. "
            f"Got {bad.size} NaN/inf value(s), first at position {int(bad[0])}."
        )
    return arr


def _short(values) -> str:
    text = repr(values)
    return text if len(text) <= 60 else text[:57] + "..."


def round_scores(values: np.ndarray, decimals: int | None, func: str) -> np.ndarray:
    """Round to ``decimals`` (``None`` = unchanged)."""
    if decimals is None:
        return values
    decimals = check_nonnegative_int(decimals, "decimals", func)
    return np.round(values, decimals)


def _pair(x, y, func: str, decimals: int | None, names=("x", "y")) -> tuple[np.ndarray, np.ndarray]:
    a = as_scores(x, names[0], func, min_size=2)
    b = as_scores(y, names[1], func, min_size=2)
    if a.size != b.size:
        raise ParameterError(
            f"The {names[0]!r} and {names[1]!r} parameters of {func} must have the same length. "
            f"Got {a.size} and {b.size} scores instead."
        )
    return round_scores(a, decimals, func), round_scores(b, decimals, func)


def kendall_tau(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, *, decimals: int | None = None
) -> float:
    """Kendall's tau-b between two score lists (scipy underneath).

    Parameters
    ----------
    x, y : sequence of float
        Scores of the same architectures, in the same order.
    decimals : int, optional
        Round both lists to this many decimals first.

    Returns
    -------
    float
        tau-b in [-1, 1]; NaN when one list is constant.

    Examples
    --------
    >>> kendall_tau([1, 2, 3, 4], [1, 3, 2, 4])
    0.6666666666666669
    """
    a, b = _pair(x, y, "kendall_tau", decimals)
    return float(stats.kendalltau(a, b, variant="b").statistic)


def spearman_rho(x: Sequence[float], y: Sequence[float], *, decimals: int | None = None) -> float:
    """Spearman's rho between two score lists (scipy underneath; ties get average ranks).

    Examples
    --------
    >>> round(spearman_rho([1, 2, 3, 4], [1, 3, 2, 4]), 3)
    0.8
    """
    a, b = _pair(x, y, "spearman_rho", decimals)
    return float(stats.spearmanr(a, b).statistic)


def top_k_tau(
    x: Sequence[float] | np.ndarray,
    reference: Sequence[float] | np.ndarray,
    fraction: float,
    *,
    decimals: int | None = None,
    higher_is_better: bool = True,
) -> float:
    """Kendall tau-b restricted to the top ``fraction`` of the architectures by ``reference``.

    The best ``ceil(fraction * n)`` architectures of ``reference`` are kept (at least 2; ties
    at the cut are broken by position, first wins), and tau-b is computed on that subset.

    Parameters
    ----------
    x : sequence of float
        Scores to judge (e.g. a proxy).
    reference : sequence of float
        Reference scores (e.g. full training) that define the top set.
    fraction : float in (0, 1]
        Share of architectures kept, e.g. 0.5 for "top-50 % tau".
    decimals : int, optional
        Round both lists first (the selection uses the rounded reference).
    higher_is_better : bool, default True
        The top set holds the highest reference scores (accuracies); False for losses.

    Examples
    --------
    >>> ref = [10, 9, 8, 7, 6, 5]
    >>> proxy = [6, 5, 4, 1, 2, 3]
    >>> top_k_tau(proxy, ref, 0.5)   # top 3 by ref: ranked identically
    1.0
    >>> kendall_tau(proxy, ref)
    0.6
    """
    func = "top_k_tau"
    a, b = _pair(x, reference, func, decimals, names=("x", "reference"))
    fraction = check_fraction(fraction, "fraction", func)
    k = max(2, math.ceil(fraction * a.size))
    order = np.argsort(-b if higher_is_better else b, kind="stable")[:k]
    return float(stats.kendalltau(a[order], b[order], variant="b").statistic)


def tau_matrix(
    records: pd.DataFrame,
    *,
    arch: str = "arch",
    setup: str = "setup",
    score: str = "score",
    reference=None,
    decimals: int | None = None,
    method: str = "kendall",
    top_fraction: float | None = None,
) -> pd.DataFrame:
    """Rank correlations between many ranking lists given in long format.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per (architecture, setup) with columns ``arch``, ``setup`` and ``score``
        (e.g. setup = "Adam, 20 epochs"). Architectures missing from a setup are left out of
        the pairs that involve it (pairwise complete).
    arch, setup, score : str
        Column names.
    reference : hashable or sequence, optional
        A setup label (or several): return every setup against it/them
        (setups x references) instead of the full setups x setups matrix.
    decimals : int, optional
        Round scores first (e.g. whole percents).
    method : {"kendall", "spearman"}
        ``"kendall"`` is tau-b (pandas calls scipy's kendalltau).
    top_fraction : float in (0, 1], optional
        With a single ``reference``, keep only the architectures in its top fraction
        (highest scores) -- the "top-k tau" of the thesis.

    Returns
    -------
    pandas.DataFrame
        Square setups x setups (ready for ``seaborn.heatmap``) or setups x references.

    Examples
    --------
    >>> df = pd.DataFrame({"arch": [0, 1, 2] * 2, "setup": ["a"] * 3 + ["b"] * 3,
    ...                    "score": [0.1, 0.2, 0.3, 0.3, 0.2, 0.1]})
    >>> tau_matrix(df).loc["a", "b"]
    np.float64(-1.0)
    """
    func = "tau_matrix"
    if not isinstance(records, pd.DataFrame):
        raise parameter_error("records", func, "a pandas DataFrame in long format", type(records).__name__)
    missing = [c for c in (arch, setup, score) if c not in records.columns]
    if missing:
        raise ParameterError(
            f"The 'records' parameter of {func} lacks the column(s) {missing}; it has {list(records.columns)}."
        )
    method = check_choice(method, ("kendall", "spearman"), "method", func)
    if records.empty:
        raise parameter_error("records", func, "a non-empty DataFrame", "an empty DataFrame")
    values = as_scores(records[score].to_numpy(), score, func)
    frame = records[[arch, setup]].copy()
    frame["_score"] = round_scores(values, decimals, func)
    duplicated = frame.duplicated([arch, setup])
    if duplicated.any():
        first = frame.loc[duplicated, [arch, setup]].iloc[0].tolist()
        raise ParameterError(
            f"The 'records' parameter of {func} has more than one score for (arch, setup) = {first}; "
            "aggregate runs first (e.g. records.groupby([arch, setup]).mean())."
        )
    wide = frame.pivot(index=arch, columns=setup, values="_score")
    if reference is None:
        if top_fraction is not None:
            raise parameter_error("top_fraction", func, "None unless a single reference is given", top_fraction)
        return wide.corr(method=method)
    refs = list(reference) if isinstance(reference, (list, tuple)) else [reference]
    unknown = [r for r in refs if r not in wide.columns]
    if unknown:
        raise parameter_error("reference", func, f"setups present in records ({list(wide.columns)})", unknown)
    if top_fraction is not None:
        if len(refs) != 1:
            raise parameter_error("top_fraction", func, "used with a single reference", refs)
        fraction = check_fraction(top_fraction, "top_fraction", func)
        col = wide[refs[0]].dropna()
        k = max(2, math.ceil(fraction * col.size))
        wide = wide.loc[col.sort_values(ascending=False, kind="stable").index[:k]]
    out = pd.DataFrame({r: wide.corrwith(wide[r], method=method) for r in refs})
    out.index.name = setup
    return out
