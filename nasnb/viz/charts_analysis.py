"""Analysis charts: Kendall tau heatmaps (Figs. 4.4, 5.6, 5.7), original vs perturbed Rastrigin
surfaces (Figs. 4.6, 5.4), fitness by gene value (Figs. 7.5, 7.6), parameters vs fitness (7.7, 7.8).

As in :mod:`nasnb.viz.charts_search`, each chart is a ``*_data`` function returning a
NamedTuple and a ``plot_*`` function with ``backend="matplotlib"`` (static) or ``"plotly"``.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame([[1.0, 0.6], [0.6, 1.0]], index=["a", "b"], columns=["a", "b"])
>>> fig = plot_tau_heatmap(m, backend="plotly")
>>> fig.data[0].type, fig.data[0].zmin, fig.data[0].zmax
('heatmap', -1, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from nasnb._optional import require
from nasnb._validation import check_choice
from nasnb.exceptions import ParameterError
from nasnb.viz._graph_draw import new_figure
from nasnb.viz._records import as_frame, natural_key
from nasnb.viz._text import chart_text, chart_texts

__all__ = [
    "TauHeatmapData",
    "tau_heatmap_data",
    "plot_tau_heatmap",
    "SurfaceData",
    "surface_data",
    "plot_surfaces",
    "GeneBoxData",
    "gene_box_data",
    "plot_gene_boxes",
    "ParamsFitnessData",
    "params_fitness_data",
    "plot_params_fitness",
]

_BACKENDS = ("matplotlib", "plotly")


def _figure(ax: Any, figsize: tuple, ncols: int = 1):
    """``(figure, axes)``: a new figure pyplot does not track (shown once in a notebook), or ``ax``'s."""
    if ax is None:
        fig = new_figure(figsize)
        fig.set_layout_engine("constrained")  # nothing clipped at the figure's edges
        return fig, (fig.add_subplot() if ncols == 1 else fig.subplots(1, ncols))
    return ax.figure, ax


class TauHeatmapData(NamedTuple):
    """A rank-correlation matrix (rows x columns of setups) and its title."""

    matrix: pd.DataFrame
    title: str


def tau_heatmap_data(records: pd.DataFrame, *, title: str = "Kendall tau", **tau_kwargs: Any) -> TauHeatmapData:
    """A tau matrix (square or setups x references), or one computed from long records.

    Rows and columns are put in natural order (``"Adam 2"`` before ``"Adam 10"``, numbers
    numerically), whatever order the setups were recorded in. Long records (columns ``arch, setup, score``) go
    through :func:`nasnb.analysis.tau_matrix`
    with ``tau_kwargs`` (``decimals``, ``reference``, ``top_fraction``, ``method``, column names).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"arch": [0, 1, 2] * 2, "setup": ["a"] * 3 + ["b"] * 3,
    ...                      "score": [0.1, 0.2, 0.3, 0.1, 0.3, 0.2]})
    >>> tau_heatmap_data(long).matrix.round(3).values.tolist()
    [[1.0, 0.333], [0.333, 1.0]]
    """
    if not isinstance(records, pd.DataFrame):
        raise ParameterError(
            f"The 'records' parameter of tau_heatmap_data must be a DataFrame. Got {type(records).__name__} instead."
        )
    cols = (tau_kwargs.get("arch", "arch"), tau_kwargs.get("setup", "setup"), tau_kwargs.get("score", "score"))
    if all(c in records.columns for c in cols):
        from nasnb.analysis import tau_matrix

        return TauHeatmapData(_natural_order(tau_matrix(records, **tau_kwargs)), title)
    if tau_kwargs:
        raise ParameterError(
            f"tau_heatmap_data got options {sorted(tau_kwargs)} but the records are already a "
            "matrix (no arch/setup/score columns)."
        )
    return TauHeatmapData(_natural_order(records.astype(float)), title)


def _natural_order(m: pd.DataFrame) -> pd.DataFrame:
    """``m`` with rows and columns sorted by :func:`~nasnb.viz._records.natural_key`."""
    return m.loc[sorted(m.index, key=natural_key), sorted(m.columns, key=natural_key)]


def plot_tau_heatmap(
    data: Any, *, backend: str = "matplotlib", ax: Any = None, figsize: tuple = (6, 5), annotate: bool = True
):
    """Heatmap of a tau matrix on a fixed [-1, 1] diverging colour scale, values written in cells."""
    check_choice(backend, _BACKENDS, "backend", "plot_tau_heatmap")
    data = data if isinstance(data, TauHeatmapData) else tau_heatmap_data(data)
    m = data.matrix
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure(
            go.Heatmap(
                z=m.values,
                x=chart_texts(m.columns),
                y=chart_texts(m.index),
                zmin=-1,
                zmax=1,
                colorscale="RdBu",
                colorbar=dict(title="tau"),
                text=np.round(m.values, 3) if annotate else None,
                texttemplate="%{text}" if annotate else None,
            )
        )
        fig.update_layout(
            title=chart_text(data.title),
            xaxis_title=chart_text(m.columns.name or ""),
            yaxis_title=chart_text(m.index.name or ""),
            yaxis_autorange="reversed",
            template="plotly_white",
        )
        return fig
    sns = require("seaborn", extra="viz", purpose="draw static heatmaps")
    fig, ax = _figure(ax, figsize)
    size = float(np.clip(150.0 / max(m.shape), 8, 11))  # readable numbers, smaller only for big matrices
    sns.heatmap(
        m,
        vmin=-1,
        vmax=1,
        cmap="RdBu",
        annot=annotate,
        fmt=".2f",
        ax=ax,
        cbar_kws={"label": "tau"},
        annot_kws={"fontsize": size},
    )
    undefined = ~np.isfinite(m.to_numpy(dtype=float))
    title = data.title
    if undefined.any():  # say what an empty cell means instead of leaving a blank row
        ax.set_facecolor("#d9d9d9")
        if annotate:
            for i, j in zip(*np.nonzero(undefined)):
                ax.text(j + 0.5, i + 0.5, "n/a", ha="center", va="center", fontsize=size, color="#555")
        title += "\n(n/a: tau undefined, a ranking whose scores are all tied)"
    ax.set_title(title)
    ax.tick_params(labelsize=max(size, 8))
    return fig


class SurfaceData(NamedTuple):
    """A 2-d score grid next to its perturbed copy (``tau`` = their Kendall tau-b)."""

    original: np.ndarray
    perturbed: np.ndarray
    tau: float
    extent: tuple


def surface_data(
    original: Any = None,
    perturbed: Any = None,
    *,
    target_tau: float | None = None,
    resolution: int = 100,
    seed: Any = None,
    extent: tuple = (-5.12, 5.12),
) -> SurfaceData:
    """Original vs perturbed 2-d surfaces; defaults to Rastrigin on a ``resolution`` mesh.

    Without ``perturbed``, a copy at ``target_tau`` is made with
    :func:`nasnb.analysis.perturb_to_tau` (seeded).

    Examples
    --------
    >>> s = surface_data(resolution=30, target_tau=0.75, seed=0)
    >>> s.original.shape, abs(s.tau - 0.75) < 0.02
    ((30, 30), True)
    """
    from scipy import stats

    from nasnb import analysis

    grid = analysis.rastrigin_grid(2, resolution) if original is None else np.asarray(original, dtype=float)
    if grid.ndim != 2:
        raise ParameterError(f"The 'original' parameter of surface_data must be a 2-d grid. Got shape {grid.shape}.")
    if perturbed is None:
        if target_tau is None:
            raise ParameterError("surface_data needs either 'perturbed' or 'target_tau'.")
        space = analysis.perturb_to_tau(grid, target_tau, seed=seed)
        noisy, tau = np.asarray(space.values, dtype=float), float(space.tau)
    else:
        noisy = np.asarray(perturbed, dtype=float)
        if noisy.shape != grid.shape:
            raise ParameterError(f"'perturbed' has shape {noisy.shape}, 'original' {grid.shape}; they must match.")
        tau = float(stats.kendalltau(grid.ravel(), noisy.ravel()).statistic)
    return SurfaceData(grid, noisy, tau, tuple(extent))


def plot_surfaces(data: SurfaceData, *, backend: str = "matplotlib", kind: str = "image", figsize: tuple = (10, 4.5)):
    """Original and perturbed surfaces side by side (``kind`` "image" or "surface" for plotly 3-d)."""
    check_choice(backend, _BACKENDS, "backend", "plot_surfaces")
    check_choice(kind, ("image", "surface"), "kind", "plot_surfaces")
    titles = ("original", f"perturbed (tau = {data.tau:.3f})")
    lo, hi = data.extent
    axis = np.linspace(lo, hi, data.original.shape[0])
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        subplots = require("plotly.subplots", extra="viz", purpose="draw interactive charts")
        spec = {"type": "surface"} if kind == "surface" else {}
        fig = subplots.make_subplots(rows=1, cols=2, subplot_titles=titles, specs=[[spec, spec]])
        for col, z in ((1, data.original), (2, data.perturbed)):
            trace = (
                go.Surface(z=z, x=axis, y=axis, name=titles[col - 1], showscale=col == 2)
                if kind == "surface"
                else go.Heatmap(z=z, x=axis, y=axis, name=titles[col - 1], colorscale="Viridis", showscale=col == 2)
            )
            fig.add_trace(trace, row=1, col=col)
        fig.update_layout(title="Rastrigin surface", template="plotly_white")
        if kind == "image":
            fig.update_xaxes(title_text="x1")
            fig.update_yaxes(title_text="x2")
        return fig
    fig, axes = _figure(None, figsize, ncols=2)
    vmin = min(data.original.min(), data.perturbed.min())
    vmax = max(data.original.max(), data.perturbed.max())
    for ax, z, t in zip(axes, (data.original, data.perturbed), titles):
        im = ax.imshow(z, origin="lower", extent=(lo, hi, lo, hi), cmap="viridis", vmin=vmin, vmax=vmax)
        ax.set_title(t)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="value")
    return fig


class GeneBoxData(NamedTuple):
    """Fitness grouped by one gene's value: ``frame`` (value, fitness), ``order`` of the groups."""

    frame: pd.DataFrame
    gene: str
    order: list
    metric: str


def gene_box_data(
    records: Any,
    gene: str | Callable[[pd.Series], Any],
    *,
    metric: str = "fitness",
    name: str | None = None,
    statuses: tuple = ("done",),
) -> GeneBoxData:
    """Group the ``metric`` of evaluations by a gene's value (a column, or a function of a row).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"readout": ["max", "mean", "max"], "fitness": [0.9, 0.7, 0.8]})
    >>> d = gene_box_data(df, "readout")
    >>> d.order, d.frame.groupby("value")["fitness"].mean().round(2).to_dict()
    (['max', 'mean'], {'max': 0.85, 'mean': 0.7})
    """
    frame = as_frame(records, func="gene_box_data")
    frame = frame[frame["status"].isin(statuses)]
    if callable(gene):
        values = frame.apply(gene, axis=1)
        gene_name = name or getattr(gene, "__name__", "gene")
    else:
        if gene not in frame.columns:
            raise ParameterError(
                f"The 'gene' parameter of gene_box_data names column {gene!r}, which the records "
                f"lack (columns: {list(frame.columns)})."
            )
        values, gene_name = frame[gene], name or gene
    out = pd.DataFrame({"value": values.to_numpy(), "fitness": pd.to_numeric(frame[metric]).to_numpy()}).dropna()
    order = sorted(out["value"].unique().tolist(), key=lambda v: (str(type(v)), v))
    return GeneBoxData(out, str(gene_name), order, metric)


def plot_gene_boxes(
    data: Any,
    *,
    gene: Any = None,
    metric: str = "fitness",
    backend: str = "matplotlib",
    ax: Any = None,
    figsize: tuple = (6, 4),
):
    """One box of fitness per gene value (seaborn ``boxplot`` or one plotly ``Box`` per value).

    ``data`` is a :class:`GeneBoxData` or records (Study, SearchHistory, DataFrame) together with
    ``gene`` (a column or a function of a row, see :func:`gene_box_data`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"readout": ["max", "mean", "max"], "fitness": [0.9, 0.7, 0.8]})
    >>> [t.name for t in plot_gene_boxes(df, gene="readout", backend="plotly").data]
    ['max', 'mean']
    """
    check_choice(backend, _BACKENDS, "backend", "plot_gene_boxes")
    if not isinstance(data, GeneBoxData):
        if gene is None:
            raise ParameterError(
                "plot_gene_boxes needs 'gene' (a column or a function of a row) when 'data' "
                "is records rather than GeneBoxData."
            )
        data = gene_box_data(data, gene, metric=metric)
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure(
            [
                go.Box(
                    y=data.frame.loc[data.frame["value"] == v, "fitness"],
                    name=chart_text(v),
                    boxpoints="all",
                    jitter=0.3,
                )
                for v in data.order
            ]
        )
        fig.update_layout(
            xaxis_title=chart_text(data.gene),
            yaxis_title=chart_text(data.metric),
            showlegend=False,
            template="plotly_white",
        )
        return fig
    sns = require("seaborn", extra="viz", purpose="draw static box plots")
    fig, ax = _figure(ax, figsize)
    frame = data.frame.assign(value=data.frame["value"].astype(str))
    sns.boxplot(data=frame, x="value", y="fitness", order=[str(v) for v in data.order], ax=ax, color="#a0cbe8")
    sns.stripplot(
        data=frame, x="value", y="fitness", order=[str(v) for v in data.order], ax=ax, color="#333", size=3, alpha=0.5
    )
    ax.set_xlabel(data.gene)
    ax.set_ylabel(data.metric)
    return fig


class ParamsFitnessData(NamedTuple):
    """Parameter counts vs fitness: ``frame`` (params, fitness, hue)."""

    frame: pd.DataFrame
    metric: str
    hue: str | None


def params_fitness_data(
    records: Any,
    *,
    params: str | Callable[[pd.Series], float] = "num_parameters",
    metric: str = "fitness",
    hue: str | None = None,
    statuses: tuple = ("done",),
) -> ParamsFitnessData:
    """Number of parameters (a column, a key of the ``metrics`` JSON, or a function of a row) vs fitness.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"metrics": ['{"num_parameters": 10}', '{"num_parameters": 30}'], "fitness": [0.5, 0.8]})
    >>> params_fitness_data(df).frame["params"].tolist()
    [10.0, 30.0]
    """
    from nasnb.viz._records import metrics_of_row

    frame = as_frame(records, func="params_fitness_data")
    frame = frame[frame["status"].isin(statuses)]
    if callable(params):
        counts = frame.apply(params, axis=1)
    elif params in frame.columns:
        counts = frame[params]
    elif f"metrics.{params}" in frame.columns:  # Study.to_dataframe() spreads metrics out
        counts = frame[f"metrics.{params}"]
    else:
        counts = frame.apply(lambda r: metrics_of_row(r).get(params, np.nan), axis=1)
    out = pd.DataFrame(
        {
            "params": pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float),
            "fitness": pd.to_numeric(frame[metric], errors="coerce").to_numpy(dtype=float),
        }
    )
    if hue is not None:
        out["hue"] = frame[hue].astype(str).to_numpy()
    return ParamsFitnessData(out.dropna(subset=["params", "fitness"]).reset_index(drop=True), metric, hue)


def plot_params_fitness(
    data: Any,
    *,
    params: Any = "num_parameters",
    metric: str = "fitness",
    hue: str | None = None,
    backend: str = "matplotlib",
    ax: Any = None,
    figsize: tuple = (6, 4),
    logx: bool = True,
):
    """Scatter of parameter count (log x by default) against fitness, coloured by ``hue``.

    ``data`` is a :class:`ParamsFitnessData` or records (``params``, ``metric`` and ``hue`` are
    then passed to :func:`params_fitness_data`).
    """
    check_choice(backend, _BACKENDS, "backend", "plot_params_fitness")
    if not isinstance(data, ParamsFitnessData):
        data = params_fitness_data(data, params=params, metric=metric, hue=hue)
    groups = (
        [(str(h), g) for h, g in data.frame.groupby("hue", sort=True)] if data.hue else [("architectures", data.frame)]
    )
    if backend == "plotly":
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        fig = go.Figure(
            [go.Scatter(x=g["params"], y=g["fitness"], mode="markers", name=chart_text(h)) for h, g in groups]
        )
        fig.update_layout(
            xaxis_title="parameters",
            yaxis_title=chart_text(data.metric),
            template="plotly_white",
            xaxis_type="log" if logx else "linear",
        )
        return fig
    fig, ax = _figure(ax, figsize)
    for h, g in groups:
        ax.scatter(g["params"], g["fitness"], s=14, alpha=0.7, label=h)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("parameters")
    ax.set_ylabel(data.metric)
    if data.hue:
        ax.legend(title=data.hue)
    return fig
