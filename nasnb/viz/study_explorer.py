"""Explore a study: interactive charts linked to the genome inspector (click a point, see it).

:class:`StudyExplorer` shows one of three plotly charts of :mod:`nasnb.viz.linked` (best so
far, ECDF, parameters vs fitness; axes, legend, hover text), drawn by
:class:`~nasnb.viz.chart_view.ChartView`, above a
:class:`~nasnb.viz.inspector.GenomeInspector`. Clicking a point shows that evaluation's
architecture, chromosomes and metrics. Several searches (``{label: records}``) share the
charts and the inspector.

Examples
--------
>>> import pandas as pd
>>> from nasnb.descriptors import NeuralDescriptor
>>> archs = [NeuralDescriptor.sequential(["nn.Identity"] + ["nn.ReLU"] * k).to_json() for k in (1, 2, 3)]
>>> frame = pd.DataFrame({"fitness": [0.5, 0.9, 0.7], "descriptor_json": archs})
>>> explorer = StudyExplorer(frame)
>>> int(explorer.inspector.current["seq"])  # opens on the best
1
>>> explorer.click(2)  # what a click on the third point does
>>> int(explorer.inspector.current["seq"])
2
"""

from __future__ import annotations

import logging
from typing import Any

from nasnb._validation import check_choice
from nasnb.exceptions import ParameterError
from nasnb.viz._widget_base import WidgetApp, figure_png_html, figure_widget, widgets_module
from nasnb.viz.inspector import GenomeInspector
from nasnb.viz.linked import combine_records, ecdf_figure, on_point_click, params_fitness_figure, progress_figure

__all__ = ["StudyExplorer", "CHARTS"]

logger = logging.getLogger(__name__)

#: Chart names and their titles in the chart switch.
CHARTS = {"progress": "Best so far", "ecdf": "ECDF", "params": "Parameters vs fitness"}


class StudyExplorer(WidgetApp):
    """Charts of a study (or of several searches) linked to an inspector of its individuals.

    Parameters
    ----------
    records : DataFrame, Study, SearchHistory, list of records, or dict ``{label: records}``
        The evaluations.
    charts : sequence of {"progress", "ecdf", "params"}
        Charts offered (the first is shown first).
    metric : str
        The column charted (default ``fitness``).
    maximize : bool
        Whether higher is better.
    descriptors : sequence or callable, optional
        Architectures when the records hold none (see :class:`GenomeInspector`).
    param_counts : str, callable or sequence, optional
        Parameter counts for the ``params`` chart: a column, a function of a row, or one
        number per row; default: a parameter column if any, else the architectures built for
        ``input_shape`` / ``num_outputs`` (digits: ``(1, 8, 8)``, 10) with ``build_kwargs``
        (e.g. ``{"fixed_channels": 16}`` for the chapter-6 space).
    space : SearchSpace, optional
        Decodes stored candidates (genomes) into the networks counted for that chart.

    Attributes (after :attr:`widget` is built)
    ------------------------------------------
    inspector : GenomeInspector
    chart_switch : ipywidgets.ToggleButtons
    figures : dict of str to ChartView
    """

    def __init__(
        self,
        records: Any,
        *,
        charts: Any = ("progress", "ecdf", "params"),
        metric: str = "fitness",
        maximize: bool = True,
        descriptors: Any = None,
        layout: Any = None,
        param_counts: Any = None,
        space: Any = None,
        input_shape: tuple = (1, 8, 8),
        num_outputs: int = 10,
        build_kwargs: dict | None = None,
    ) -> None:
        self.records = combine_records(records, func="StudyExplorer")
        self.charts = [check_choice(c, tuple(CHARTS), "charts", "StudyExplorer") for c in charts]
        if not self.charts:
            raise ParameterError("The 'charts' parameter of StudyExplorer must name at least one chart.")
        self.metric, self.maximize = metric, bool(maximize)
        self.param_counts, self.input_shape, self.num_outputs = param_counts, tuple(input_shape), int(num_outputs)
        self.space, self.build_kwargs = space, dict(build_kwargs or {})
        self.inspector = GenomeInspector(self.records, descriptors=descriptors, layout=layout, maximize=maximize)

    def figure(self, name: str):
        """The plotly figure of chart ``name`` (points carry their row as ``customdata``)."""
        check_choice(name, tuple(CHARTS), "name", "StudyExplorer.figure")
        if name == "progress":
            return progress_figure(self.records, metric=self.metric, maximize=self.maximize)
        if name == "ecdf":
            return ecdf_figure(self.records, metric=self.metric)
        pc = self.param_counts
        if pc is None or isinstance(pc, str) or callable(pc):
            return params_fitness_figure(
                self.records,
                metric=self.metric,
                params=pc,
                input_shape=self.input_shape,
                num_outputs=self.num_outputs,
                space=self.space,
                **self.build_kwargs,
            )
        return params_fitness_figure(self.records, metric=self.metric, counts=pc)

    def _build(self):
        w = widgets_module()
        inspector_ui = self.inspector.widget
        self.figures = {}
        for name in self.charts:
            fw = figure_widget(self.figure(name))
            on_point_click(fw, self.inspector.select_row)
            self.figures[name] = fw
        self.chart_switch = w.ToggleButtons(
            options=[(CHARTS[c], c) for c in self.charts], value=self.charts[0], description="Chart"
        )
        self.chart_box = w.Box([self.figures[self.charts[0]]], layout=w.Layout(width="100%"))
        self.chart_switch.observe(
            lambda ch: setattr(self.chart_box, "children", (self.figures[ch["new"]],)), names="value"
        )
        hint = w.HTML("<i>Click a point to show its architecture below.</i>")
        box = w.VBox([self.chart_switch, hint, self.chart_box, inspector_ui])
        box.add_class("nasnb-study-explorer")
        return box

    def click(self, row: int) -> None:
        """Show the evaluation at position ``row`` of :attr:`records`, as a click on its point does."""
        self.widget  # noqa: B018 - build on first use
        self.inspector.select_row(row)

    def _snapshot(self) -> str:
        from nasnb.viz.charts_search import plot_progress

        groups = {str(k): g for k, g in self.records.groupby("label", sort=False)}
        chart = figure_png_html(plot_progress(groups, figsize=(6.5, 3.3)), alt="best so far")
        return f"<b>StudyExplorer</b>: {len(self.records)} evaluations<div>{chart}</div>{self.inspector._snapshot()}"
