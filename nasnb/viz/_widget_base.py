"""Shared plumbing of nasnb's notebook widgets: lazy UI, static snapshots, the architecture view.

Widgets are built on maintained widget bases: :mod:`ipywidgets` containers and controls and
`anywidget <https://anywidget.dev>`_ views that draw from their synced state on every render:
:func:`figure_widget` (a plotly figure drawn by :class:`~nasnb.viz.chart_view.ChartView`:
axes, legend, hover text, click) and :func:`architecture_view` (an architecture whose layers
can be clicked). No view relies on a message sent before it exists, so widgets show their
current state after *Run All* on a busy kernel and after a page reload.

Every app (:class:`WidgetApp`) puts two representations in its mimebundle: the live widget
(a running kernel shows it) and a ``text/html`` **static snapshot** (architecture SVG, charts
as PNG images, tables) that GitHub, nbviewer, the docs and an ``nbconvert`` HTML export show
where no kernel runs, instead of ``VBox(children=(Dropdown(...``.

Examples
--------
>>> import pandas as pd
>>> from nasnb.descriptors import NeuralDescriptor
>>> relu = NeuralDescriptor.sequential(["nn.ReLU"]).to_json()
>>> rows = row_descriptors(pd.DataFrame({"descriptor_json": [relu, None]}))
>>> [None if d is None else d.topological_order() for d in rows]
[['layer_0'], None]
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from nasnb._optional import require
from nasnb.exceptions import NasnbError, ParameterError
from nasnb.viz._records import as_descriptor, genome_of_row

if TYPE_CHECKING:
    from nasnb.descriptors import NeuralDescriptor

__all__ = [
    "WidgetApp",
    "widgets_module",
    "row_descriptors",
    "architecture_view",
    "figure_widget",
    "figure_png_html",
    "SNAPSHOT_STYLE",
]

logger = logging.getLogger(__name__)

#: Inline style of a snapshot's outer ``<div>``.
SNAPSHOT_STYLE = "font-family:sans-serif;font-size:12px;border:1px solid #ddd;padding:6px;max-width:1100px"


def widgets_module():
    """``ipywidgets``, or an :class:`OptionalDependencyError` with an install hint."""
    return require("ipywidgets", extra="viz", purpose="build notebook widgets")


def figure_widget(figure: Any = None):
    """A chart widget of a plotly ``figure`` (empty when ``None``) that hovers and reports clicks.

    See :class:`nasnb.viz.chart_view.ChartView`: plotly's API on the Python side, a light
    front end that draws from the widget's state.
    """
    from nasnb.viz.chart_view import chart_view

    return chart_view(figure)


def figure_png_html(fig: Any, *, alt: str = "chart", dpi: int = 72) -> str:
    """An ``<img>`` with a matplotlib figure as inline PNG; the figure is closed afterwards.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1)); _ = fig.subplots().plot([0, 1])
    >>> figure_png_html(fig).startswith('<img alt="chart" src="data:image/png;base64,')
    True
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # noqa: BLE001 - a figure not registered with pyplot needs no closing
        pass
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"/>'


_ARCH_VIEW_ESM = r"""
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "nasnb-architecture-view";
  box.style.overflow = "auto";
  el.appendChild(box);
  const draw = () => {
    box.innerHTML = model.get("svg");
    box.dataset.selected = model.get("selected").join(",");
    const selected = model.get("selected");
    box.querySelectorAll("g.node[data-name]").forEach((g) => {
      const name = g.getAttribute("data-name");
      g.style.cursor = "pointer";
      const rect = g.querySelector("rect");
      if (selected.includes(name)) {
        g.classList.add("nasnb-selected");
        if (rect) { rect.setAttribute("stroke", "#d62728"); rect.setAttribute("stroke-width", "3"); }
      }
      g.addEventListener("click", () => {
        if (!model.get("selectable")) { return; }
        let sel = model.get("selected").slice();
        sel = sel.includes(name) ? sel.filter((n) => n !== name) : sel.concat([name]);
        model.set("selected", sel.slice(-2));
        model.save_changes();
      });
    });
  };
  model.on("change:svg", draw);
  model.on("change:selected", draw);
  draw();
}
export default { render };
"""

_VIEW_CLASS: Any = None


def architecture_view(svg: str = "", *, selectable: bool = False):
    """An anywidget that shows an architecture SVG; clicking a layer toggles it in ``selected``.

    Parameters
    ----------
    svg : str
        Markup to show (e.g. :func:`nasnb.viz.svg.architecture_svg` text, possibly wrapped).
    selectable : bool
        Whether clicks on layers (``g.node[data-name]``) select them (at most the last two).

    Returns
    -------
    anywidget.AnyWidget
        With synced traits ``svg`` (str), ``selected`` (list of layer names) and ``selectable``.
    """
    global _VIEW_CLASS
    if _VIEW_CLASS is None:
        widget_base: Any = require("anywidget", extra="viz", purpose="build notebook widgets").AnyWidget
        import traitlets

        class ArchitectureView(widget_base):
            """Architecture drawing whose layers can be clicked (see :func:`architecture_view`)."""

            _esm = _ARCH_VIEW_ESM
            svg = traitlets.Unicode("").tag(sync=True)
            selected = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
            selectable = traitlets.Bool(False).tag(sync=True)

        _VIEW_CLASS = ArchitectureView
    return _VIEW_CLASS(svg=svg, selectable=bool(selectable))


class WidgetApp:
    """Base of the viz widgets: the constructor stores arguments, :attr:`widget` builds the UI.

    A subclass implements ``_build() -> ipywidgets.Widget`` and ``_snapshot() -> str`` (the
    static HTML). The app displays itself when it is the last expression of a cell: live in a
    kernel, as its snapshot elsewhere.
    """

    _ui: Any = None

    @property
    def widget(self):
        """The top-level ipywidgets container (built on first access)."""
        if self._ui is None:
            self._ui = self._build()
        return self._ui

    def _build(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _snapshot(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def snapshot_html(self) -> str:
        """The static picture of the widget's current state (HTML with inline SVG / PNG, no script)."""
        self.widget  # noqa: B018 - the snapshot shows the built state
        try:
            body = self._snapshot()
        except (NasnbError, ValueError, RuntimeError) as exc:  # a snapshot must never break display
            logger.warning("%s could not draw its snapshot: %s", type(self).__name__, exc)
            body = f"<i>(no snapshot: {html.escape(str(exc))})</i>"
        return f'<div class="nasnb-snapshot" data-widget="{type(self).__name__}" style="{SNAPSHOT_STYLE}">{body}</div>'

    def __repr__(self) -> str:
        return f"<{type(self).__name__} widget>"

    def _repr_mimebundle_(self, **kwargs: Any):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data or {})
        data["text/html"] = self.snapshot_html()
        data["text/plain"] = repr(self)
        return (data, meta) if meta else data


def row_descriptors(frame: pd.DataFrame, descriptors: Any = None) -> list[Any]:
    """One drawable descriptor (or ``None``) per row of ``frame``.

    Sources, in order: ``descriptors`` (a sequence parallel to the rows, or a callable of a
    row), a genome column (whole graph, inactive nodes included), ``descriptor_json``.
    """
    if descriptors is not None and not callable(descriptors):
        items: Sequence[Any] = list(descriptors)
        if len(items) != len(frame):
            raise ParameterError(
                f"The 'descriptors' parameter has {len(items)} entries for {len(frame)} records; "
                "give one per record (None where there is none)."
            )
    out: list[NeuralDescriptor | None] = []
    for i, (_, row) in enumerate(frame.iterrows()):
        if descriptors is not None:
            item = descriptors(row) if callable(descriptors) else items[i]
        else:
            item = genome_of_row(row)
            if item is None or item.get("format") != "nasnb.genome":
                item = row.get("descriptor_json")
        if item is None or (isinstance(item, float) and item != item):
            out.append(None)
            continue
        try:
            out.append(as_descriptor(item, func="row_descriptors"))
        except (NasnbError, ValueError):
            out.append(None)
    return out
