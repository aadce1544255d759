"""Notebook widgets over a study's records: the genome inspector and the evolution explorer.

Both read the record frame described in :mod:`nasnb.viz._records` (``Study.to_dataframe()``,
``SearchHistory.to_dataframe()`` plus the candidates, or any DataFrame with ``seq``,
``fitness``, ``status`` and ``descriptor_json`` / ``genome_json`` / ``candidate_json``
columns); a ``Study`` of the experiment store also gives its stored candidates (genomes,
:func:`nasnb.viz.genome.study_candidates`), so the chromosomes of every individual show.
Every architecture is placed on one :class:`~nasnb.viz.layout.SharedLayout` fitted to the
whole study, so a node keeps its position whichever individual or cycle is shown.

Examples
--------
>>> import pandas as pd
>>> from nasnb.descriptors import NeuralDescriptor
>>> a = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
>>> b = NeuralDescriptor.sequential(["nn.Identity", "nn.Tanh", "nn.ReLU"])
>>> frame = pd.DataFrame({"fitness": [0.8, 0.5], "descriptor_json": [a.to_json(), b.to_json()]})
>>> inspector = GenomeInspector(frame)
>>> int(inspector.current["seq"])  # starts at the best individual
0
>>> inspector.select(1); 'data-seq="1"' in inspector.plot.svg
True
"""

from __future__ import annotations

import html
import logging
from typing import Any

import numpy as np
import pandas as pd

from nasnb._optional import require
from nasnb._validation import check_positive_int
from nasnb.exceptions import ParameterError
from nasnb.viz._records import genome_of_row, metrics_of_row
from nasnb.viz._widget_base import WidgetApp, architecture_view, figure_widget, row_descriptors, widgets_module
from nasnb.viz.genome import genome_tables
from nasnb.viz.layout import SharedLayout
from nasnb.viz.linked import combine_records, on_point_click, progress_figure
from nasnb.viz.overlay import overlay_data
from nasnb.viz.svg import architecture_svg, overlay_svg, table_html

__all__ = ["GenomeInspector", "EvolutionExplorer"]

logger = logging.getLogger(__name__)

_METRIC_KEYS = (
    "seq",
    "label",
    "fitness",
    "status",
    "loss",
    "total_time",
    "seed",
    "parent",
    "engine_id",
    "device",
    "message",
)


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, (float, np.floating)) and np.isfinite(value) else str(value)


def _best_row(frame: pd.DataFrame, maximize: bool = True) -> int:
    fit = pd.to_numeric(frame["fitness"], errors="coerce") if "fitness" in frame.columns else pd.Series(dtype=float)
    if not fit.notna().any():
        return 0
    return int(fit.idxmax() if maximize else fit.idxmin())


class GenomeInspector(WidgetApp):
    """Pick an individual of a study: its architecture, its chromosomes as tables, its metrics.

    Parameters
    ----------
    records : DataFrame, Study, SearchHistory, list of records, or dict ``{label: records}``
        The study's evaluations (several searches: one dict entry each).
    descriptors : sequence or callable, optional
        One architecture per record (descriptor, genome, JSON, ``None``) when the records hold
        none (e.g. ``history.candidates`` of a genome search).
    layout : SharedLayout, optional
        Layout to draw on (default: one fitted to every architecture of the study).
    maximize : bool
        Whether higher fitness is better (the inspector opens on the best individual).

    Attributes (after :attr:`widget` is built)
    ------------------------------------------
    selector : ipywidgets.Dropdown
        The individual (value = its row in :attr:`records`).
    plot : ArchitectureView
        The architecture (anywidget; ``plot.svg`` holds the drawing).
    tables, metrics : ipywidgets.HTML
        The chromosome tables and the metrics table.
    """

    def __init__(
        self, records: Any, *, descriptors: Any = None, layout: SharedLayout | None = None, maximize: bool = True
    ) -> None:
        self.records = combine_records(records, func="GenomeInspector")
        if self.records.empty:
            raise ParameterError("The 'records' parameter of GenomeInspector must hold at least one evaluation.")
        self.descriptors = descriptors
        self.layout = layout
        self.maximize = bool(maximize)

    # ----------------------------------------------------------------- building
    def _prepare(self) -> None:
        if not hasattr(self, "_archs"):
            self._archs = row_descriptors(self.records, self.descriptors)
            if self.layout is None:
                self.layout = SharedLayout().fit([d for d in self._archs if d is not None])

    def _label(self, i: int) -> str:
        r = self.records.iloc[i]
        prefix = f"{r['label']} " if self.records["label"].nunique() > 1 else ""
        fit = _fmt(r["fitness"]) if "fitness" in r.index else "-"
        return f"{prefix}#{int(r['seq'])}  fitness={fit}  [{r['status']}]"

    def _build(self):
        w = widgets_module()
        self._prepare()
        options = [(self._label(i), i) for i in range(len(self.records))]
        start = _best_row(self.records, self.maximize)
        self.selector = w.Dropdown(
            options=options, value=start, description="Individual", layout=w.Layout(width="460px")
        )
        self.plot = architecture_view()
        self.tables = w.HTML()
        self.metrics = w.HTML()
        self.selector.observe(lambda change: self._show(change["new"]), names="value")
        self._show(start)
        tabs = w.Tab(children=[self.tables, self.metrics])
        tabs.set_title(0, "Chromosomes")
        tabs.set_title(1, "Metrics")
        box = w.VBox([self.selector, self.plot, tabs])
        box.add_class("nasnb-genome-inspector")
        return box

    # ----------------------------------------------------------------- selecting
    @property
    def current(self) -> pd.Series:
        """The record shown now."""
        self.widget  # noqa: B018 - build on first use
        return self.records.iloc[int(self.selector.value)]

    def select_row(self, row: int) -> None:
        """Show the record at position ``row`` of :attr:`records` (what a click on a chart does)."""
        self.widget  # noqa: B018 - build on first use
        if not 0 <= int(row) < len(self.records):
            raise ParameterError(
                f"The 'row' parameter of GenomeInspector.select_row must be in [0, "
                f"{len(self.records)}). Got {row!r} instead."
            )
        self.selector.value = int(row)

    def select(self, seq: int, label: str | None = None) -> None:
        """Show the individual whose ``seq`` is given (of search ``label`` when several are shown)."""
        hits = self.records.index[
            (self.records["seq"] == int(seq)) & ((self.records["label"] == label) if label is not None else True)
        ]
        if len(hits) == 0:
            raise ParameterError(
                f"The 'seq' parameter of GenomeInspector.select must be one of the study's "
                f"individuals. Got {seq!r} instead."
            )
        self.select_row(int(hits[0]))

    def link(self, figure: Any) -> Any:
        """Make clicks on ``figure``'s points (rows in ``customdata``) select them here; return the widget.

        ``figure`` is a figure of :mod:`nasnb.viz.linked` made from the same records (or any
        plotly figure whose points carry their row of :attr:`records` as ``customdata``).
        """
        self.widget  # noqa: B018 - build on first use
        fw = figure if hasattr(figure, "on_click") and hasattr(figure, "spec") else figure_widget(figure)
        on_point_click(fw, self.select_row)
        return fw

    # ----------------------------------------------------------------- content
    def _svg(self, i: int) -> str:
        self._prepare()
        d, r = self._archs[i], self.records.iloc[i]
        svg = architecture_svg(d, self.layout) if d is not None else "<i>no architecture recorded</i>"
        return (
            f'<div class="nasnb-inspector-plot" data-seq="{int(r["seq"])}" data-row="{i}">'
            f'<div style="font-weight:bold">{html.escape(self._label(i))}</div>{svg}</div>'
        )

    def _show(self, i: int) -> None:
        row = self.records.iloc[int(i)]
        self.plot.svg = self._svg(int(i))
        self.tables.value = self._tables_html(row, self._archs[int(i)])
        self.metrics.value = self._metrics_html(row)

    def _snapshot(self) -> str:
        i = int(self.selector.value)
        row = self.records.iloc[i]
        return (
            f"<b>GenomeInspector</b>: {len(self.records)} individuals{self._svg(i)}"
            f"<details open><summary>Chromosomes</summary>{self._tables_html(row, self._archs[i])}</details>"
            f"<details><summary>Metrics</summary>{self._metrics_html(row)}</details>"
        )

    @staticmethod
    def _tables_html(row: pd.Series, d: Any) -> str:
        genome = genome_of_row(row)
        if genome is not None:
            parts = [
                f"<h4>{html.escape(name)} chromosome</h4>{table_html(t)}" for name, t in genome_tables(genome).items()
            ]
            return "".join(parts) or "<i>empty genome</i>"
        if d is None:
            return "<i>no genome or descriptor recorded</i>"
        layers = pd.DataFrame(
            [
                {"layer": n, "type": s.type, "params": ", ".join(f"{k}={v}" for k, v in s.params.items())}
                for n, s in d.layers.items()
            ]
        )
        conns = pd.DataFrame(d.connections, columns=["src", "dst"])
        return f"<h4>layers</h4>{table_html(layers)}<h4>connections</h4>{table_html(conns)}"

    @staticmethod
    def _metrics_html(row: pd.Series) -> str:
        items = {
            k: row[k]
            for k in _METRIC_KEYS
            if k in row.index and row[k] is not None and not (isinstance(row[k], float) and np.isnan(row[k]))
        }
        items.update(metrics_of_row(row))
        items.update(
            {k[len("metrics.") :]: row[k] for k in row.index if str(k).startswith("metrics.") and not pd.isna(row[k])}
        )
        frame = pd.DataFrame({"name": list(items), "value": [_fmt(v) for v in items.values()]})
        return table_html(frame)


class EvolutionExplorer(WidgetApp):
    """A slider over cycles: progress chart, population, overlay; click a point to inspect it.

    Parameters
    ----------
    records : DataFrame, Study, SearchHistory or list of records
        The search's evaluations in ask order.
    population_size : int
        Individuals alive at a time (regularized evolution's P); the population at a cycle is
        the ``population_size`` most recent evaluations (aging), unless the records have a
        ``removed_at`` column (``SearchHistory``), which is then used.
    cycle_size : int
        Evaluations per cycle after the initial population (W workers: W).
    descriptors : sequence or callable, optional
        Architectures when the records hold none (see :class:`GenomeInspector`).

    Notes
    -----
    Cycle 0 is the initial population (the first ``population_size`` evaluations); a
    ``cycle`` column in the records overrides this numbering.
    """

    def __init__(
        self,
        records: Any,
        *,
        population_size: int = 10,
        cycle_size: int = 1,
        descriptors: Any = None,
        layout: SharedLayout | None = None,
    ) -> None:
        self.records = combine_records(records, func="EvolutionExplorer")
        self.population_size = check_positive_int(population_size, "population_size", "EvolutionExplorer")
        self.cycle_size = check_positive_int(cycle_size, "cycle_size", "EvolutionExplorer")
        self.inspector = GenomeInspector(self.records, descriptors=descriptors, layout=layout)

    def cycles(self) -> np.ndarray:
        """Cycle number of each record."""
        if "cycle" in self.records.columns:
            return self.records["cycle"].to_numpy(dtype=int)
        pos = np.arange(len(self.records))
        return np.where(pos < self.population_size, 0, (pos - self.population_size) // self.cycle_size + 1)

    def state(self, cycle: int) -> dict[str, Any]:
        """The data shown at ``cycle``: ``upto`` (records so far), ``population``, ``best``."""
        upto = self.records[self.cycles() <= cycle]
        if "removed_at" in upto.columns and len(upto):
            last = upto["seq"].max()
            removed = upto["removed_at"].to_numpy()
            population = upto[(removed < 0) | (removed > last)]
        else:
            population = upto.tail(self.population_size)
        fit = pd.to_numeric(upto["fitness"], errors="coerce")
        best = upto.loc[fit.idxmax()] if fit.notna().any() else None
        return {"upto": upto, "population": population, "best": best}

    def _build(self):
        w = widgets_module()
        inspector_ui = self.inspector.widget
        self.layout = self.inspector.layout
        top = int(self.cycles().max()) if len(self.records) else 0
        self.slider = w.IntSlider(value=top, min=0, max=top, description="Cycle", continuous_update=False)
        self.summary = w.HTML()
        self.chart = figure_widget(progress_figure(self.records))
        go = require("plotly.graph_objects", extra="viz", purpose="draw interactive charts")
        self.chart.add_trace(
            go.Scatter(
                x=[],
                y=[],
                mode="markers",
                name="population at cycle",
                hoverinfo="skip",
                marker=dict(size=13, color="rgba(0,0,0,0)", line=dict(color="#d62728", width=2)),
            )
        )
        on_point_click(self.chart, self.inspector.select_row)
        self.population = w.HTML()
        self.overlay = architecture_view()
        self.slider.observe(lambda change: self._show(change["new"]), names="value")
        self._show(top)
        return w.VBox(
            [
                self.slider,
                self.summary,
                self.chart,
                w.HBox([self.overlay, self.population]),
                w.HTML("<b>Clicked / chosen individual</b>"),
                inspector_ui,
            ]
        )

    def _summary_html(self, cycle: int, st: dict) -> str:
        upto, pop, best = st["upto"], st["population"], st["best"]
        best_text = (
            f"best so far {_fmt(best['fitness'])} (#{int(best['seq'])})" if best is not None else "no result yet"
        )
        return (
            f'<div class="nasnb-evolution-summary" data-cycle="{cycle}" data-evaluations="{len(upto)}">'
            f"<b>Cycle {cycle}</b>: {len(upto)} evaluations, population {len(pop)}, {best_text}</div>"
        )

    def _overlay_svg(self, upto: pd.DataFrame) -> str:
        archs = [self.inspector._archs[i] for i in upto.index if self.inspector._archs[i] is not None]
        if not archs:
            return "<i>no architectures recorded</i>"
        return f"<div>overlay of the {len(archs)} architectures so far</div>" + overlay_svg(
            overlay_data(archs, self.layout)
        )

    def _population_html(self, pop: pd.DataFrame) -> str:
        cols = [c for c in ("seq", "fitness", "status", "parent", "sample_count") if c in pop.columns]
        return "<h4>Population</h4>" + table_html(pop.sort_values("fitness", ascending=False)[cols])

    def _show(self, cycle: int) -> None:
        st = self.state(cycle)
        upto, pop = st["upto"], st["population"]
        self.summary.value = self._summary_html(cycle, st)
        last = float(upto["seq"].max()) if len(upto) else 0.0
        with self.chart.batch_update():
            self.chart.data[-1].x = pop["seq"].tolist()
            self.chart.data[-1].y = pd.to_numeric(pop["fitness"], errors="coerce").tolist()
            self.chart.layout.shapes = [
                dict(type="line", x0=last, x1=last, yref="paper", y0=0, y1=1, line=dict(color="#888", dash="dot"))
            ]
        self.population.value = self._population_html(pop)
        self.overlay.svg = self._overlay_svg(upto)

    def _snapshot(self) -> str:
        from nasnb.viz._widget_base import figure_png_html
        from nasnb.viz.charts_search import plot_progress

        cycle = int(self.slider.value)
        st = self.state(cycle)
        chart = figure_png_html(plot_progress(st["upto"], figsize=(6, 3.2)), alt="progress")
        return (
            f"<b>EvolutionExplorer</b>{self._summary_html(cycle, st)}"
            "<div style='display:flex;flex-wrap:wrap;gap:12px'>"
            f"<div>{chart}</div><div>{self._overlay_svg(st['upto'])}</div></div>"
            f"{self._population_html(st['population'])}"
        )
