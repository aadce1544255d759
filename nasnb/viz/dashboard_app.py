"""Study browser served outside the notebook kernel: ``nasnb dashboard STORE`` (Voilà).

:class:`StudyBrowser` is one ipywidgets app over an experiment store opened **read-only**:
a study chooser (several studies side by side), a sortable and filterable table of
evaluations (study, seq, status, fitness, seed, engine, times ...), the
:class:`~nasnb.viz.study_explorer.StudyExplorer` (best so far per study, ECDF; click a point →
its architecture), and the engine timeline of :func:`~nasnb.viz.charts_search.plot_timeline`.
It polls the store every few seconds and redraws when a search has written new rows.

:func:`serve` writes a one-cell notebook that shows the browser and hands it to
`Voilà <https://voila.readthedocs.io>`_, which runs it in its own kernel and serves only the
widgets (no code, no Jupyter UI) on ``127.0.0.1`` by default. Voilà was chosen because it
renders nasnb's own widgets unchanged (the explorer, the inspector, the anywidget drawings),
serves every script itself (no CDN: it works offline) and is a dependency already.

The data-gathering half (:func:`gather`, :func:`table_rows`, :func:`space_of_config`) needs
no widgets and is what the unit tests check.

Examples
--------
>>> from nasnb.store import ExperimentStore
>>> from nasnb.results import EvaluationResult
>>> store = ExperimentStore(":memory:")
>>> study = store.create_study("demo", {"epochs": 1})
>>> for i, f in enumerate([0.5, 0.9, 0.7]):
...     _ = study.add_evaluation({"arch": i}, EvaluationResult(1 - f, {}, 1.0, f), seq=i, seed=i)
>>> frame = gather(store)
>>> frame[["study", "seq", "fitness"]].values.tolist()
[['demo', 0, 0.5], ['demo', 1, 0.9], ['demo', 2, 0.7]]
>>> table_rows(frame, sort_by="fitness", descending=True)["seq"].tolist()
[1, 2, 0]
"""

from __future__ import annotations

import ast
import asyncio
import base64
import datetime as _dt
import html
import json
import logging
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nasnb.exceptions import NasnbError, ParameterError, StoreError
from nasnb.store import STORE_STATUSES
from nasnb.viz._records import genome_of_row
from nasnb.viz._widget_base import WidgetApp, figure_png_html, figure_widget, widgets_module

if TYPE_CHECKING:
    from nasnb.viz.study_explorer import StudyExplorer

__all__ = ["StudyBrowser", "gather", "table_rows", "space_of_config", "TABLE_COLUMNS", "serve", "dashboard_notebook"]

logger = logging.getLogger(__name__)

#: Columns of the evaluation table, in order (metric columns ``metrics.*`` follow).
TABLE_COLUMNS = (
    "study",
    "seq",
    "status",
    "fitness",
    "loss",
    "seed",
    "engine",
    "total_time",
    "started",
    "finished",
    "parent",
    "message",
)
#: Tabular benchmarks whose candidates the browser can draw when a study's configuration names one.
_SPACES = ("NASBenchGraph", "NASBench101", "NASBench201")
_MAX_ROWS = 500
_UNUSED_EXTENSIONS = ("jupyterlab-jupytext", "ipyparallel-labextension", "@voila-dashboards/jupyterlab-preview")


def _open(store: Any):
    from nasnb.store import ExperimentStore

    if isinstance(store, ExperimentStore):
        return store
    if not isinstance(store, (str, os.PathLike)):
        raise ParameterError(
            f"The 'store' parameter must be an ExperimentStore or the path of its file. "
            f"Got {type(store).__name__} instead."
        )
    path = Path(store).expanduser()
    if not path.is_file():
        raise StoreError(f"No experiment store at {str(path)!r}: the file does not exist.")
    opened = ExperimentStore(path, read_only=True)
    opened.study_names()  # reads the header now: "not a store" is reported here, not on the first poll
    return opened


def _engine(frame: pd.DataFrame) -> pd.Series:
    from nasnb.viz.charts_search import _engine_labels

    return _engine_labels(frame) if len(frame) else pd.Series([], dtype=object)


def _message(frame: pd.DataFrame) -> pd.Series:
    if "traceback" not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index)
    return (
        frame["traceback"].fillna("").astype(str).map(lambda t: t.strip().splitlines()[-1][:120] if t.strip() else "")
    )


def gather(store: Any, studies: Sequence[str] | None = None) -> pd.DataFrame:
    """The evaluations of ``studies`` (default: all) as one frame, ``study`` and ``label`` naming each.

    Parameters
    ----------
    store : ExperimentStore, str or os.PathLike
        The store, or its file (opened read-only).
    studies : sequence of str, optional
        Study names, in the order to show them.

    Returns
    -------
    DataFrame
        ``Study.to_dataframe()`` columns plus ``study`` / ``label`` (the study's name),
        ``engine`` (``host / rank N`` ...) and ``message`` (last line of a failure's traceback),
        sorted by study (in the given order) then ``seq``; the index is the row position.
    """
    store = _open(store)
    names = store.study_names() if studies is None else list(studies)
    parts = []
    for name in names:
        frame = store.load_study(name).to_dataframe()
        parts.append(frame.assign(study=name, label=name))
    if not parts or all(p.empty for p in parts):
        return pd.DataFrame(columns=[*TABLE_COLUMNS, "label", "descriptor_json"])
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    frame["engine"] = _engine(frame).to_numpy()
    frame["message"] = _message(frame).to_numpy()
    return frame


def _display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    metrics = [c for c in frame.columns if str(c).startswith("metrics.")]
    cols = [c for c in (*TABLE_COLUMNS, *metrics) if c in frame.columns]
    return frame[cols]


def table_rows(
    frame: pd.DataFrame, *, sort_by: str = "seq", descending: bool = False, status: str | None = None, text: str = ""
) -> pd.DataFrame:
    """The table's rows: ``frame`` filtered by ``status`` and ``text``, sorted by ``sort_by``.

    ``text`` keeps rows where any shown cell contains it (case-insensitive), or, when it reads
    ``column op number`` (``fitness > 0.7``, ``seed == 3``; ops ``< <= > >= == !=``), rows where that
    comparison holds. Missing values sort last. The index keeps each row's position in ``frame``.

    Examples
    --------
    >>> f = pd.DataFrame({"study": ["a", "a", "b"], "seq": [0, 1, 0], "status": ["done", "failed", "done"],
    ...                   "fitness": [0.5, None, 0.8]})
    >>> table_rows(f, status="done", sort_by="fitness", descending=True)["study"].tolist()
    ['b', 'a']
    >>> table_rows(f, text="fitness > 0.6")["study"].tolist()
    ['b']
    >>> table_rows(f, text="FAIL")["seq"].tolist()
    [1]
    """
    shown = _display_frame(frame)
    if sort_by not in shown.columns:
        raise ParameterError(
            f"The 'sort_by' parameter of table_rows must be a column of the table "
            f"({', '.join(map(str, shown.columns))}). Got {sort_by!r} instead."
        )
    keep = np.ones(len(shown), dtype=bool)
    if status not in (None, "", "all"):
        keep &= (shown["status"] == status).to_numpy()
    text = (text or "").strip()
    match = re.fullmatch(r"([\w.]+)\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)", text)
    if match and match.group(1) in shown.columns:
        col, op, value = match.group(1), match.group(2), float(match.group(3))
        values = pd.to_numeric(shown[col], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            hit = {
                "<": values < value,
                "<=": values <= value,
                ">": values > value,
                ">=": values >= value,
                "==": values == value,
                "!=": values != value,
            }[op]
        keep &= hit
    elif text:
        needle = text.lower()
        cells = shown.astype(str).apply(lambda c: c.str.lower().str.contains(needle, regex=False))
        keep &= cells.any(axis=1).to_numpy()
    out = shown[keep]
    return out.sort_values(sort_by, ascending=not descending, kind="stable", na_position="last")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return value.strftime("%H:%M:%S")
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return str(value)


def table_html(rows: pd.DataFrame, total: int, *, max_rows: int = _MAX_ROWS) -> str:
    """The evaluation table (first ``max_rows`` rows) with ``data-`` attributes the browser test reads."""
    head = "".join(f"<th>{html.escape(str(c).replace('metrics.', ''))}</th>" for c in rows.columns)
    body = []
    for _, r in rows.head(max_rows).iterrows():
        cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in r.tolist())
        body.append(
            f'<tr data-study="{html.escape(str(r.get("study", "")))}" data-seq="{_cell(r.get("seq"))}" '
            f'data-status="{html.escape(str(r.get("status", "")))}">{cells}</tr>'
        )
    more = f"<p><i>showing the first {max_rows} of {len(rows)} matching rows</i></p>" if len(rows) > max_rows else ""
    return (
        f'<div class="nasnb-dashboard-table-box" style="max-height:360px;overflow:auto">'
        f'<table class="nasnb-dashboard-table" data-rows="{len(rows)}" data-total="{total}" '
        f'style="border-collapse:collapse;font-size:12px;white-space:nowrap">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{more}"
        "<style>.nasnb-dashboard-table th{position:sticky;top:0;background:#eef;text-align:left;padding:2px 6px}"
        ".nasnb-dashboard-table td{padding:1px 6px;border-top:1px solid #eee}</style>"
    )


# ------------------------------------------------------------------ drawing stored candidates
def _find_space(config: Any, depth: int = 0) -> str | None:
    if not isinstance(config, Mapping) or depth > 3:
        return None
    value = config.get("space")
    if isinstance(value, str):
        return value
    for v in config.values():
        found = _find_space(v, depth + 1)
        if found:
            return found
    return None


def space_of_config(config: Any):
    """The tabular benchmark a study's configuration names (``"NASBenchGraph(dataset='cora')"``), or None.

    Strategies record their space as its ``repr`` (``strategy.config()["space"]``); only the
    benchmarks of :mod:`nasnb.benchmarks` that draw their candidates are rebuilt, from literal
    keyword arguments (parsed with :func:`ast.literal_eval`, never evaluated).

    Examples
    --------
    >>> type(space_of_config({"strategy": {"space": "NASBenchGraph(dataset='cora')"}})).__name__
    'NASBenchGraph'
    >>> space_of_config({"space": "os.system('x')"}) is None
    True
    """
    text = _find_space(config)
    match = re.fullmatch(r"\s*(\w+)\((.*)\)\s*", text or "", flags=re.S)
    if match is None or match.group(1) not in _SPACES:
        return None
    try:
        call = ast.parse(f"f({match.group(2)})", mode="eval").body
        assert isinstance(call, ast.Call)  # "f(...)" parses as a call
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
        args = [ast.literal_eval(a) for a in call.args]
        import nasnb.benchmarks as benchmarks

        return getattr(benchmarks, match.group(1))(*args, **kwargs)
    except (SyntaxError, ValueError, TypeError, NasnbError) as exc:
        logger.info("cannot rebuild the space %r of a study: %s", text, exc)
        return None


def _architectures(spaces: Mapping[str, Any]):
    """A ``descriptors`` callable for the inspector: a stored candidate decoded by its study's space."""

    def source(row: pd.Series) -> Any:
        space = spaces.get(str(row.get("label")))
        text = row.get("descriptor_json")
        if space is not None and isinstance(text, str):
            try:
                return space.to_descriptor(space.candidate_from_json(json.loads(text)))
            except (NasnbError, ValueError, KeyError, TypeError) as exc:
                logger.debug("cannot decode a candidate of %s: %s", row.get("label"), exc)
        genome = genome_of_row(row)
        return genome if genome is not None and genome.get("format") == "nasnb.genome" else text

    return source


# ------------------------------------------------------------------ the app
def _empty_figure():
    from nasnb._optional import require

    go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
    return go.Figure(layout=dict(template="plotly_white", height=300))


def _chart(fig: Any):
    """A new FigureWidget showing ``fig``.

    The figure goes as plain lists: with numpy arrays (sent as binary buffers) a chart created
    after the page had connected came up blank in Voilà (empty axes).
    """
    return figure_widget(_plain(fig.to_plotly_json()))


def _plain(value: Any) -> Any:
    """``value`` with numpy arrays, plotly's typed-array specs and numpy scalars as lists and numbers."""
    if isinstance(value, dict) and {"dtype", "bdata"} <= set(value):
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if value.get("shape"):
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


class StudyBrowser(WidgetApp):
    """Browse the studies of a store: table, explorer (click → architecture), best so far, timeline.

    Parameters
    ----------
    store : ExperimentStore, str or os.PathLike
        The store (a path is opened read-only).
    studies : sequence of str, optional
        Studies shown first (default: the newest, e.g. the search running now).
    interval : float
        Seconds between polls of the store in :meth:`start_polling`.
    maximize : bool
        Whether higher fitness is better.

    Attributes (after :attr:`widget` is built)
    ------------------------------------------
    chooser : ipywidgets.SelectMultiple
        The studies shown side by side.
    sort_by, descending, status, filter_text : ipywidgets controls of the table.
    table : ipywidgets.HTML
    explorer : StudyExplorer or None
        Of the chosen studies (rebuilt when rows arrive).
    """

    def __init__(
        self, store: Any, *, studies: Sequence[str] | None = None, interval: float = 3.0, maximize: bool = True
    ) -> None:
        self.store = _open(store)
        if not isinstance(interval, (int, float)) or isinstance(interval, bool) or not interval > 0:
            raise ParameterError(
                f"The 'interval' parameter of StudyBrowser must be a positive number of seconds. "
                f"Got {interval!r} instead."
            )
        self.interval, self.maximize = float(interval), bool(maximize)
        names = self.store.study_names()
        chosen = list(names[-1:]) if studies is None else list(studies)
        unknown = [s for s in chosen if s not in names]
        if unknown:
            raise ParameterError(
                f"The 'studies' parameter of StudyBrowser names studies that are not in the store: "
                f"{unknown} (studies: {names})."
            )
        self.studies = chosen
        self.frame = gather(self.store, self.studies)
        self.explorer: StudyExplorer | None = None
        self._signature: Any = None
        self._spaces: dict[str, Any] = {}
        self._task: Any = None

    # ----------------------------------------------------------------- data
    def _space(self, name: str):
        if name not in self._spaces:
            self._spaces[name] = space_of_config(self.store.load_study(name).config)
        return self._spaces[name]

    @staticmethod
    def _signature_of(frame: pd.DataFrame) -> tuple:
        fit = pd.to_numeric(frame.get("fitness", pd.Series(dtype=float)), errors="coerce")
        return (
            len(frame),
            tuple(frame["status"].value_counts().sort_index().items()) if len(frame) else (),
            float(np.nansum(fit.to_numpy(dtype=float))) if len(frame) else 0.0,
        )

    def refresh(self) -> bool:
        """Re-read the store; redraw when studies or rows changed. Returns whether anything changed."""
        self.widget  # noqa: B018 - build on first use
        names = self.store.study_names()
        if list(self.chooser.options) != names:
            chosen = [s for s in self.studies if s in names]
            self.chooser.options = names  # resets the selection (the observer sees it)
            self.chooser.value = tuple(chosen)
            self.studies = chosen
        self.frame = gather(self.store, self.studies)
        signature = (tuple(self.studies), self._signature_of(self.frame))
        changed = signature != self._signature
        if changed:
            self._signature = signature
            self._draw()
        self.clock.value = (
            f'<span class="nasnb-dashboard-clock" data-total="{len(self.frame)}">'
            f"{len(self.frame)} evaluations in {len(self.studies)} studies · read at "
            f"{_dt.datetime.now().strftime('%H:%M:%S')} (every {self.interval:g} s)</span>"
        )
        return changed

    def choose(self, studies: Sequence[str]) -> None:
        """Show ``studies`` side by side (what the study chooser does)."""
        self.widget  # noqa: B018
        self.chooser.value = tuple(studies)

    # ----------------------------------------------------------------- building
    def _build(self):
        w = widgets_module()
        names = self.store.study_names()
        title = w.HTML(
            f"<h2 style='margin:4px 0'>nasnb study browser</h2><code>{html.escape(str(self.store.path))}"
            "</code> (read-only)"
        )
        self.clock = w.HTML()
        self.chooser = w.SelectMultiple(
            options=names,
            value=tuple(self.studies),
            description="Studies",
            rows=min(max(len(names), 2), 6),
            layout=w.Layout(width="420px"),
        )
        self.chooser.add_class("nasnb-dashboard-studies")
        self.sort_by = w.Dropdown(
            options=list(TABLE_COLUMNS[:10]), value="seq", description="Sort by", layout=w.Layout(width="220px")
        )
        self.descending = w.Checkbox(
            value=False, description="descending", indent=False, layout=w.Layout(width="110px")
        )
        self.status = w.Dropdown(
            options=["all", *STORE_STATUSES], value="all", description="Status", layout=w.Layout(width="200px")
        )
        self.filter_text = w.Text(
            value="",
            placeholder="text, or fitness > 0.7",
            description="Filter",
            continuous_update=False,
            layout=w.Layout(width="320px"),
        )
        for control, cls in (
            (self.sort_by, "sort"),
            (self.descending, "descending"),
            (self.status, "status"),
            (self.filter_text, "filter"),
        ):
            control.add_class(f"nasnb-dashboard-{cls}")
            control.observe(lambda _ch: self._draw_table(), names="value")
        self.table = w.HTML()
        explorer_ui = self._explorer_widget()
        self.timeline = w.HTML()  # a drawn picture: bars on engines are not a chart to click
        self._timeline_box = w.Box([self.timeline], layout=w.Layout(width="100%"))
        self._timeline_box.add_class("nasnb-dashboard-timeline")
        self.timeline_note = w.HTML()
        self.chooser.observe(self._on_choose, names="value")
        box = w.VBox(
            [
                title,
                w.HBox([self.chooser, self.clock]),
                w.HTML("<h3 style='margin:6px 0 2px'>Evaluations</h3>"),
                w.HBox([self.sort_by, self.descending, self.status, self.filter_text]),
                self.table,
                w.HTML("<h3 style='margin:6px 0 2px'>Explorer</h3>"),
                explorer_ui,
                w.HTML("<h3 style='margin:6px 0 2px'>Timeline</h3>"),
                self.timeline_note,
                self._timeline_box,
            ]
        )
        box.add_class("nasnb-study-browser")
        self._ui = box
        self.refresh()
        return box

    def _on_choose(self, change: Any) -> None:
        self.studies = [s for s in self.chooser.options if s in change["new"]]
        self.refresh()

    def _draw(self) -> None:
        self._draw_table()
        self._draw_explorer()
        self._draw_timeline()

    def _draw_table(self) -> None:
        if self.frame.empty:
            self.table.value = (
                '<table class="nasnb-dashboard-table" data-rows="0" data-total="0"></table><i>no evaluations yet</i>'
            )
            return
        rows = table_rows(
            self.frame,
            sort_by=self.sort_by.value,
            descending=self.descending.value,
            status=self.status.value,
            text=self.filter_text.value,
        )
        self.table.value = table_html(rows, len(self.frame))

    def _explorer_widget(self):
        """Chart switch, charts (left) and inspector (right); :meth:`_draw_explorer` fills them."""
        from nasnb.viz.study_explorer import CHARTS

        w = widgets_module()
        params = ("num_parameters", "parameters", "metrics.parameters", "metrics.num_parameters")
        self.chart_names = ["progress", "ecdf", *(["params"] if any(c in self.frame.columns for c in params) else [])]
        self.figures = {name: _chart(_empty_figure()) for name in self.chart_names}
        self.chart_switch = w.ToggleButtons(
            options=[(CHARTS[c], c) for c in self.chart_names], value="progress", description="Chart"
        )
        self._chart_box = chart_box = w.Box([self.figures["progress"]])
        self.chart_switch.observe(lambda ch: setattr(chart_box, "children", (self.figures[ch["new"]],)), names="value")
        self.inspector_box = w.VBox(layout=w.Layout(width="45%", min_width="380px"))
        chart_box.layout.width = "55%"
        box = w.VBox(
            [
                self.chart_switch,
                w.HTML("<i>Click a point to show its architecture on the right.</i>"),
                w.HBox([chart_box, self.inspector_box], layout=w.Layout(width="100%")),
            ]
        )
        box.add_class("nasnb-study-explorer")
        return box

    def _select_row(self, row: int) -> None:
        if self.explorer is not None:
            self.explorer.inspector.select_row(row)

    def _draw_explorer(self) -> None:
        from nasnb.viz.linked import on_point_click
        from nasnb.viz.study_explorer import StudyExplorer

        w = widgets_module()
        previous = None
        if self.explorer is not None:
            cur = self.explorer.inspector.current
            previous = (str(cur["label"]), int(cur["seq"]))
        if self.frame.empty:
            self.explorer = None
            self.figures = {name: _chart(_empty_figure()) for name in self.chart_names}
            self._chart_box.children = (self.figures[self.chart_switch.value],)
            self.inspector_box.children = (w.HTML("<i>choose a study with evaluations</i>"),)
            return
        frames = {name: g.drop(columns=["label"]) for name, g in self.frame.groupby("study", sort=False)}
        spaces = {name: self._space(name) for name in frames}
        explorer = StudyExplorer(
            frames, charts=self.chart_names, maximize=self.maximize, descriptors=_architectures(spaces)
        )
        for name in self.chart_names:
            self.figures[name] = fw = _chart(explorer.figure(name))
            on_point_click(fw, self._select_row)
        self._chart_box.children = (self.figures[self.chart_switch.value],)
        inspector_ui = explorer.inspector.widget
        self.explorer = explorer
        if previous is not None:
            try:
                explorer.inspector.select(previous[1], previous[0])
            except ParameterError:
                pass
        self.inspector_box.children = (inspector_ui,)

    def _draw_timeline(self) -> None:
        from nasnb.viz.charts_search import plot_timeline

        picture, note = "", ""
        if len(self.frame):
            try:
                fig = plot_timeline(self.frame)
                fig.set_size_inches(9, max(2.2, fig.get_size_inches()[1]))
                picture = figure_png_html(fig, alt="evaluations per engine", dpi=80)
            except (NasnbError, ValueError, KeyError) as exc:
                note = f"<i>no timeline: {html.escape(str(exc))}</i>"
        self.timeline.value = picture
        self.timeline_note.value = note

    # ----------------------------------------------------------------- polling
    def start_polling(self) -> Any:
        """Poll the store every :attr:`interval` seconds on the kernel's event loop (returns the task)."""
        self.widget  # noqa: B018

        async def poll() -> None:
            while True:
                await asyncio.sleep(self.interval)
                try:
                    self.refresh()
                except (NasnbError, ValueError, KeyError) as exc:  # keep serving; say why the view is stale
                    logger.warning("study browser: reading the store failed: %s", exc)
                    self.clock.value = f"<b style='color:#c00'>reading the store failed: {html.escape(str(exc))}</b>"

        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(poll())
        return self._task

    def stop_polling(self) -> None:
        """Stop :meth:`start_polling`'s task."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _snapshot(self) -> str:
        rows = table_rows(self.frame) if not self.frame.empty else self.frame
        return f"<b>StudyBrowser</b> of {html.escape(str(self.store.path))}: {len(self.frame)} evaluations" + (
            table_html(rows, len(self.frame), max_rows=50) if len(rows) else ""
        )


# ------------------------------------------------------------------ serving
def dashboard_notebook(store: str | os.PathLike, *, interval: float = 3.0) -> dict:
    """The one-cell notebook (nbformat 4 dict) that Voilà runs to show :class:`StudyBrowser` of ``store``."""
    source = (
        "from nasnb.viz.dashboard_app import StudyBrowser\n"
        f"browser = StudyBrowser({json.dumps(str(Path(store).expanduser().resolve()))}, "
        f"interval={float(interval)!r})\n"
        "browser.start_polling()\nbrowser.widget"
    )
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "study-browser",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def serve(
    store: str | os.PathLike,
    *,
    port: int | None = None,
    host: str = "127.0.0.1",
    open_browser: bool = True,
    interval: float = 3.0,
    announce: Any = print,
) -> None:
    """Serve :class:`StudyBrowser` of ``store`` with Voilà until interrupted (``nasnb dashboard``).

    Parameters
    ----------
    store : str or os.PathLike
        The store file (checked here: a missing file or another application's database is a
        :class:`~nasnb.exceptions.StoreError` before anything starts).
    port : int, optional
        Default: a free port.
    host : str
        Address to listen on; ``127.0.0.1`` (this machine only) by default.
    open_browser : bool
        Whether to open the page in a web browser.
    interval : float
        Seconds between polls of the store.
    announce : callable
        Called with the line that gives the URL.
    """
    from nasnb._optional import require

    _open(store).close()
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        raise ParameterError(f"The 'port' parameter of serve must be an int in 1..65535. Got {port!r} instead.")
    voila_app = require("voila.app", extra="dashboard", purpose="serve the study browser")
    try:
        port = _free_port(host) if port is None else port
    except OSError as exc:
        raise ParameterError(
            f"The 'host' parameter of serve must be an address of this machine. Cannot listen on {host!r}: {exc}."
        ) from exc
    root = Path(tempfile.mkdtemp(prefix="nasnb-dashboard-"))
    notebook = root / "study_browser.ipynb"
    notebook.write_text(json.dumps(dashboard_notebook(store, interval=interval)))
    announce(f"nasnb dashboard: serving {store} at http://{host}:{port}/ (Ctrl+C stops it)")
    argv = [
        str(notebook),
        f"--port={port}",
        f"--Voila.ip={host}",
        "--Voila.port_retries=0",
        "--show_tracebacks=True",
        "--theme=light",
        # front-end extensions the page does not use (and that fail outside JupyterLab)
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in _UNUSED_EXTENSIONS),
    ]
    if not open_browser:
        argv.append("--no-browser")
    try:
        voila_app.Voila.launch_instance(argv=argv)
    finally:
        shutil.rmtree(root, ignore_errors=True)
