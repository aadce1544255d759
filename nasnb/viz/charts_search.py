"""Search charts: best-so-far progress, empirical CDFs (Fig. 6.4), sample counts (Fig. 6.2).

Each chart is a ``*_data`` function returning a small NamedTuple (what tests check) and a
``plot_*`` function that draws it with plotly (interactive) or matplotlib/seaborn (static,
``fig.savefig``). Inputs are records: a DataFrame with ``seq``/``fitness``/``status`` columns,
a ``Study`` / ``SearchHistory`` (anything with ``to_dataframe()``), or a dict ``{label: records}``
to compare searches (e.g. evolution vs random search).

Examples
--------
>>> import pandas as pd
>>> data = progress_data({"evolution": pd.DataFrame({"fitness": [0.2, 0.5, 0.4]})})
>>> data.frame["best_so_far"].tolist()
[0.2, 0.5, 0.5]
>>> [t.name for t in plot_progress(data, backend="plotly").data]
['evolution: evaluations', 'evolution: best so far']
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple

import numpy as np
import pandas as pd

from nasnb._optional import require
from nasnb._validation import check_choice
from nasnb.exceptions import ParameterError
from nasnb.viz._records import as_frame

__all__ = ["ProgressData", "progress_data", "plot_progress", "ECDFData", "ecdf_data", "plot_ecdf",
           "SampleCountData", "sample_count_data", "plot_sample_counts", "PALETTE"]

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2")
_BACKENDS = ("matplotlib", "plotly")


def _searches(searches: Any, func: str) -> dict[str, pd.DataFrame]:
    if isinstance(searches, Mapping):
        return {str(k): as_frame(v, func=func) for k, v in searches.items()}
    label = str(getattr(searches, "name", None) or "search")
    return {label: as_frame(searches, func=func)}


def _figure(ax: Any, figsize: tuple):
    plt = require("matplotlib.pyplot", extra="viz", purpose="draw static charts")
    if ax is None:
        return plt.subplots(figsize=figsize)
    return ax.figure, ax


class ProgressData(NamedTuple):
    """Every evaluation and the best fitness so far, per search.

    ``frame`` has columns ``label, seq, fitness, status, best_so_far``; ``labels`` keeps the
    searches' order; ``metric`` names the y axis.
    """

    frame: pd.DataFrame
    labels: list
    metric: str
    maximize: bool


def progress_data(searches: Any, *, metric: str = "fitness", maximize: bool = True,
                  statuses: tuple = ("done", "invalid", "diverged", "failed")) -> ProgressData:
    """Gather best-so-far progress of one search (records) or several (``{label: records}``).

    Evaluations without a finite ``metric`` (failed runs) are kept as rows with NaN and do
    not change the best so far.
    """
    parts = []
    for label, frame in _searches(searches, "progress_data").items():
        if metric not in frame.columns:
            raise ParameterError(f"The records of search {label!r} have no {metric!r} column "
                                 f"(columns: {list(frame.columns)}).")
        frame = frame[frame["status"].isin(statuses)]
        values = pd.to_numeric(frame[metric], errors="coerce").to_numpy(dtype=float)
        filled = np.where(np.isfinite(values), values, -np.inf if maximize else np.inf)
        best = np.maximum.accumulate(filled) if maximize else np.minimum.accumulate(filled)
        best = np.where(np.isfinite(best), best, np.nan)
        parts.append(pd.DataFrame({"label": label, "seq": frame["seq"].to_numpy(), "fitness": values,
                                   "status": frame["status"].to_numpy(), "best_so_far": best}))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["label", "seq", "fitness", "status", "best_so_far"])
    return ProgressData(frame, [p["label"].iloc[0] for p in parts if len(p)], metric, maximize)


def plot_progress(data: Any, *, backend: str = "matplotlib", ax: Any = None, figsize: tuple = (7, 4)):
    """Every evaluation as a point and the best so far as a step line, per search.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = plot_progress(pd.DataFrame({"fitness": [0.2, 0.5, 0.4]}))
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('evaluation', 'fitness')
    """
    check_choice(backend, _BACKENDS, "backend", "plot_progress")
    data = data if isinstance(data, ProgressData) else progress_data(data)
    groups = [(lbl, data.frame[data.frame["label"] == lbl]) for lbl in data.labels]
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure()
        for i, (label, g) in enumerate(groups):
            c = PALETTE[i % len(PALETTE)]
            fig.add_trace(go.Scatter(x=g["seq"], y=g["fitness"], mode="markers", name=f"{label}: evaluations",
                                     marker=dict(color=c, size=5, opacity=0.45), customdata=g["status"],
                                     hovertemplate="#%{x}: %{y:.4f} (%{customdata})<extra></extra>"))
            fig.add_trace(go.Scatter(x=g["seq"], y=g["best_so_far"], mode="lines", line_shape="hv",
                                     name=f"{label}: best so far", line=dict(color=c, width=2.5)))
        fig.update_layout(xaxis_title="evaluation", yaxis_title=data.metric, template="plotly_white",
                          title="Best so far")
        return fig
    fig, ax = _figure(ax, figsize)
    for i, (label, g) in enumerate(groups):
        c = PALETTE[i % len(PALETTE)]
        ax.scatter(g["seq"], g["fitness"], s=10, alpha=0.4, color=c, label=f"{label}: evaluations")
        ax.step(g["seq"], g["best_so_far"], where="post", color=c, lw=2, label=f"{label}: best so far")
    ax.set_xlabel("evaluation")
    ax.set_ylabel(data.metric)
    ax.set_title("Best so far")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


class ECDFData(NamedTuple):
    """Empirical CDFs: ``frame`` with columns ``label, value, ecdf`` (sorted per label)."""

    frame: pd.DataFrame
    labels: list
    metric: str


def ecdf_data(searches: Any, *, metric: str = "fitness", statuses: tuple = ("done",)) -> ECDFData:
    """Empirical CDF of ``metric`` over the evaluations of each search (thesis Fig. 6.4).

    Examples
    --------
    >>> import pandas as pd
    >>> ecdf_data(pd.DataFrame({"fitness": [0.3, 0.1, 0.2]})).frame["ecdf"].round(3).tolist()
    [0.333, 0.667, 1.0]
    """
    parts = []
    for label, frame in _searches(searches, "ecdf_data").items():
        if metric not in frame.columns:
            raise ParameterError(f"The records of search {label!r} have no {metric!r} column.")
        v = pd.to_numeric(frame.loc[frame["status"].isin(statuses), metric], errors="coerce").dropna()
        v = np.sort(v.to_numpy(dtype=float))
        parts.append(pd.DataFrame({"label": label, "value": v, "ecdf": np.arange(1, v.size + 1) / max(v.size, 1)}))
    return ECDFData(pd.concat(parts, ignore_index=True), [str(k) for k in _labels(parts)], metric)


def _labels(parts: list) -> list:
    return [p["label"].iloc[0] for p in parts if len(p)]


def plot_ecdf(data: Any, *, backend: str = "matplotlib", ax: Any = None, figsize: tuple = (6, 4)):
    """Draw empirical CDFs of several searches on one axis (one step line per search)."""
    check_choice(backend, _BACKENDS, "backend", "plot_ecdf")
    data = data if isinstance(data, ECDFData) else ecdf_data(data)
    groups = [(lbl, data.frame[data.frame["label"] == lbl]) for lbl in data.labels]
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure([go.Scatter(x=g["value"], y=g["ecdf"], mode="lines", line_shape="hv", name=lbl,
                                    line=dict(color=PALETTE[i % len(PALETTE)]))
                         for i, (lbl, g) in enumerate(groups)])
        fig.update_layout(xaxis_title=data.metric, yaxis_title="cumulative fraction", template="plotly_white",
                          title="Empirical CDF")
        return fig
    fig, ax = _figure(ax, figsize)
    for i, (lbl, g) in enumerate(groups):
        ax.step(g["value"], g["ecdf"], where="post", label=lbl, color=PALETTE[i % len(PALETTE)], lw=2)
    ax.set_xlabel(data.metric)
    ax.set_ylabel("cumulative fraction")
    ax.set_title("Empirical CDF")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


class SampleCountData(NamedTuple):
    """How often individuals were sampled before removal, per run (thesis Fig. 6.2).

    ``counts`` has columns ``label, individual, count``; ``distribution`` has
    ``label, times_sampled, individuals, fraction``.
    """

    counts: pd.DataFrame
    distribution: pd.DataFrame
    labels: list


def _count_series(value: Any) -> pd.Series:
    value = getattr(value, "sample_counts", value)
    if callable(value):
        value = value()
    if isinstance(value, Mapping):
        return pd.Series(value, dtype=float)
    return pd.Series(np.asarray(value, dtype=float))


def sample_count_data(runs: Mapping[str, Any]) -> SampleCountData:
    """Gather per-individual sample counts, e.g. ``{"serial": h1, "distributed": h2}``.

    Each value is a sequence or dict of counts (individual -> times sampled) or an object with
    a ``sample_counts`` attribute or method (a ``SearchHistory``).

    Examples
    --------
    >>> d = sample_count_data({"serial": [0, 1, 1, 3]})
    >>> d.distribution[["times_sampled", "individuals"]].values.tolist()
    [[0, 1], [1, 2], [2, 0], [3, 1]]
    """
    if not isinstance(runs, Mapping) or not runs:
        raise ParameterError("The 'runs' parameter of sample_count_data must be a non-empty dict "
                             f"{{label: counts}}. Got {type(runs).__name__} instead.")
    counts, dists = [], []
    top = 0
    series = {str(k): _count_series(v) for k, v in runs.items()}
    for s in series.values():
        if len(s):
            top = max(top, int(s.max()))
    for label, s in series.items():
        counts.append(pd.DataFrame({"label": label, "individual": s.index, "count": s.to_numpy()}))
        hist = np.bincount(s.to_numpy(dtype=int), minlength=top + 1) if len(s) else np.zeros(top + 1, int)
        dists.append(pd.DataFrame({"label": label, "times_sampled": np.arange(top + 1), "individuals": hist,
                                   "fraction": hist / max(len(s), 1)}))
    return SampleCountData(pd.concat(counts, ignore_index=True), pd.concat(dists, ignore_index=True), list(series))


def plot_sample_counts(data: Any, *, backend: str = "matplotlib", ax: Any = None, figsize: tuple = (7, 4)):
    """Grouped bars: fraction of individuals sampled k times, one colour per run."""
    check_choice(backend, _BACKENDS, "backend", "plot_sample_counts")
    data = data if isinstance(data, SampleCountData) else sample_count_data(data)
    dist = data.distribution
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure([go.Bar(x=g["times_sampled"], y=g["fraction"], name=lbl,
                                marker_color=PALETTE[i % len(PALETTE)])
                         for i, (lbl, g) in enumerate((lbl, dist[dist["label"] == lbl]) for lbl in data.labels)])
        fig.update_layout(barmode="group", xaxis_title="times sampled before removal",
                          yaxis_title="fraction of individuals", template="plotly_white", title="Sample counts")
        return fig
    fig, ax = _figure(ax, figsize)
    k = len(data.labels)
    width = 0.8 / max(k, 1)
    for i, lbl in enumerate(data.labels):
        g = dist[dist["label"] == lbl]
        ax.bar(g["times_sampled"] + (i - (k - 1) / 2) * width, g["fraction"], width=width, label=lbl,
               color=PALETTE[i % len(PALETTE)])
    ax.set_xlabel("times sampled before removal")
    ax.set_ylabel("fraction of individuals")
    ax.set_title("Sample counts")
    ax.legend()
    return fig
