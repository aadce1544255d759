"""A live dashboard for a running search: counts, best so far, progress chart, best architecture.

Two ways to feed it, neither blocks the notebook:

* **push** -- call :meth:`LiveDashboard.update` with each new result (an
  :class:`~nasnb.results.EvaluationResult`, a record dict or a store row), e.g. from an
  evaluator wrapped by :meth:`LiveDashboard.wrap` or from your own ask/tell loop;
* **poll** -- :meth:`LiveDashboard.watch` starts a daemon thread that re-reads a source (a
  ``Study`` of the experiment store, a strategy's ``history``, any object with
  ``to_dataframe()`` or a callable returning records) every ``interval`` seconds and applies the
  new rows; :meth:`LiveDashboard.stop` ends it. Run the search itself in a cluster/executor
  or a thread while the dashboard watches its study.

The chart is a :class:`~nasnb.viz.chart_view.ChartView` (axes, legend below the plot, hover
text; the best so far drawn as steps) redrawn from its state on each update; the best architecture is an anywidget
drawing. Outside a kernel the
dashboard shows a static snapshot (header, chart as PNG, best architecture).

Examples
--------
>>> from nasnb.results import EvaluationResult
>>> dash = LiveDashboard()
>>> dash.update(EvaluationResult(0.5, {"accuracy": 0.8}, 1.0, fitness=0.8))
>>> dash.update({"fitness": 0.9, "status": "done"})
>>> dash.best_fitness, len(dash)
(0.9, 2)
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from nasnb._validation import parameter_error
from nasnb.exceptions import NasnbError
from nasnb.results import competes
from nasnb.viz._records import as_descriptor, as_frame
from nasnb.viz._text import chart_text, html_text
from nasnb.viz._widget_base import WidgetApp, architecture_view, figure_png_html, figure_widget, widgets_module
from nasnb.viz.layout import SharedLayout
from nasnb.viz.svg import architecture_svg

__all__ = ["LiveDashboard"]

logger = logging.getLogger(__name__)


class _Wrapped:
    """An evaluator proxy that reports every result to a dashboard (serial use)."""

    def __init__(self, evaluator: Any, dashboard: LiveDashboard) -> None:
        self._evaluator, self._dashboard = evaluator, dashboard

    def descriptor_evaluate(self, descriptor: Any, *args: Any, **kwargs: Any):
        result = self._evaluator.descriptor_evaluate(descriptor, *args, **kwargs)
        self._dashboard.update(result, descriptor=descriptor)
        return result

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._evaluator, name)
        if name == "evaluate_candidate":

            def evaluate_candidate(candidate: Any, *args: Any, **kwargs: Any):
                result = attr(candidate, *args, **kwargs)
                self._dashboard.update(result)
                return result

            return evaluate_candidate
        return attr


class LiveDashboard(WidgetApp):
    """Live view of a search as its results arrive.

    Parameters
    ----------
    maximize : bool
        Whether higher fitness is better.
    title : str
        Heading of the dashboard.
    """

    def __init__(self, *, maximize: bool = True, title: str = "Search") -> None:
        self.maximize = bool(maximize)
        self.title = str(title)
        self._seq: list[float] = []
        self._fitness: list[float] = []
        self._best: list[float] = []
        self._counts: dict[str, int] = {}
        self._best_descriptor: Any = None
        self._best_seq: int | None = None
        self._seen: set = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._layout = SharedLayout()
        self._started = time.perf_counter()

    def __len__(self) -> int:
        return len(self._seq)

    @property
    def best_fitness(self) -> float:
        """Best fitness so far (NaN before the first finite result)."""
        return self._best[-1] if self._best else float("nan")

    def frame(self) -> pd.DataFrame:
        """The results received so far (seq, fitness, best_so_far)."""
        with self._lock:
            return pd.DataFrame({"seq": self._seq, "fitness": self._fitness, "best_so_far": self._best})

    # ----------------------------------------------------------------- widget
    def _build(self):
        w = widgets_module()
        self.header = w.HTML()
        self.chart = figure_widget()
        self.chart.add_scatter(
            x=[],
            y=[],
            mode="markers",
            name="evaluations",
            marker=dict(size=6, opacity=0.55, color="#4e79a7"),
            hovertemplate="#%{x}: %{y:.4f}<extra></extra>",
        )
        self.chart.add_scatter(
            x=[], y=[], mode="lines", line_shape="hv", name="best so far", line=dict(width=2.5, color="#e15759")
        )
        self.chart.update_layout(
            template="plotly_white",
            height=320,
            width=640,
            title=chart_text(self.title),
            xaxis_title="evaluation",
            yaxis_title="fitness",
            margin=dict(l=55, r=15, t=40, b=45),
        )
        self.architecture = architecture_view()
        self._render()
        # the legend sits below the plot (ChartView); the best architecture below the chart keeps its width
        return w.VBox([self.header, self.chart, self.architecture])

    def _header_html(self) -> str:
        n = len(self._seq)
        counts = ", ".join(f"{html_text(k)}: {v}" for k, v in sorted(self._counts.items())) or "no results yet"
        rate = n / max(time.perf_counter() - self._started, 1e-9)
        best = f"{self.best_fitness:.4f} (#{self._best_seq})" if self._best_seq is not None else "-"
        return (
            f'<div class="nasnb-dashboard" data-results="{n}"><b>{html_text(self.title)}</b>: {n} results '
            f"({counts}); best {best}; {rate:.2f} results/s</div>"
        )

    def _architecture_svg(self) -> str:
        if self._best_descriptor is None:
            return ""
        try:
            return "<div>best architecture</div>" + architecture_svg(self._best_descriptor, self._layout)
        except NasnbError as exc:
            logger.debug("LiveDashboard cannot draw the best architecture: %s", exc)
            return ""

    def _render(self) -> None:
        if self._ui is None and not hasattr(self, "header"):
            return  # nothing displayed yet; the first build renders everything
        with self._lock:
            seq, fit, best = list(self._seq), list(self._fitness), list(self._best)
        self.header.value = self._header_html()
        with self.chart.batch_update():
            self.chart.data[0].x, self.chart.data[0].y = seq, fit
            self.chart.data[1].x, self.chart.data[1].y = seq, best
        svg = self._architecture_svg()
        if svg and svg != self.architecture.svg:
            self.architecture.svg = svg

    def _snapshot(self) -> str:
        from nasnb.viz.charts_search import plot_progress

        chart = (
            figure_png_html(plot_progress(self.frame(), figsize=(6, 3.2)), alt="progress")
            if len(self)
            else "<i>no results yet</i>"
        )
        return (
            f"{self._header_html()}<div style='display:flex;flex-wrap:wrap;gap:12px'><div>{chart}</div>"
            f"<div>{self._architecture_svg()}</div></div>"
        )

    # ----------------------------------------------------------------- feeding
    def update(self, record: Any, *, descriptor: Any = None, seq: int | None = None) -> None:
        """Add one result and refresh the display.

        Parameters
        ----------
        record : EvaluationResult, dict or pandas Series
            Needs ``fitness`` (and ``status``; default ``done``); a ``seq`` / ``descriptor_json``
            entry is used when present.
        descriptor : optional
            The evaluated architecture (drawn if it is the best so far).
        seq : int, optional
            Ask index; defaults to the record's ``seq`` or the number of results so far.
        """
        self._add(record, descriptor, seq)
        self._render()

    def _add(self, record: Any, descriptor: Any, seq: int | None) -> None:
        if hasattr(record, "to_dict") and not isinstance(record, (Mapping, pd.Series)):
            data = record.to_dict()
        elif isinstance(record, (Mapping, pd.Series)):
            data = dict(record)
        else:
            raise parameter_error(
                "record", "LiveDashboard.update", "an EvaluationResult, a dict or a Series", type(record).__name__
            )
        fitness = data.get("fitness")
        status = str(data.get("status", "done"))
        finished = fitness is not None and not pd.isna(fitness) and competes(status)
        fitness = float(fitness) if finished else float("nan")  # a failed row's placeholder is never ranked
        with self._lock:
            if seq is None:
                seq = data.get("seq", len(self._seq))
            self._seq.append(float(seq))
            self._fitness.append(fitness)
            self._counts[status] = self._counts.get(status, 0) + 1
            prev = self._best[-1] if self._best else float("nan")
            improves = fitness > prev if self.maximize else fitness < prev
            better = math.isfinite(fitness) and (math.isnan(prev) or improves)
            self._best.append(fitness if better else prev)
            if better:
                self._best_seq = int(seq)
                source = descriptor if descriptor is not None else data.get("descriptor_json")
                if source is not None:
                    try:
                        self._best_descriptor = as_descriptor(source, func="LiveDashboard.update")
                    except (NasnbError, ValueError) as exc:
                        logger.debug("LiveDashboard ignores an unreadable descriptor: %s", exc)

    def update_many(self, records: Any) -> int:
        """Add every record of a frame / list not seen before (by ``id`` or ``seq``); return how many."""
        frame = as_frame(records, func="LiveDashboard.update_many")
        if "status" in frame.columns:
            frame = frame[~frame["status"].isin(("queued", "running"))]
        key = "id" if "id" in frame.columns else "seq"
        added = 0
        for _, row in frame.iterrows():
            k = row[key]
            if k in self._seen:
                continue
            self._seen.add(k)
            self._add(row, None, None)
            added += 1
        if added:
            self._render()
        return added

    def wrap(self, evaluator: Any):
        """An evaluator proxy that reports each result here (for serial ``strategy.run`` calls)."""
        return _Wrapped(evaluator, self)

    # ----------------------------------------------------------------- polling
    def watch(self, source: Any, *, interval: float = 1.0) -> LiveDashboard:
        """Poll ``source`` in a daemon thread every ``interval`` seconds; return ``self``.

        ``source``: an object with ``to_dataframe()`` (a ``Study``, a ``SearchHistory``), a
        strategy (its ``history`` is read), or a callable returning records.
        """
        if not (interval > 0):
            raise parameter_error("interval", "LiveDashboard.watch", "a positive number", interval)
        self.stop()
        read = self._reader(source)
        self._stop = threading.Event()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.update_many(read())
                except Exception:  # noqa: BLE001 - a polling thread must survive a bad read; logged
                    logger.exception("LiveDashboard could not read its source")
                self._stop.wait(interval)

        self._thread = threading.Thread(target=loop, name="nasnb-dashboard", daemon=True)
        self._thread.start()
        return self

    @staticmethod
    def _reader(source: Any) -> Callable[[], Any]:
        if callable(source) and not hasattr(source, "to_dataframe"):
            return source
        if hasattr(source, "to_dataframe"):
            return source.to_dataframe
        if hasattr(source, "history"):
            return lambda: source.history.to_dataframe()
        raise parameter_error(
            "source",
            "LiveDashboard.watch",
            "a Study, a SearchHistory, a strategy or a callable returning records",
            type(source).__name__,
        )

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling (waits for the thread to finish its current read)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
