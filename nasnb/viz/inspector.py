"""Notebook widgets over a study's records: the genome inspector and the evolution explorer.

Both read the record frame described in :mod:`nasnb.viz._records` (``Study.to_dataframe()``,
``SearchHistory.to_dataframe()`` plus the candidates, or any DataFrame with ``seq``,
``fitness``, ``status`` and ``descriptor_json`` / ``genome_json`` columns). Every architecture is
placed on one :class:`~nasnb.viz.layout.SharedLayout` fitted to the whole study, so a node
keeps its position whichever individual or cycle is shown.

Examples
--------
>>> import pandas as pd
>>> from nasnb.descriptors import NeuralDescriptor
>>> a = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
>>> b = NeuralDescriptor.sequential(["nn.Identity", "nn.Tanh", "nn.ReLU"])
>>> frame = pd.DataFrame({"fitness": [0.5, 0.8], "descriptor_json": [a.to_json(), b.to_json()]})
>>> inspector = GenomeInspector(frame)
>>> inspector.select(1); 'data-seq="1"' in inspector.plot.value
True
"""

from __future__ import annotations

import html
import logging
from typing import Any

import numpy as np
import pandas as pd

from nasnb._validation import check_positive_int
from nasnb.exceptions import ParameterError
from nasnb.viz._records import as_frame, genome_of_row, metrics_of_row
from nasnb.viz._widget_base import WidgetApp, row_descriptors, widgets_module
from nasnb.viz.genome import genome_tables
from nasnb.viz.layout import SharedLayout
from nasnb.viz.overlay import overlay_data
from nasnb.viz.svg import architecture_svg, line_chart_svg, overlay_svg, table_html

__all__ = ["GenomeInspector", "EvolutionExplorer"]

logger = logging.getLogger(__name__)


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, (float, np.floating)) and np.isfinite(value) else str(value)


class GenomeInspector(WidgetApp):
    """Pick an individual of a study: its chromosomes as tables, its architecture, its metrics.

    Parameters
    ----------
    records : DataFrame, Study, SearchHistory or list of records
        The study's evaluations.
    descriptors : sequence or callable, optional
        One architecture per record (descriptor, genome, JSON, ``None``) when the records hold
        none (e.g. ``history.candidates`` of a genome search).
    layout : SharedLayout, optional
        Layout to draw on (default: one fitted to every architecture of the study).

    Attributes (after :attr:`widget` is built)
    ------------------------------------------
    selector : ipywidgets.Dropdown
        The individual (value = its ``seq``).
    plot, tables, metrics : ipywidgets.HTML
        The architecture SVG, the chromosome tables and the metrics table.
    """

    def __init__(self, records: Any, *, descriptors: Any = None, layout: SharedLayout | None = None) -> None:
        self.records = as_frame(records, func="GenomeInspector")
        if self.records.empty:
            raise ParameterError("The 'records' parameter of GenomeInspector must hold at least one evaluation.")
        self.descriptors = descriptors
        self.layout = layout

    # ----------------------------------------------------------------- building
    def _build(self):
        w = widgets_module()
        self._archs = row_descriptors(self.records, self.descriptors)
        if self.layout is None:
            self.layout = SharedLayout().fit([d for d in self._archs if d is not None])
        options = [(f"#{int(r.seq)}  fitness={_fmt(getattr(r, 'fitness', float('nan')))}  [{r.status}]", int(r.seq))
                   for r in self.records.itertuples()]
        self._row_of = {int(s): i for i, s in enumerate(self.records["seq"])}
        self.selector = w.Dropdown(options=options, value=options[0][1], description="Individual",
                                   layout=w.Layout(width="420px"))
        self.plot = w.HTML(layout=w.Layout(overflow="auto"))
        self.tables = w.HTML()
        self.metrics = w.HTML()
        self.selector.observe(self._on_change, names="value")
        self._show(self.selector.value)
        tabs = w.Tab(children=[self.tables, self.metrics])
        tabs.set_title(0, "Chromosomes")
        tabs.set_title(1, "Metrics")
        box = w.VBox([self.selector, self.plot, tabs])
        box.add_class("nasnb-genome-inspector")
        return box

    def _on_change(self, change: dict) -> None:
        self._show(change["new"])

    def select(self, seq: int) -> None:
        """Show the individual whose ``seq`` is given (same as choosing it in the dropdown)."""
        self.widget  # noqa: B018 - build on first use
        if int(seq) not in self._row_of:
            raise ParameterError(f"The 'seq' parameter of GenomeInspector.select must be one of the study's "
                                 f"individuals. Got {seq!r} instead.")
        self.selector.value = int(seq)

    # ----------------------------------------------------------------- content
    def _show(self, seq: int) -> None:
        i = self._row_of[int(seq)]
        row = self.records.iloc[i]
        d = self._archs[i]
        svg = architecture_svg(d, self.layout) if d is not None else "<i>no architecture recorded</i>"
        self.plot.value = f'<div class="nasnb-inspector-plot" data-seq="{int(seq)}">{svg}</div>'
        self.tables.value = self._tables_html(row, d)
        self.metrics.value = self._metrics_html(row)

    @staticmethod
    def _tables_html(row: pd.Series, d: Any) -> str:
        genome = genome_of_row(row)
        if genome is not None:
            parts = [f"<h4>{html.escape(name)}</h4>{table_html(t)}" for name, t in genome_tables(genome).items()]
            return "".join(parts) or "<i>empty genome</i>"
        if d is None:
            return "<i>no genome or descriptor recorded</i>"
        layers = pd.DataFrame([{"layer": n, "type": s.type, "params": ", ".join(f"{k}={v}" for k, v in s.params.items())}
                               for n, s in d.layers.items()])
        conns = pd.DataFrame(d.connections, columns=["src", "dst"])
        return f"<h4>layers</h4>{table_html(layers)}<h4>connections</h4>{table_html(conns)}"

    @staticmethod
    def _metrics_html(row: pd.Series) -> str:
        items = {k: row[k] for k in ("seq", "fitness", "status", "loss", "total_time", "seed", "engine", "message")
                 if k in row.index and not (isinstance(row[k], float) and np.isnan(row[k]))}
        items.update(metrics_of_row(row))
        frame = pd.DataFrame({"name": list(items), "value": [_fmt(v) for v in items.values()]})
        return table_html(frame)


class EvolutionExplorer(WidgetApp):
    """A slider over cycles: the population, the best so far and the overlay up to that cycle.

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

    def __init__(self, records: Any, *, population_size: int = 10, cycle_size: int = 1,
                 descriptors: Any = None, layout: SharedLayout | None = None) -> None:
        self.records = as_frame(records, func="EvolutionExplorer")
        self.population_size = check_positive_int(population_size, "population_size", "EvolutionExplorer")
        self.cycle_size = check_positive_int(cycle_size, "cycle_size", "EvolutionExplorer")
        self.descriptors = descriptors
        self.layout = layout

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
        self._archs = row_descriptors(self.records, self.descriptors)
        if self.layout is None:
            self.layout = SharedLayout().fit([d for d in self._archs if d is not None])
        top = int(self.cycles().max()) if len(self.records) else 0
        self.slider = w.IntSlider(value=top, min=0, max=top, description="Cycle", continuous_update=False)
        self.summary = w.HTML()
        self.population = w.HTML()
        self.progress = w.HTML()
        self.overlay = w.HTML(layout=w.Layout(overflow="auto"))
        self.slider.observe(lambda change: self._show(change["new"]), names="value")
        self._show(top)
        return w.VBox([self.slider, self.summary, w.HBox([self.progress, self.overlay]), self.population])

    def _show(self, cycle: int) -> None:
        st = self.state(cycle)
        upto, pop, best = st["upto"], st["population"], st["best"]
        fit = pd.to_numeric(upto["fitness"], errors="coerce").to_numpy(dtype=float)
        best_text = f"best so far {_fmt(best['fitness'])} (#{int(best['seq'])})" if best is not None else "no result yet"
        self.summary.value = (f'<div class="nasnb-evolution-summary" data-cycle="{cycle}" data-evaluations="{len(upto)}">'
                              f"<b>Cycle {cycle}</b>: {len(upto)} evaluations, population {len(pop)}, {best_text}</div>")
        running = np.fmax.accumulate(np.where(np.isfinite(fit), fit, -np.inf)) if len(fit) else fit
        seq = upto["seq"].to_numpy(dtype=float)
        self.progress.value = line_chart_svg({"best so far": (seq, running)}, points={"evaluations": (seq, fit)},
                                             xlabel="evaluation", ylabel="fitness")
        cols = [c for c in ("seq", "fitness", "status", "parent", "sample_count") if c in pop.columns]
        self.population.value = "<h4>Population</h4>" + table_html(pop.sort_values("fitness", ascending=False)[cols])
        archs = [self._archs[i] for i in range(len(upto)) if self._archs[i] is not None]
        if archs:
            self.overlay.value = overlay_svg(overlay_data(archs, self.layout))
        else:
            self.overlay.value = "<i>no architectures recorded</i>"
