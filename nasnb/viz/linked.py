"""Interactive charts whose points know their evaluation: progress, ECDF, parameters vs fitness.

Each ``*_figure`` function returns a plotly figure (axes, legend, hover, zoom) in which every
point carries the position of its row in the record frame as ``customdata``; wrap it in a
:class:`~nasnb.viz.chart_view.ChartView` (:func:`nasnb.viz._widget_base.figure_widget`) and :func:`on_point_click`
calls back with that row, which is how :class:`~nasnb.viz.study_explorer.StudyExplorer`
shows the architecture of a clicked point. Searches are told apart by colour *and* marker
symbol / line dash, so overlapping curves stay readable in grey print.

Several searches are compared by passing ``{label: records}``; :func:`combine_records` turns
that into one frame with a ``label`` column (rows keep their order).

Examples
--------
>>> import pandas as pd
>>> frame = combine_records({"evolution": pd.DataFrame({"fitness": [0.2, 0.5, 0.4]}),
...                          "random": pd.DataFrame({"fitness": [0.3, 0.1]})})
>>> frame[["label", "seq"]].values.tolist()
[['evolution', 0], ['evolution', 1], ['evolution', 2], ['random', 0], ['random', 1]]
>>> fig = progress_figure(frame)
>>> [t.name for t in fig.data]
['evolution', 'evolution: best so far', 'random', 'random: best so far']
>>> fig.data[2].customdata.ravel().tolist()  # rows of the random search's points
[3, 4]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from nasnb._optional import require
from nasnb.exceptions import NasnbError, ParameterError
from nasnb.viz._records import as_frame, metrics_of_row
from nasnb.viz._text import chart_text, chart_texts

__all__ = [
    "combine_records",
    "progress_figure",
    "ecdf_figure",
    "params_fitness_figure",
    "parameter_counts",
    "on_point_click",
    "PALETTE",
    "SYMBOLS",
    "DASHES",
]

logger = logging.getLogger(__name__)

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2")
SYMBOLS = ("circle", "diamond", "square", "triangle-up", "cross", "x")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
_PARAM_COLUMNS = ("num_parameters", "parameters", "metrics.num_parameters", "metrics.parameters")


def combine_records(records: Any, *, func: str = "combine_records") -> pd.DataFrame:
    """One record frame with a ``label`` column from records or ``{label: records}``.

    A single study keeps its own ``label`` column, else is labelled by its ``name``
    attribute (or ``"search"``). The index is reset, so a row's position is its key.
    """
    if isinstance(records, Mapping):
        if not records:
            raise ParameterError(f"The 'records' parameter of {func} is an empty dict; give at least one search.")
        parts = []
        for label, value in records.items():
            frame = _with_candidates(value, as_frame(value, func=func))
            parts.append(frame.assign(label=str(label)))
        return pd.concat(parts, ignore_index=True)
    if isinstance(records, pd.DataFrame) and {"label", "seq", "status"} <= set(records.columns):
        return records.reset_index(drop=True)  # already combined: keep the searches' order
    frame = _with_candidates(records, as_frame(records, func=func))
    if "label" not in frame.columns:
        frame = frame.assign(label=str(getattr(records, "name", None) or "search"))
    return frame.reset_index(drop=True)


def _with_candidates(records: Any, frame: pd.DataFrame) -> pd.DataFrame:
    from nasnb.viz.genome import with_candidates

    return with_candidates(records, frame)


def _go():
    return require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")


def _style(fig: Any, xaxis: str, yaxis: str, title: str) -> Any:
    fig.update_layout(
        template="plotly_white",
        title=chart_text(title),
        xaxis_title=chart_text(xaxis),
        yaxis_title=chart_text(yaxis),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),
        clickmode="event",
        margin=dict(l=60, r=20, t=50, b=40),
        height=400,
        hovermode="closest",
    )
    return fig


def _groups(frame: pd.DataFrame) -> list[tuple[int, str, pd.DataFrame]]:
    labels = list(pd.unique(frame["label"])) if "label" in frame.columns else ["search"]
    if "label" not in frame.columns:
        return [(0, "search", frame)]
    return [(i, chart_text(lbl), frame[frame["label"] == lbl]) for i, lbl in enumerate(labels)]


def _hover(g: pd.DataFrame, metric: str) -> list[str]:
    metric = chart_text(metric)
    return [
        f"#{int(s)} {metric}={f:.4f} [{st}]" if np.isfinite(f) else f"#{int(s)} [{st}]"
        for s, f, st in zip(g["seq"], pd.to_numeric(g[metric], errors="coerce"), chart_texts(g["status"]))
    ]


def progress_figure(records: Any, *, metric: str = "fitness", maximize: bool = True):
    """Every evaluation as a point (click: its row) and the best so far as steps, per search.

    Parameters
    ----------
    records : DataFrame, Study, SearchHistory or dict of them
        The evaluations (see :func:`combine_records`).
    metric : str
        Column on the y axis.
    maximize : bool
        Whether the best so far is the running maximum (else the minimum).
    """
    go = _go()
    frame = records if isinstance(records, pd.DataFrame) and "label" in records.columns else combine_records(records)
    if metric not in frame.columns:
        raise ParameterError(f"The records have no {metric!r} column (columns: {list(frame.columns)}).")
    fig = go.Figure()
    for i, label, g in _groups(frame):
        colour, y = PALETTE[i % len(PALETTE)], pd.to_numeric(g[metric], errors="coerce").to_numpy(dtype=float)
        fill = np.where(np.isfinite(y), y, -np.inf if maximize else np.inf)
        best = np.maximum.accumulate(fill) if maximize else np.minimum.accumulate(fill)
        best = np.where(np.isfinite(best), best, np.nan)
        fig.add_trace(
            go.Scatter(
                x=g["seq"],
                y=y,
                mode="markers",
                name=label,
                legendgroup=label,
                marker=dict(color=colour, size=7, opacity=0.6, symbol=SYMBOLS[i % len(SYMBOLS)]),
                customdata=g.index.to_numpy().reshape(-1, 1),
                text=_hover(g, metric),
                hovertemplate="%{text}<extra>" + label + "</extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=g["seq"],
                y=best,
                mode="lines",
                line_shape="hv",
                name=f"{label}: best so far",
                legendgroup=label,
                hoverinfo="skip",
                line=dict(color=colour, width=2.5, dash=DASHES[i % len(DASHES)]),
            )
        )
    return _style(fig, "evaluation", metric, f"Best {metric} so far (click a point to inspect it)")


def ecdf_figure(records: Any, *, metric: str = "fitness", statuses: tuple = ("done",)):
    """Empirical CDF of ``metric`` per search (thesis Fig. 6.4); every step point is clickable."""
    go = _go()
    frame = records if isinstance(records, pd.DataFrame) and "label" in records.columns else combine_records(records)
    fig = go.Figure()
    for i, label, g in _groups(frame):
        g = g[g["status"].isin(statuses)]
        y = pd.to_numeric(g[metric], errors="coerce")
        g = g[np.isfinite(y.to_numpy(dtype=float))]
        order = np.argsort(pd.to_numeric(g[metric]).to_numpy(dtype=float), kind="stable")
        g = g.iloc[order]
        values = pd.to_numeric(g[metric]).to_numpy(dtype=float)
        cdf = np.arange(1, len(values) + 1) / max(len(values), 1)
        fig.add_trace(
            go.Scatter(
                x=values,
                y=cdf,
                mode="lines+markers",
                line_shape="hv",
                name=label,
                line=dict(color=PALETTE[i % len(PALETTE)], dash=DASHES[i % len(DASHES)]),
                marker=dict(size=6, symbol=SYMBOLS[i % len(SYMBOLS)]),
                customdata=g.index.to_numpy().reshape(-1, 1),
                text=_hover(g, metric),
                hovertemplate="%{text}<br>share ≤ x: %{y:.2f}<extra>" + label + "</extra>",
            )
        )
    fig.update_yaxes(range=[0, 1.02])
    return _style(fig, metric, "share of evaluations ≤ x", f"Empirical CDF of {metric}")


def parameter_counts(
    frame: pd.DataFrame,
    *,
    params: str | Callable[[pd.Series], float] | None = None,
    descriptors: Any = None,
    input_shape: tuple = (1, 8, 8),
    num_outputs: int = 10,
    space: Any = None,
    **build_kwargs: Any,
) -> np.ndarray:
    """Parameter count of each row: a column, a ``metrics`` key, a function, or built networks.

    Without ``params``, the first of the columns ``num_parameters``, ``parameters``,
    ``metrics.num_parameters``, ``metrics.parameters`` (or a ``num_parameters`` key of the
    ``metrics`` JSON) is used; otherwise every architecture (``descriptors``, default the
    rows' ``descriptor_json``) is built for ``input_shape`` / ``num_outputs`` (digits by
    default) and counted (NaN where it cannot be built). With a search ``space``, the rows'
    stored candidates (``candidate_json``, e.g. genomes) are decoded by it first.
    ``build_kwargs`` (``fixed_channels``, ``merge``, ``head``) go to ``build_network``.
    """
    if callable(params):
        return pd.to_numeric(frame.apply(params, axis=1), errors="coerce").to_numpy(dtype=float)
    names = (params,) if params is not None else _PARAM_COLUMNS
    for name in names:
        if name in frame.columns:
            return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
    if params is None and "metrics" in frame.columns:
        values = [metrics_of_row(r).get("num_parameters") for _, r in frame.iterrows()]
        if any(v is not None for v in values):
            return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    if params is not None:
        raise ParameterError(f"The records have no {params!r} column (columns: {list(frame.columns)}).")
    from nasnb.builders import build_network
    from nasnb.viz._records import as_descriptor

    sources = list(descriptors) if descriptors is not None else list(frame.get("descriptor_json", [None] * len(frame)))
    if descriptors is None and space is not None and "candidate_json" in frame.columns:
        sources = [_decode(space, c) if isinstance(c, str) else s for c, s in zip(frame["candidate_json"], sources)]
    cache: dict[str, float] = {}
    out = np.full(len(frame), np.nan)
    for i, src in enumerate(sources):
        if src is None or (isinstance(src, float) and src != src):
            continue
        try:
            d = as_descriptor(src, func="parameter_counts")
            key = d.canonical_hash()
            if key not in cache:
                cache[key] = float(build_network(d, input_shape, num_outputs, **build_kwargs).num_parameters())
            out[i] = cache[key]
        except (NasnbError, ValueError, RuntimeError) as exc:
            logger.debug("parameter_counts cannot build row %d: %s", i, exc)
    return out


def _decode(space: Any, text: str) -> Any:
    import json

    try:
        return space.to_descriptor(space.candidate_from_json(json.loads(text)))
    except (NasnbError, ValueError, KeyError, TypeError) as exc:
        logger.debug("parameter_counts cannot decode a candidate: %s", exc)
        return None


def params_fitness_figure(
    records: Any, *, metric: str = "fitness", counts: Any = None, logx: bool = True, **count_kwargs: Any
):
    """Parameters (log x) against ``metric``, per search; every point is clickable.

    ``counts`` gives the parameter count of each row; by default :func:`parameter_counts`
    finds them (``count_kwargs`` are passed to it).
    """
    go = _go()
    frame = records if isinstance(records, pd.DataFrame) and "label" in records.columns else combine_records(records)
    counts = parameter_counts(frame, **count_kwargs) if counts is None else np.asarray(counts, dtype=float)
    if len(counts) != len(frame):
        raise ParameterError(f"The 'counts' parameter has {len(counts)} entries for {len(frame)} records.")
    fig = go.Figure()
    for i, label, g in _groups(frame):
        x = counts[g.index.to_numpy()]
        y = pd.to_numeric(g[metric], errors="coerce").to_numpy(dtype=float)
        keep = np.isfinite(x) & np.isfinite(y)
        g = g[keep]
        fig.add_trace(
            go.Scatter(
                x=x[keep],
                y=y[keep],
                mode="markers",
                name=label,
                marker=dict(color=PALETTE[i % len(PALETTE)], size=8, opacity=0.75, symbol=SYMBOLS[i % len(SYMBOLS)]),
                customdata=g.index.to_numpy().reshape(-1, 1),
                text=_hover(g, metric),
                hovertemplate="%{text}<br>%{x:,.0f} parameters<extra>" + label + "</extra>",
            )
        )
    fig.update_xaxes(type="log" if logx else "linear")
    return _style(fig, "parameters", metric, f"Parameters vs {metric}")


def on_point_click(figure_widget: Any, callback: Callable[[int], None]) -> None:
    """Call ``callback(row)`` when a point with a row ``customdata`` is clicked in ``figure_widget``.

    ``figure_widget`` is a :class:`~nasnb.viz.chart_view.ChartView` (see
    :func:`nasnb.viz._widget_base.figure_widget`).
    """

    def handler(trace_index: int, point: int) -> None:
        traces = figure_widget.data
        if not (0 <= trace_index < len(traces)) or traces[trace_index].customdata is None:
            return
        custom = np.asarray(traces[trace_index].customdata)
        if 0 <= point < len(custom):
            callback(int(np.ravel(custom[point])[0]))

    figure_widget.on_click(handler)
