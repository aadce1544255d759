"""Simulated-time charts: best so far against simulated hours, and the per-worker timeline.

They draw what a :class:`~nasnb.executors.SimulatedExecutor` measured: how fast a search
improves with W workers, batch-synchronous or asynchronous (the question "how many GPUs is
this search worth?"), and where workers idle. Each chart is a ``*_data`` function returning
a small NamedTuple (what tests check) and a ``plot_*`` function drawing it with matplotlib.
Figures are :class:`matplotlib.figure.Figure` objects, not registered with pyplot (save
them with ``fig.savefig``; they are never shown by this module).

Examples
--------
>>> from nasnb.executors import simulate_schedule
>>> runs = {(f"W={w}", mode): simulate_schedule([1.0, 3.0, 1.0, 1.0, 2.0, 1.0], w, mode=mode)
...         for w in (1, 2) for mode in ("batch", "async")}
>>> data = best_vs_time_data(runs, fitness=[0.1, 0.5, 0.3, 0.6, 0.2, 0.9])
>>> data.frame.groupby("label")["time"].max().to_dict()
{'W=1 async': 9.0, 'W=1 batch': 9.0, 'W=2 async': 5.0, 'W=2 batch': 6.0}
>>> fig = plot_best_vs_time(data)
>>> [line.get_label() for line in fig.axes[0].get_lines()]
['W=1 batch', 'W=1 async', 'W=2 batch', 'W=2 async']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from nasnb._optional import require
from nasnb.exceptions import ParameterError

__all__ = ["BestVsTimeData", "best_vs_time_data", "plot_best_vs_time", "TimelineData", "timeline_data", "plot_timeline"]

_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f")
_DASHES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P")
_STATUS_COLOURS = {"done": "#4e79a7", "invalid": "#bab0ac", "failed": "#e15759", "diverged": "#f28e2b"}


def _figure(ax: Any, figsize: tuple):
    require("matplotlib", extra="viz", purpose="draw static charts")
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _curve(source: Any, fitness: Any, maximize: bool, label: str) -> pd.DataFrame:
    if hasattr(source, "best_so_far_vs_time"):
        return source.best_so_far_vs_time(fitness, maximize=maximize)
    if isinstance(source, pd.DataFrame) and {"time", "best_so_far"} <= set(source.columns):
        return source
    raise ParameterError(
        f"Curve {label!r} must be a SimulatedExecutor or the DataFrame of its "
        f"best_so_far_vs_time(); got {type(source).__name__}."
    )


class BestVsTimeData(NamedTuple):
    """Best-so-far curves against simulated time.

    ``frame`` has columns ``label, group, variant, time, hours, evaluations, best_so_far``;
    ``labels`` keeps the curves' order; ``groups``/``variants`` the distinct values in order
    (colour follows the group, dash and marker the variant).
    """

    frame: pd.DataFrame
    labels: list
    groups: list
    variants: list
    maximize: bool


def best_vs_time_data(curves: Mapping[Any, Any], *, fitness: Any = None, maximize: bool = True) -> BestVsTimeData:
    """Gather best-so-far vs simulated time of several runs.

    Parameters
    ----------
    curves : mapping
        ``{label: run}``, each run a :class:`~nasnb.executors.SimulatedExecutor` or the
        DataFrame of its ``best_so_far_vs_time()``. A label may be a ``(group, variant)``
        tuple, e.g. ``("W=64", "async")``: curves of one group share a colour and curves of
        one variant share a dash pattern and marker.
    fitness : optional
        Passed to each executor's ``best_so_far_vs_time`` (fitness per task in submission
        order, e.g. the same search's ``SearchHistory``); default: the evaluations' results.
    maximize : bool
        Larger fitness is better (default).
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ParameterError(
            f"The 'curves' parameter of best_vs_time_data must be a non-empty mapping "
            f"{{label: run}}. Got {type(curves).__name__} instead."
        )
    parts, labels, groups, variants = [], [], [], []
    for key, source in curves.items():
        group, variant = (str(key[0]), str(key[1])) if isinstance(key, tuple) and len(key) == 2 else (str(key), "")
        label = f"{group} {variant}".strip()
        curve = _curve(source, fitness, maximize, label)
        labels.append(label)
        if group not in groups:
            groups.append(group)
        if variant not in variants:
            variants.append(variant)
        time = curve["time"].to_numpy(dtype=float)
        parts.append(
            pd.DataFrame(
                {
                    "label": label,
                    "group": group,
                    "variant": variant,
                    "time": time,
                    "hours": time / 3600.0,
                    "evaluations": np.arange(1, len(curve) + 1, dtype=np.int64),
                    "best_so_far": curve["best_so_far"].to_numpy(dtype=float),
                }
            )
        )
    return BestVsTimeData(pd.concat(parts, ignore_index=True), labels, groups, variants, maximize)


def plot_best_vs_time(
    data: Any,
    *,
    unit: str = "auto",
    ax: Any = None,
    figsize: tuple = (7, 4),
    title: str = "Best so far against simulated time",
    logx: bool = False,
):
    """Best so far as a step line per run, against simulated time.

    Parameters
    ----------
    data : BestVsTimeData or mapping
        The output of :func:`best_vs_time_data`, or its ``curves`` argument.
    unit : {"auto", "s", "h"}
        Time axis unit; ``"auto"`` uses hours when the longest run exceeds two hours.
    ax : matplotlib Axes, optional
        Draw into it; by default a new :class:`~matplotlib.figure.Figure`.
    logx : bool
        Logarithmic time axis (useful when W spans 1 ... 1024).

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = data if isinstance(data, BestVsTimeData) else best_vs_time_data(data)
    if unit not in ("auto", "s", "h"):
        raise ParameterError(f"The 'unit' parameter of plot_best_vs_time must be 'auto', 's' or 'h'. Got {unit!r}.")
    hours = unit == "h" or (unit == "auto" and data.frame["time"].max() > 7200)
    column = "hours" if hours else "time"
    fig, ax = _figure(ax, figsize)
    for label in data.labels:
        g = data.frame[data.frame["label"] == label]
        gi, vi = data.groups.index(g["group"].iloc[0]), data.variants.index(g["variant"].iloc[0])
        x, y = g[column].to_numpy(), g["best_so_far"].to_numpy()
        ax.step(
            x,
            y,
            where="post",
            color=_COLOURS[gi % len(_COLOURS)],
            linestyle=_DASHES[vi % len(_DASHES)],
            marker=_MARKERS[vi % len(_MARKERS)],
            markevery=max(1, len(x) // 8),
            markersize=5,
            lw=1.8,
            label=label,
        )
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("simulated time (hours)" if hours else "simulated time (s)")
    ax.set_ylabel("best fitness so far" if data.maximize else "best (lowest) so far")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right" if data.maximize else "upper right", fontsize=8, ncol=2 if len(data.labels) > 6 else 1)
    return fig


class TimelineData(NamedTuple):
    """One bar per task: ``frame`` is the executor's timeline (``task, worker, start, end, status``,
    ...) restricted to the workers shown; ``workers`` is W, ``makespan`` the last end and
    ``efficiency`` busy worker-time / (W x makespan)."""

    frame: pd.DataFrame
    workers: int
    makespan: float
    efficiency: float


def timeline_data(source: Any, *, workers: int | None = None, max_workers: int = 64) -> TimelineData:
    """Per-worker timeline of a :class:`~nasnb.executors.SimulatedExecutor` (or its ``timeline()`` frame).

    ``workers`` is W when ``source`` is a frame (default: the highest worker id + 1);
    ``max_workers`` keeps the first workers only (bars for 1,024 workers are unreadable).

    Examples
    --------
    >>> from nasnb.executors import simulate_schedule
    >>> data = timeline_data(simulate_schedule([1.0, 4.0, 1.0, 1.0], 2, mode="batch"))
    >>> data.makespan, data.efficiency, data.frame["worker"].tolist()
    (5.0, 0.7, [0, 1, 0, 1])
    """
    frame = source.timeline() if hasattr(source, "timeline") else source
    if not isinstance(frame, pd.DataFrame) or not {"worker", "start", "end"} <= set(frame.columns):
        raise ParameterError(
            "timeline_data needs a SimulatedExecutor or a frame with worker/start/end columns; "
            f"got {type(source).__name__}."
        )
    if workers is None:
        workers = getattr(source, "workers", None) or (int(frame["worker"].max()) + 1 if len(frame) else 1)
    makespan = float(frame["end"].max()) if len(frame) else 0.0
    busy = float((frame["end"] - frame["start"]).sum())
    efficiency = busy / (workers * makespan) if makespan > 0 else float("nan")
    shown = frame[frame["worker"] < max_workers].reset_index(drop=True)
    return TimelineData(shown, int(workers), makespan, efficiency)


def plot_timeline(
    data: Any, *, unit: str = "auto", ax: Any = None, figsize: tuple | None = None, title: str | None = None
):
    """Gantt chart: one row per worker, one bar per task (coloured by status), idle time blank.

    Parameters
    ----------
    data : TimelineData, SimulatedExecutor or timeline frame
    unit : {"auto", "s", "h"}
        Time axis unit (``"auto"``: hours past two hours).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from nasnb.executors import simulate_schedule
    >>> fig = plot_timeline(simulate_schedule([1.0, 4.0, 1.0, 1.0], 2, mode="async"))
    >>> fig.axes[0].get_ylabel(), len(fig.axes[0].collections)
    ('worker', 2)
    """
    data = data if isinstance(data, TimelineData) else timeline_data(data)
    if unit not in ("auto", "s", "h"):
        raise ParameterError(f"The 'unit' parameter of plot_timeline must be 'auto', 's' or 'h'. Got {unit!r}.")
    hours = unit == "h" or (unit == "auto" and data.makespan > 7200)
    scale = 3600.0 if hours else 1.0
    frame = data.frame
    rows = int(frame["worker"].max()) + 1 if len(frame) else 1
    if figsize is None:
        figsize = (8, min(2.0 + 0.22 * rows, 9.0))
    fig, ax = _figure(ax, figsize)
    statuses = frame["status"] if "status" in frame.columns else pd.Series(["done"] * len(frame))
    for worker, g in frame.groupby("worker", sort=True):
        spans = list(zip(g["start"] / scale, (g["end"] - g["start"]) / scale))
        colours = [_STATUS_COLOURS.get(s, "#4e79a7") for s in statuses.loc[g.index]]
        ax.broken_barh(spans, (worker - 0.4, 0.8), facecolors=colours, edgecolors="white", linewidth=0.5)
    ax.set_xlim(0, max(data.makespan / scale, 1e-12))
    ax.set_ylim(rows - 0.5, -0.5)
    if rows <= 16:
        ax.set_yticks(range(rows))
    ax.set_xlabel("simulated time (hours)" if hours else "simulated time (s)")
    ax.set_ylabel("worker")
    shown = "" if rows >= data.workers else f", first {rows} of {data.workers} workers"
    ax.set_title(title or f"Per-worker timeline (W = {data.workers}, efficiency {data.efficiency:.2f}{shown})")
    return fig
