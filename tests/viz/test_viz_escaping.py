"""Hostile names never reach the browser as markup.

A study, search label, layer name or type, status, setup, metric or title holding an HTML
payload is put into every view (live widget state, static snapshot, plotly figures, rich
display); every HTML-bearing string is parsed and must contain no element or attribute the
payload brings, and every plotly string must hold the payload only escaped (plotly renders
``&lt;`` as ``<``).
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import matplotlib
import numpy as np
import pandas as pd
import pytest

from nasnb.descriptors import NeuralDescriptor
from nasnb.viz import (ArchitectureEditor, EvolutionExplorer, GenomeInspector, LiveDashboard, RankCorrelationExplorer,
                       StudyExplorer, descriptor_html, genome_html, plot_architecture, plot_ecdf, plot_gene_boxes,
                       plot_overlay, plot_parallel_coordinates, plot_params_fitness, plot_progress, plot_tau_heatmap,
                       plot_timeline, study_html, tau_heatmap_data)

matplotlib.use("Agg")

P = "<img src=x onerror=alert(1)>"


class _Markup(HTMLParser):
    """Collects elements and event-handler attributes found in a string."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src") or ""
        if tag in ("script", "iframe", "object", "embed") or (tag == "img" and not src.startswith("data:image/png")):
            self.bad.append(f"<{tag}>")
        self.bad += [f"{tag}[{name}]" for name, _ in attrs if name.startswith("on")]

    handle_startendtag = handle_starttag


def assert_no_markup(text: str, where: str) -> None:
    parser = _Markup()
    parser.feed(text)
    parser.close()
    assert not parser.bad, f"unescaped markup {parser.bad} in {where}: ...{text[max(0, text.find('<img') - 80):][:200]}"


def walk_strings(obj, path=""):
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk_strings(k, f"{path}/<key>")
            yield from walk_strings(v, f"{path}/{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from walk_strings(v, f"{path}[{i}]")
    elif isinstance(obj, np.ndarray) and obj.dtype == object:
        yield from walk_strings(obj.tolist(), path)


def assert_plotly_clean(fig, where: str) -> None:
    """Every string of a plotly figure holds the payload only escaped.

    ``customdata`` is data for Python callbacks (a row, a layer name) and is checked only where
    a hover template shows it.
    """
    spec = fig.to_plotly_json()
    data = [{k: v for k, v in trace.items() if k != "customdata" or "customdata" in str(trace.get("hovertemplate"))}
            for trace in spec["data"]]
    for path, text in walk_strings({"data": data, "layout": spec["layout"]}):
        assert "<img" not in text, f"raw payload in plotly {where}{path}: {text[:120]!r}"


def assert_widget_clean(widget, where: str) -> None:
    """HTML widgets, anywidget drawings and plotly charts of a widget tree are free of markup."""
    import ipywidgets as w
    from nasnb.viz.chart_view import ChartView

    seen = 0
    stack = [widget]
    while stack:
        node = stack.pop()
        seen += 1
        if isinstance(node, ChartView):
            assert_plotly_clean(node.figure, where)
            for path, text in walk_strings(node.spec):   # what the front end draws
                assert "<img" not in text, f"raw payload in chart spec {where}{path}"
            continue
        if isinstance(node, (w.HTML, w.HTMLMath)):
            assert_no_markup(node.value, f"{where} {type(node).__name__}")
        if hasattr(node, "svg") and isinstance(node.svg, str):
            assert_no_markup(node.svg, f"{where} architecture view")
        description = getattr(node, "description", "")
        if isinstance(description, str) and getattr(getattr(node, "style", None), "description_allow_html", False):
            assert_no_markup(description, f"{where} description")
        stack += list(getattr(node, "children", ()) or ())
    assert seen > 3


def hostile_descriptor(k: int = 1) -> NeuralDescriptor:
    d = NeuralDescriptor.sequential(["nn.Identity"], name=P)
    for i in range(k):
        d.add_layer_sequential(P, {P: P}, name=f"{P}{i}")
    return d


def hostile_genome() -> str:
    return json.dumps({"format": "nasnb.genome", "schema_version": 1,
                       "layers": [{"innovation": 1, "type": P, "params": {P: P}}],
                       "connections": [[0, -2, 99, False], [2, -2, 1, True], [3, 1, 99, True]],
                       "hyperparameters": []})


def hostile_records(n: int = 6) -> pd.DataFrame:
    return pd.DataFrame({"seq": range(n), "fitness": np.linspace(0.2, 0.8, n), "status": [P] + ["done"] * (n - 1),
                         "descriptor_json": [hostile_descriptor(1 + i % 2).to_json() for i in range(n)],
                         "metrics": [json.dumps({P: P, "accuracy": 0.5})] * n, "num_parameters": range(10, 10 + n),
                         "engine": [P] * n, "started_at": np.arange(n, dtype=float),
                         "finished_at": np.arange(n, dtype=float) + 0.5})


def check_app(app, name: str) -> None:
    snap = app.snapshot_html()
    assert_no_markup(snap, f"{name} snapshot")
    assert "&lt;img" in snap, f"{name} snapshot does not show the hostile name at all"
    assert_widget_clean(app.widget, name)
    bundle = app._repr_mimebundle_()
    assert_no_markup(bundle["text/html"], f"{name} mimebundle")


def test_live_dashboard_escapes_title_status_and_architecture():
    dash = LiveDashboard(title=P)
    dash.update({"fitness": 0.5, "status": P, "descriptor_json": hostile_descriptor().to_json()})
    check_app(dash, "LiveDashboard")
    assert "&lt;img" in dash.header.value


def test_rank_explorer_escapes_setups_captions_and_errors():
    long = pd.DataFrame({"arch": [0, 1, 2] * 2, "setup": [P] * 3 + [P + "b"] * 3, "score": [1, 2, 3, 1, 3, 2]})
    ex = RankCorrelationExplorer(long)
    ex.widget
    ex.top_fraction.value = 0.5   # the caption names the top-by setup
    check_app(ex, "RankCorrelationExplorer")
    ex.setups.value = (P,)       # error text
    assert_no_markup(ex.caption.value, "RankCorrelationExplorer error")
    assert_no_markup(ex.snapshot_html(), "RankCorrelationExplorer error snapshot")
    assert_plotly_clean(ex.figure.figure, "RankCorrelationExplorer")


def test_study_explorer_and_inspectors_escape_labels_layers_statuses_and_metrics():
    records = hostile_records()
    check_app(StudyExplorer({P: records, "other": records}), "StudyExplorer")
    check_app(GenomeInspector(records), "GenomeInspector")
    genomes = records.drop(columns="descriptor_json").assign(genome_json=hostile_genome())
    check_app(GenomeInspector(genomes), "GenomeInspector(genomes)")
    check_app(EvolutionExplorer(records, population_size=3), "EvolutionExplorer")


def test_editor_escapes_layer_names_types_and_dataset():
    ed = ArchitectureEditor(hostile_descriptor(), dataset=P, palette={P: (P, {P: P})})
    check_app(ed, "ArchitectureEditor")
    assert ed.errors  # an unknown layer type: the error text (naming it) is shown escaped


def test_rich_display_escapes_names():
    assert_no_markup(descriptor_html(hostile_descriptor()), "descriptor_html")
    assert_no_markup(genome_html(hostile_genome()), "genome_html")
    assert_no_markup(study_html(hostile_records(), name=P), "study_html")


@pytest.mark.parametrize("chart", ["progress", "ecdf", "params", "parallel", "timeline", "boxes", "tau",
                                   "architecture", "overlay"])
def test_plotly_charts_escape_names_and_hover_texts(chart):
    records = hostile_records()
    if chart == "progress":
        fig = plot_progress({P: records}, backend="plotly")
    elif chart == "ecdf":
        fig = plot_ecdf({P: records}, backend="plotly")
    elif chart == "params":
        fig = plot_params_fitness(records.assign(**{P: [P, "b"] * 3}), hue=P, backend="plotly")
    elif chart == "parallel":
        fig = plot_parallel_coordinates(records.assign(**{P: [P, "b"] * 3}), params=[P], backend="plotly")
    elif chart == "timeline":
        fig = plot_timeline(records.assign(status=P, started=records.started_at, finished=records.finished_at),
                            backend="plotly")
    elif chart == "boxes":
        fig = plot_gene_boxes(records.assign(**{P: [P, "b"] * 3}), gene=P, metric="fitness", backend="plotly")
    elif chart == "tau":
        long = pd.DataFrame({"arch": [0, 1, 2] * 2, "setup": [P] * 3 + [P + "b"] * 3, "score": [1, 2, 3, 1, 3, 2]})
        fig = plot_tau_heatmap(tau_heatmap_data(long, title=P), backend="plotly")
    elif chart == "architecture":
        fig = plot_architecture(hostile_descriptor(), backend="plotly")
    else:
        fig = plot_overlay([hostile_descriptor(1), hostile_descriptor(2)], backend="plotly")
    assert_plotly_clean(fig, chart)
    assert any("&lt;img" in text for _, text in walk_strings(fig.to_plotly_json()["layout"])
               ) or any("&lt;img" in text for _, text in walk_strings(fig.to_plotly_json()["data"])), \
        f"{chart}: the hostile name is not shown at all"
