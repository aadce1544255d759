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

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from nasnb._optional import require
from nasnb._validation import check_choice
from nasnb.exceptions import ParameterError
from nasnb.viz._graph_draw import new_figure
from nasnb.viz._records import CANDIDATE_COLUMNS, as_frame, gene_frame, natural_key
from nasnb.viz._text import chart_text, chart_texts

__all__ = [
    "ProgressData",
    "progress_data",
    "plot_progress",
    "ECDFData",
    "ecdf_data",
    "plot_ecdf",
    "SampleCountData",
    "sample_count_data",
    "plot_sample_counts",
    "ParallelData",
    "parallel_data",
    "plot_parallel_coordinates",
    "TimelineData",
    "timeline_data",
    "plot_timeline",
    "PALETTE",
]

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2")
_BACKENDS = ("matplotlib", "plotly")


def _searches(searches: Any, func: str) -> dict[str, pd.DataFrame]:
    if isinstance(searches, Mapping):
        return {str(k): as_frame(v, func=func) for k, v in searches.items()}
    label = str(getattr(searches, "name", None) or "search")
    return {label: as_frame(searches, func=func)}


#: Line styles and markers that tell overlapping curves apart (cycled per search).
DASHES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P")
_PLOTLY_DASHES = ("solid", "dash", "dashdot", "dot")
_PLOTLY_MARKERS = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross")


def _figure(ax: Any, figsize: tuple):
    """``(figure, axes)``: a new figure pyplot does not track (shown once in a notebook), or ``ax``'s."""
    if ax is None:
        fig = new_figure(figsize)
        fig.set_layout_engine("constrained")  # nothing clipped at the figure's edges
        return fig, fig.add_subplot()
    return ax.figure, ax


def _improvements(best: np.ndarray) -> list[int]:
    """Indices where a best-so-far curve rises (or first becomes finite)."""
    out, prev = [], np.nan
    for i, b in enumerate(best):
        if np.isfinite(b) and (not np.isfinite(prev) or b != prev):
            out.append(i)
        prev = b
    return out


class ProgressData(NamedTuple):
    """Every evaluation and the best fitness so far, per search.

    ``frame`` has columns ``label, seq, fitness, status, best_so_far``; ``labels`` keeps the
    searches' order; ``metric`` names the y axis.
    """

    frame: pd.DataFrame
    labels: list
    metric: str
    maximize: bool


def progress_data(
    searches: Any,
    *,
    metric: str = "fitness",
    maximize: bool = True,
    statuses: tuple = ("done", "invalid", "diverged", "failed"),
) -> ProgressData:
    """Gather best-so-far progress of one search (records) or several (``{label: records}``).

    Evaluations without a finite ``metric`` (failed runs) are kept as rows with NaN and do
    not change the best so far.
    """
    parts = []
    for label, frame in _searches(searches, "progress_data").items():
        if metric not in frame.columns:
            raise ParameterError(
                f"The records of search {label!r} have no {metric!r} column (columns: {list(frame.columns)})."
            )
        frame = frame[frame["status"].isin(statuses)]
        values = pd.to_numeric(frame[metric], errors="coerce").to_numpy(dtype=float)
        filled = np.where(np.isfinite(values), values, -np.inf if maximize else np.inf)
        best = np.maximum.accumulate(filled) if maximize else np.minimum.accumulate(filled)
        best = np.where(np.isfinite(best), best, np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "label": label,
                    "seq": frame["seq"].to_numpy(),
                    "fitness": values,
                    "status": frame["status"].to_numpy(),
                    "best_so_far": best,
                }
            )
        )
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["label", "seq", "fitness", "status", "best_so_far"])
    )
    return ProgressData(frame, [p["label"].iloc[0] for p in parts if len(p)], metric, maximize)


def plot_progress(
    data: Any,
    *,
    backend: str = "matplotlib",
    ax: Any = None,
    figsize: tuple = (7, 4),
    metric: str = "fitness",
    maximize: bool = True,
):
    """Every evaluation as a point and the best so far as a step line, per search.

    Searches are told apart by colour, marker (evaluations and improvements) and dash pattern,
    so curves that lie on top of each other stay distinguishable.

    Parameters
    ----------
    data : Study, SearchHistory, DataFrame, dict of them, or ProgressData
        One search's records or ``{label: records}``.
    backend : {"matplotlib", "plotly"}
    ax : matplotlib Axes, optional
    figsize : tuple
    metric, maximize
        Passed to :func:`progress_data` when ``data`` is not gathered yet.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = plot_progress(pd.DataFrame({"fitness": [0.2, 0.5, 0.4]}))
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('evaluation', 'fitness')
    """
    check_choice(backend, _BACKENDS, "backend", "plot_progress")
    data = data if isinstance(data, ProgressData) else progress_data(data, metric=metric, maximize=maximize)
    groups = [(lbl, data.frame[data.frame["label"] == lbl]) for lbl in data.labels]
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure()
        for i, (label, g) in enumerate(groups):
            c = PALETTE[i % len(PALETTE)]
            symbol = _PLOTLY_MARKERS[i % len(_PLOTLY_MARKERS)]
            fig.add_trace(
                go.Scatter(
                    x=g["seq"],
                    y=g["fitness"],
                    mode="markers",
                    name=f"{chart_text(label)}: evaluations",
                    marker=dict(color=c, size=5, opacity=0.45, symbol=symbol),
                    customdata=chart_texts(g["status"]),
                    hovertemplate="#%{x}: %{y:.4f} (%{customdata})<extra></extra>",
                )
            )
            best = g["best_so_far"].to_numpy(dtype=float)
            sizes = np.zeros(len(best))
            sizes[_improvements(best)] = 7
            fig.add_trace(
                go.Scatter(
                    x=g["seq"],
                    y=best,
                    mode="lines+markers",
                    line_shape="hv",
                    name=f"{chart_text(label)}: best so far",
                    marker=dict(color=c, size=sizes, symbol=symbol),
                    line=dict(color=c, width=2.5, dash=_PLOTLY_DASHES[i % len(_PLOTLY_DASHES)]),
                )
            )
        fig.update_layout(
            xaxis_title="evaluation", yaxis_title=chart_text(data.metric), template="plotly_white", title="Best so far"
        )
        return fig
    fig, ax = _figure(ax, figsize)
    for i, (label, g) in enumerate(groups):
        c = PALETTE[i % len(PALETTE)]
        m = MARKERS[i % len(MARKERS)]
        ax.scatter(g["seq"], g["fitness"], s=10, alpha=0.4, color=c, marker=m, label=f"{label}: evaluations")
        best = g["best_so_far"].to_numpy(dtype=float)
        ax.step(
            g["seq"],
            best,
            where="post",
            color=c,
            lw=2,
            ls=DASHES[i % len(DASHES)],
            marker=m,
            markevery=_improvements(best),
            markersize=5,
            label=f"{label}: best so far",
        )
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


def plot_ecdf(
    data: Any, *, backend: str = "matplotlib", ax: Any = None, figsize: tuple = (6, 4), metric: str = "fitness"
):
    """Draw empirical CDFs of several searches on one axis (one step line per search, own dash pattern)."""
    check_choice(backend, _BACKENDS, "backend", "plot_ecdf")
    data = data if isinstance(data, ECDFData) else ecdf_data(data, metric=metric)
    groups = [(lbl, data.frame[data.frame["label"] == lbl]) for lbl in data.labels]
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure(
            [
                go.Scatter(
                    x=g["value"],
                    y=g["ecdf"],
                    mode="lines",
                    line_shape="hv",
                    name=chart_text(lbl),
                    line=dict(color=PALETTE[i % len(PALETTE)], dash=_PLOTLY_DASHES[i % len(_PLOTLY_DASHES)], width=2),
                )
                for i, (lbl, g) in enumerate(groups)
            ]
        )
        fig.update_layout(
            xaxis_title=chart_text(data.metric),
            yaxis_title="cumulative fraction",
            template="plotly_white",
            title="Empirical CDF",
        )
        return fig
    fig, ax = _figure(ax, figsize)
    for i, (lbl, g) in enumerate(groups):
        ax.step(
            g["value"],
            g["ecdf"],
            where="post",
            label=lbl,
            color=PALETTE[i % len(PALETTE)],
            lw=2,
            ls=DASHES[i % len(DASHES)],
        )
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
        raise ParameterError(
            "The 'runs' parameter of sample_count_data must be a non-empty dict "
            f"{{label: counts}}. Got {type(runs).__name__} instead."
        )
    counts, dists = [], []
    top = 0
    series = {str(k): _count_series(v) for k, v in runs.items()}
    for s in series.values():
        if len(s):
            top = max(top, int(s.max()))
    for label, s in series.items():
        counts.append(pd.DataFrame({"label": label, "individual": s.index, "count": s.to_numpy()}))
        hist = np.bincount(s.to_numpy(dtype=int), minlength=top + 1) if len(s) else np.zeros(top + 1, int)
        dists.append(
            pd.DataFrame(
                {
                    "label": label,
                    "times_sampled": np.arange(top + 1),
                    "individuals": hist,
                    "fraction": hist / max(len(s), 1),
                }
            )
        )
    return SampleCountData(pd.concat(counts, ignore_index=True), pd.concat(dists, ignore_index=True), list(series))


def plot_sample_counts(data: Any, *, backend: str = "matplotlib", ax: Any = None, figsize: tuple = (7, 4)):
    """Grouped bars: fraction of individuals sampled k times, one colour per run."""
    check_choice(backend, _BACKENDS, "backend", "plot_sample_counts")
    if not isinstance(data, (SampleCountData, Mapping)):
        data = {str(getattr(data, "name", None) or "search"): data}
    data = data if isinstance(data, SampleCountData) else sample_count_data(data)
    dist = data.distribution
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure(
            [
                go.Bar(
                    x=g["times_sampled"], y=g["fraction"], name=chart_text(lbl), marker_color=PALETTE[i % len(PALETTE)]
                )
                for i, (lbl, g) in enumerate((lbl, dist[dist["label"] == lbl]) for lbl in data.labels)
            ]
        )
        fig.update_layout(
            barmode="group",
            xaxis_title="times sampled before removal",
            yaxis_title="fraction of individuals",
            template="plotly_white",
            title="Sample counts",
        )
        return fig
    fig, ax = _figure(ax, figsize)
    k = len(data.labels)
    width = 0.8 / max(k, 1)
    for i, lbl in enumerate(data.labels):
        g = dist[dist["label"] == lbl]
        ax.bar(
            g["times_sampled"] + (i - (k - 1) / 2) * width,
            g["fraction"],
            width=width,
            label=lbl,
            color=PALETTE[i % len(PALETTE)],
        )
    ax.set_xlabel("times sampled before removal")
    ax.set_ylabel("fraction of individuals")
    ax.set_title("Sample counts")
    ax.legend()
    return fig


# ---------------------------------------------------------------- parallel coordinates
class ParallelData(NamedTuple):
    """One row per evaluation: the chosen genes / hyper-parameters and the metric.

    ``frame`` has one column per axis (``params`` then ``metric``); ``categories`` maps each
    categorical axis to its values in axis order.
    """

    frame: pd.DataFrame
    params: list
    metric: str
    categories: dict


def parallel_data(
    records: Any, *, params: Any = None, metric: str = "fitness", statuses: tuple = ("done",), max_axes: int = 12
) -> ParallelData:
    """Genes / hyper-parameters of every evaluation next to its ``metric``, for parallel coordinates.

    Parameters
    ----------
    records : Study, SearchHistory, DataFrame or list of records
        The evaluations. Genes are read from ``candidate_json`` / ``genome_json`` (schema v2
        studies) or a history's ``candidates``: a genome gives its hyper-parameter genes, its
        numbers of active layers and enabled connections and a count per layer type; a list
        candidate gives one axis per position; a dict candidate one per key. Scalar evaluator
        settings (``settings``) that vary between evaluations become axes too.
    params : list of str or dict, optional
        Axes to draw: column names (of the records or of the derived genes), or
        ``{name: function of a row}``. Default: every derived gene that varies (at most ``max_axes``).
    metric : str
        Column coloured and drawn on the last axis.
    statuses : tuple of str
        Which evaluations to keep.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"candidate_json": ['{"lr": 0.1, "opt": "adam"}', '{"lr": 0.01, "opt": "sgd"}'],
    ...                    "fitness": [0.8, 0.6]})
    >>> d = parallel_data(df)
    >>> d.params, d.categories
    (['lr', 'opt'], {'opt': ['adam', 'sgd']})
    """
    frame = as_frame(records, func="parallel_data")
    if not any(c in frame.columns for c in CANDIDATE_COLUMNS) and hasattr(records, "candidates"):
        frame["candidate_json"] = list(records.candidates)[: len(frame)]
    if metric not in frame.columns:
        raise ParameterError(
            f"The records given to parallel_data have no {metric!r} column (columns: {list(frame.columns)})."
        )
    frame = frame[frame["status"].isin(statuses)].reset_index(drop=True)
    genes = gene_frame(frame)
    table = pd.concat([frame, genes.drop(columns=[c for c in genes.columns if c in frame.columns])], axis=1)
    if params is None:
        names = [c for c in genes.columns if table[c].nunique(dropna=True) > 1][:max_axes]
        out = table[names].copy()
    elif isinstance(params, Mapping):
        out = pd.DataFrame({str(k): (table.apply(f, axis=1) if callable(f) else table[f]) for k, f in params.items()})
    else:
        missing = [p for p in params if p not in table.columns]
        if missing:
            raise ParameterError(
                f"parallel_data: no column or gene named {missing}; available: {sorted(map(str, table.columns))}."
            )
        out = table[list(params)].copy()
    out[metric] = pd.to_numeric(frame[metric], errors="coerce").to_numpy()
    out = out.dropna(subset=[metric]).reset_index(drop=True)
    categories = {}
    for col in out.columns[:-1]:
        numeric = pd.to_numeric(out[col], errors="coerce")
        if numeric.notna().sum() == out[col].notna().sum() and not out[col].map(lambda v: isinstance(v, bool)).any():
            out[col] = numeric.astype(float)
        else:
            out[col] = out[col].astype(str)
            categories[col] = sorted(out[col].unique().tolist(), key=natural_key)
    return ParallelData(out, [str(c) for c in out.columns[:-1]], metric, categories)


def _axis_values(data: ParallelData, col: str) -> tuple[np.ndarray, list, list]:
    """Values scaled to [0, 1] plus tick positions and labels of one axis."""
    v = data.frame[col]
    if col in data.categories:
        cats = data.categories[col]
        codes = v.map({c: i for i, c in enumerate(cats)}).to_numpy(dtype=float)
        span = float(max(len(cats) - 1, 1))
        return codes / span, [i / span for i in range(len(cats))], cats
    x = v.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(x)) if len(x) else 0.0, float(np.nanmax(x)) if len(x) else 1.0
    span = hi - lo if hi > lo else 1.0
    ticks = np.linspace(lo, hi, 3) if hi > lo else np.array([lo])
    return (x - lo) / span, [float((t - lo) / span) for t in ticks], [f"{t:.3g}" for t in ticks]


def plot_parallel_coordinates(
    data: Any,
    *,
    params: Any = None,
    metric: str = "fitness",
    backend: str = "matplotlib",
    ax: Any = None,
    figsize: tuple = (9, 4.5),
    cmap: str = "viridis",
):
    """Parallel coordinates over genes / hyper-parameters, one line per evaluation coloured by ``metric``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"candidate_json": ['{"lr": 0.1, "opt": "adam"}', '{"lr": 0.01, "opt": "sgd"}'],
    ...                    "fitness": [0.8, 0.6]})
    >>> [d.label for d in plot_parallel_coordinates(df, backend="plotly").data[0].dimensions]
    ['lr', 'opt', 'fitness']
    """
    check_choice(backend, _BACKENDS, "backend", "plot_parallel_coordinates")
    data = data if isinstance(data, ParallelData) else parallel_data(data, params=params, metric=metric)
    axes_names = data.params + [data.metric]
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        dims = []
        for col in axes_names:
            if col in data.categories:
                cats = data.categories[col]
                dims.append(
                    dict(
                        label=chart_text(col),
                        values=data.frame[col].map({c: i for i, c in enumerate(cats)}).tolist(),
                        tickvals=list(range(len(cats))),
                        ticktext=chart_texts(cats),
                    )
                )
            else:
                dims.append(dict(label=chart_text(col), values=data.frame[col].tolist()))
        fig = go.Figure(
            go.Parcoords(
                dimensions=dims,
                line=dict(
                    color=data.frame[data.metric].tolist(),
                    colorscale=cmap.capitalize(),
                    showscale=True,
                    colorbar=dict(title=chart_text(data.metric)),
                ),
            )
        )
        fig.update_layout(title="Parallel coordinates", template="plotly_white")
        return fig
    colors = require("matplotlib.colors", extra="viz", purpose="draw static charts")
    cm = require("matplotlib", extra="viz", purpose="draw static charts").colormaps[cmap]
    collections = require("matplotlib.collections", extra="viz", purpose="draw static charts")
    fig, ax = _figure(ax, figsize)
    scaled, ticks = [], []
    for col in axes_names:
        values, pos, labels = _axis_values(data, col)
        scaled.append(values)
        ticks.append((pos, labels))
    y = np.column_stack(scaled) if scaled else np.zeros((0, 0))
    x = np.arange(len(axes_names), dtype=float)
    m = data.frame[data.metric].to_numpy(dtype=float)
    norm = colors.Normalize(vmin=np.nanmin(m) if len(m) else 0.0, vmax=np.nanmax(m) if len(m) else 1.0)
    order = np.argsort(m)  # best drawn last (on top)
    lines = collections.LineCollection(
        [np.column_stack([x, y[i]]) for i in order], cmap=cm, norm=norm, linewidths=1.0, alpha=0.6, label="evaluations"
    )
    lines.set_array(m[order])
    ax.add_collection(lines)
    for i, (pos, labels) in enumerate(ticks):
        ax.axvline(i, color="#555555", lw=1, zorder=0)
        for p, t in zip(pos, labels):
            ax.text(
                i + 0.03,
                p,
                t,
                fontsize=7,
                va="center",
                ha="left",
                color="#333333",
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7),
            )
    ax.set_xlim(-0.2, len(axes_names) - 0.5)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xticks(x, axes_names, rotation=20, ha="right")
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.colorbar(lines, ax=ax, label=data.metric)
    ax.set_title("Parallel coordinates")
    return fig


# ---------------------------------------------------------------- timeline
class TimelineData(NamedTuple):
    """One bar per evaluation on the row of the engine that ran it.

    ``frame`` has columns ``engine, seq, status, start, finish, duration`` (seconds since the
    first start); ``engines`` orders the rows; ``utilisation`` is the busy share of
    ``len(engines) x makespan``; ``estimated`` says the bars were rebuilt from durations
    because the records have no ``started`` / ``finished`` times.
    """

    frame: pd.DataFrame
    engines: list
    utilisation: float
    estimated: bool


def _engine_labels(frame: pd.DataFrame) -> pd.Series:
    def present(col: str) -> bool:
        return col in frame.columns and frame[col].notna().any() and (frame[col].astype(str) != "").any()

    parts = []
    if present("engine_host"):
        parts.append(frame["engine_host"].fillna("?").astype(str))
    if present("engine_rank"):
        parts.append("rank " + frame["engine_rank"].map(lambda v: "?" if pd.isna(v) else str(int(v))))
    elif present("engine_pid"):
        parts.append("pid " + frame["engine_pid"].map(lambda v: "?" if pd.isna(v) else str(int(v))))
    if not parts and present("engine_id"):
        parts.append(frame["engine_id"].map(lambda v: "local" if pd.isna(v) else f"engine {v}"))
    if not parts:
        return pd.Series(["engine"] * len(frame), index=frame.index)
    out = parts[0]
    for p in parts[1:]:
        out = out + " / " + p
    return out


def _seconds(col: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(col):
        return (col - pd.Timestamp(0, tz=col.dt.tz)).dt.total_seconds().to_numpy(dtype=float)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def timeline_data(records: Any) -> TimelineData:
    """Evaluations per engine over time, from a study's ``started`` / ``finished`` / engine columns.

    Engines are named ``host / rank N`` (schema v2 ``engine_host``, ``engine_rank``), else
    ``host / pid N``, else ``engine <engine_id>``, else one row ``engine``. Without start and
    finish times, each engine's evaluations are laid end to end from ``wall_time`` or
    ``total_time`` (``estimated`` is then true).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"seq": [0, 1, 2], "engine_host": "n1", "engine_rank": [0, 1, 0],
    ...                    "started": [0.0, 0.0, 2.0], "finished": [2.0, 4.0, 4.0], "status": "done"})
    >>> t = timeline_data(df)
    >>> t.engines, round(t.utilisation, 2)
    (['n1 / rank 0', 'n1 / rank 1'], 1.0)
    """
    frame = as_frame(records, func="timeline_data")
    engine = _engine_labels(frame)
    estimated = not {"started", "finished"} <= set(frame.columns) or not (
        frame["started"].notna().any() and frame["finished"].notna().any()
    )
    if not estimated:
        start, finish = _seconds(frame["started"]), _seconds(frame["finished"])
    else:
        col = next((c for c in ("wall_time", "total_time") if c in frame.columns), None)
        if col is None:
            raise ParameterError(
                "timeline_data needs 'started' and 'finished' columns (a Study's records) or, "
                "to lay evaluations end to end, a 'wall_time' or 'total_time' column. "
                f"Got columns {list(frame.columns)}."
            )
        dur = pd.to_numeric(frame[col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        start, finish = np.zeros(len(frame)), np.zeros(len(frame))
        clock: dict[str, float] = {}
        for i, e in enumerate(engine):
            start[i] = clock.get(e, 0.0)
            finish[i] = start[i] + dur[i]
            clock[e] = finish[i]
    keep = np.isfinite(start) & np.isfinite(finish)
    t0 = float(np.nanmin(start[keep])) if keep.any() else 0.0
    out = pd.DataFrame(
        {
            "engine": engine.to_numpy()[keep],
            "seq": frame["seq"].to_numpy()[keep],
            "status": frame["status"].to_numpy()[keep],
            "start": start[keep] - t0,
            "finish": finish[keep] - t0,
        }
    )
    out["duration"] = (out["finish"] - out["start"]).clip(lower=0.0)
    engines = sorted(out["engine"].unique().tolist(), key=natural_key)
    span = float(out["finish"].max()) if len(out) else 0.0
    util = float(out["duration"].sum() / (len(engines) * span)) if span > 0 and engines else 0.0
    return TimelineData(out, engines, util, bool(estimated))


_STATUS_COLOURS = {"done": "#4e79a7", "failed": "#e15759", "invalid": "#bab0ac", "diverged": "#f28e2b"}


def plot_timeline(data: Any, *, backend: str = "matplotlib", ax: Any = None, figsize: tuple | None = None):
    """Gantt chart of evaluations: one row per engine, one bar per evaluation (batch vs asynchronous).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"seq": [0, 1], "engine_id": [0, 1], "started": [0.0, 1.0], "finished": [3.0, 2.0]})
    >>> fig = plot_timeline(df)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['engine 0', 'engine 1']
    """
    check_choice(backend, _BACKENDS, "backend", "plot_timeline")
    data = data if isinstance(data, TimelineData) else timeline_data(data)
    row = {e: i for i, e in enumerate(data.engines)}
    title = f"Evaluations per engine (busy {100 * data.utilisation:.0f}%" + (", estimated)" if data.estimated else ")")
    statuses = sorted(data.frame["status"].unique().tolist(), key=lambda s: (s != "done", str(s)))
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure()
        for status in statuses:
            g = data.frame[data.frame["status"] == status]
            fig.add_trace(
                go.Bar(
                    y=chart_texts(g["engine"]),
                    x=g["duration"],
                    base=g["start"],
                    orientation="h",
                    name=chart_text(status),
                    marker=dict(color=_STATUS_COLOURS.get(status, "#76b7b2"), line=dict(color="white", width=1)),
                    customdata=np.column_stack([g["seq"], g["start"], g["finish"]]),
                    hovertemplate="#%{customdata[0]}: %{customdata[1]:.2f} s → %{customdata[2]:.2f} s"
                    "<extra>" + chart_text(status) + "</extra>",
                )
            )
        fig.update_layout(
            title=title,
            barmode="overlay",
            template="plotly_white",
            xaxis_title="seconds since start",
            yaxis=dict(title="engine", categoryorder="array", categoryarray=chart_texts(data.engines[::-1])),
        )
        return fig
    fig, ax = _figure(ax, figsize or (8, 1.0 + 0.45 * max(len(data.engines), 1)))
    for status in statuses:
        g = data.frame[data.frame["status"] == status]
        ax.barh(
            [row[e] for e in g["engine"]],
            g["duration"],
            left=g["start"],
            height=0.7,
            color=_STATUS_COLOURS.get(status, "#76b7b2"),
            edgecolor="white",
            linewidth=0.8,
            label=str(status),
        )
    ax.set_yticks(range(len(data.engines)), data.engines)
    ax.set_ylim(len(data.engines) - 0.5, -0.5)
    ax.set_xlabel("seconds since start" + (" (laid end to end from durations)" if data.estimated else ""))
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="status")
    ax.grid(axis="x", alpha=0.3)
    return fig
