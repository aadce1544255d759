"""Rank-correlation explorer: choose setups, rounding and top-k, see the Kendall tau heatmap.

Reads long records (one row per architecture and setup: columns ``arch``, ``setup``,
``score``; e.g. ``nasnb.benchmarks`` ``records()`` or the chapter 4/5 training tables) and
computes the matrix with :func:`nasnb.analysis.tau_matrix`. The heatmap is a
:class:`~nasnb.viz.chart_view.ChartView` (values written in the cells, hover text); every control starts on a
sensible value (all setups, raw scores, all architectures).

Examples
--------
>>> import pandas as pd
>>> long = pd.DataFrame({"arch": [0, 1, 2, 3] * 2, "setup": ["1 epoch"] * 4 + ["50 epochs"] * 4,
...                      "score": [0.51, 0.62, 0.55, 0.70, 0.81, 0.92, 0.83, 0.90]})
>>> explorer = RankCorrelationExplorer(long)
>>> round(float(explorer.matrix().loc["1 epoch", "50 epochs"]), 3)
0.667
>>> explorer.rounding.value
'raw'
>>> explorer.rounding.value = "1 decimal"
>>> round(float(explorer.matrix().loc["1 epoch", "50 epochs"]), 3)
0.671
"""

from __future__ import annotations

import math

import pandas as pd

from nasnb.exceptions import ParameterError
from nasnb.viz._text import chart_text, chart_texts, html_text
from nasnb.viz._widget_base import WidgetApp, figure_widget, widgets_module
from nasnb.viz.svg import heatmap_html

__all__ = ["RankCorrelationExplorer", "ROUNDING_CHOICES"]

#: Rounding options offered (label, decimals); accuracies in [0, 1] round to whole percents at 2.
ROUNDING_CHOICES = (("raw", None), ("3 decimals", 3), ("2 decimals (whole %)", 2), ("1 decimal", 1), ("0 decimals", 0))


class RankCorrelationExplorer(WidgetApp):
    """Interactive Kendall tau-b (or Spearman) matrix between ranking setups.

    Parameters
    ----------
    records : DataFrame
        Long format: ``arch``, ``setup``, ``score`` columns (names configurable).
    arch, setup, score : str
        Column names.
    method : {"kendall", "spearman"}
        Correlation.

    Attributes (after :attr:`widget` is built)
    ------------------------------------------
    setups : ipywidgets.SelectMultiple
    rounding : ipywidgets.Dropdown
        A label of :data:`ROUNDING_CHOICES` (starts at ``"raw"``); :attr:`decimals` is its value.
    top_by : ipywidgets.Dropdown
        The setup whose best architectures are kept (top-k).
    top_fraction : ipywidgets.FloatSlider
        Share of architectures kept (1 = all).
    figure : ChartView
        Its ``figure`` is the plotly figure drawn.
        The heatmap.
    caption : ipywidgets.HTML
        What is shown (method, rounding, architectures kept).
    """

    def __init__(
        self,
        records: pd.DataFrame,
        *,
        arch: str = "arch",
        setup: str = "setup",
        score: str = "score",
        method: str = "kendall",
    ) -> None:
        if not isinstance(records, pd.DataFrame):
            raise ParameterError(
                f"The 'records' parameter of RankCorrelationExplorer must be a DataFrame in long "
                f"format. Got {type(records).__name__} instead."
            )
        missing = [c for c in (arch, setup, score) if c not in records.columns]
        if missing:
            raise ParameterError(f"The 'records' parameter of RankCorrelationExplorer lacks column(s) {missing}.")
        self.records = records
        self.columns = (arch, setup, score)
        self.method = method

    def _build(self):
        w = widgets_module()
        names = list(pd.unique(self.records[self.columns[1]]))
        self.setups = w.SelectMultiple(options=names, value=tuple(names), description="Setups", rows=min(8, len(names)))
        labels = [label for label, _ in ROUNDING_CHOICES]
        self.rounding = w.Dropdown(options=labels, value=labels[0], description="Rounding")
        self.top_by = w.Dropdown(options=names, value=names[-1], description="Top by")
        self.top_fraction = w.FloatSlider(
            value=1.0, min=0.05, max=1.0, step=0.05, description="Top share", continuous_update=False
        )
        self.caption = w.HTML()
        self.figure = figure_widget()
        self.figure.add_heatmap(
            z=[[0.0]],
            x=[""],
            y=[""],
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            texttemplate="%{z:.3f}",
            hovertemplate="%{y} vs %{x}: %{z:.3f}<extra></extra>",
            colorbar=dict(title=chart_text(self.method)),
        )
        self.figure.update_layout(
            template="plotly_white",
            height=420,
            width=560,
            margin=dict(l=110, r=20, t=40, b=90),
            yaxis=dict(autorange="reversed"),
        )
        for control in (self.setups, self.rounding, self.top_by, self.top_fraction):
            control.observe(lambda _change: self._show(), names="value")
        self._show()
        return w.VBox(
            [w.HBox([self.setups, w.VBox([self.rounding, self.top_by, self.top_fraction])]), self.caption, self.figure]
        )

    @property
    def decimals(self) -> int | None:
        """Decimals the scores are rounded to (``None``: raw), from the rounding menu."""
        if not hasattr(self, "rounding"):
            self.widget  # noqa: B018 - the controls hold the choices
        return dict(ROUNDING_CHOICES)[self.rounding.value]

    def matrix(self) -> pd.DataFrame:
        """The correlation matrix for the current choices."""
        from nasnb.analysis import tau_matrix

        if not hasattr(self, "setups"):
            self.widget  # noqa: B018 - the controls hold the choices
        arch, setup, score = self.columns
        chosen = list(self.setups.value)
        if len(chosen) < 2:
            raise ParameterError("Choose at least two setups to correlate.")
        frame = self.records[self.records[setup].isin(chosen)]
        if self.top_fraction.value < 1.0:
            ref = frame[frame[setup] == self.top_by.value].sort_values(score, ascending=False, kind="stable")
            k = max(2, math.ceil(self.top_fraction.value * len(ref)))
            frame = frame[frame[arch].isin(ref[arch].head(k))]
        out = tau_matrix(frame, arch=arch, setup=setup, score=score, decimals=self.decimals, method=self.method)
        return out.loc[[c for c in chosen if c in out.index], [c for c in chosen if c in out.columns]]

    def _caption(self) -> str:
        n = self.records[self.columns[0]].nunique()
        kept = (
            f"top {self.top_fraction.value:.0%} by {self.top_by.value}" if self.top_fraction.value < 1 else f"all {n}"
        )
        return f"{self.method} correlation, {self.rounding.value}, {kept} architectures"

    def _show(self) -> None:
        try:
            m = self.matrix()
        except ParameterError as exc:
            self.caption.value = f'<i class="nasnb-rank-caption">{html_text(exc)}</i>'
            return
        self.caption.value = f'<b class="nasnb-rank-caption">{html_text(self._caption())}</b>'
        with self.figure.batch_update():
            self.figure.data[0].z = m.to_numpy(dtype=float).tolist()
            self.figure.data[0].x = chart_texts(m.columns)
            self.figure.data[0].y = chart_texts(m.index)
            self.figure.layout.title = chart_text(self._caption())

    def _snapshot(self) -> str:
        try:
            table = heatmap_html(self.matrix(), caption=self._caption())
        except ParameterError as exc:
            table = f"<i>{html_text(exc)}</i>"
        return f"<b>RankCorrelationExplorer</b>{table}"
