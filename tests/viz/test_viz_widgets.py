"""Widgets without a browser: change a control (or dispatch a click), check what depends on it."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

import nasnb
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import ParameterError
from nasnb.results import EvaluationResult
from nasnb.viz import (ArchitectureEditor, EvolutionExplorer, GenomeInspector, LiveDashboard, RankCorrelationExplorer,
                       StudyExplorer)
from nasnb.viz.genome import study_candidates
from nasnb.viz.linked import ecdf_figure, params_fitness_figure, progress_figure


def genome(layers, connections):
    return json.dumps({"format": "nasnb.genome", "schema_version": 1,
                       "layers": [{"innovation": i, "type": t, "params": {}} for i, t in layers],
                       "connections": connections, "hyperparameters": []})


G0 = genome([(1, "CONV_3.N")], [[0, -2, 99, False], [2, -2, 1, True], [3, 1, 99, True]])
G1 = genome([(1, "CONV_3.N"), (4, "POOL_2.M")],
            [[0, -2, 99, True], [2, -2, 1, True], [3, 1, 99, False], [5, 1, 4, True], [6, 4, 99, True]])


def study_frame():
    return pd.DataFrame({"seq": [0, 1], "fitness": [0.74, 0.61], "status": ["done", "done"],
                         "genome_json": [G0, G1], "metrics": ['{"accuracy": 0.74}', '{"accuracy": 0.61}']})


def click(figure, trace_index, point_index):
    """What the chart's front end sends when a point is clicked in the browser: the synced ``clicked`` trait."""
    figure.clicked = {"trace": trace_index, "point": point_index, "n": figure.clicked.get("n", 0) + 1}


# ----------------------------------------------------------------------------- inspector
def test_genome_inspector_opens_on_best_and_selection_changes_plot_tables_metrics():
    insp = GenomeInspector(study_frame())
    insp.widget
    assert int(insp.current["seq"]) == 0 and 'data-seq="0"' in insp.plot.svg  # the best (0.74)
    assert 'data-name="node_4"' not in insp.plot.svg
    insp.selector.value = 1  # what the dropdown does
    assert 'data-seq="1"' in insp.plot.svg and 'data-name="node_4"' in insp.plot.svg
    assert "POOL_2.M" in insp.tables.value and "connections chromosome" in insp.tables.value
    assert "0.6100" in insp.metrics.value and "accuracy" in insp.metrics.value
    assert insp.layout.key_positions()["<input>"] == (0.0, 0.0)  # shared layout
    with pytest.raises(ParameterError, match="seq"):
        insp.select(7)


def test_genome_inspector_with_descriptors_only():
    a = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    b = NeuralDescriptor.sequential(["nn.Identity", "nn.Tanh", "nn.ReLU"])
    insp = GenomeInspector([EvaluationResult(0.1, {}, 1.0, fitness=0.5), EvaluationResult(0.1, {}, 1.0, fitness=0.6)],
                           descriptors=[a, b])
    assert int(insp.current["seq"]) == 1
    assert "nn.Tanh" in insp.tables.value and insp.plot.svg.count('class="node"') == 3
    insp.select(0)
    assert insp.plot.svg.count('class="node"') == 2


class LengthEvaluator:
    """Fitness = share of conv layers; instant, deterministic."""

    def descriptor_evaluate(self, descriptor, *args, **kwargs):
        types = [s.type for s in descriptor.layers.values()]
        return EvaluationResult(0.0, {"accuracy": 0.1}, 0.01,
                                fitness=sum(t.startswith("CONV") for t in types) / max(len(types), 1))


def test_inspector_shows_the_chromosomes_stored_with_a_study(tmp_path):
    space = nasnb.layer_choice_space(8)
    study = nasnb.ExperimentStore(tmp_path / "s.sqlite").create_study("re", {})
    history = nasnb.RegularizedEvolution(space, population_size=4, sample_size=2, seed=0).run(
        LengthEvaluator(), 8, study=study)
    stored = study_candidates(study)
    assert sorted(stored) == list(range(8))
    assert stored[5] == space.candidate_to_json(history.candidates[5])
    insp = GenomeInspector(study)
    insp.select(5)
    assert "layers chromosome" in insp.tables.value and "connections chromosome" in insp.tables.value
    types = [g["type"] for g in stored[5]["layers"]]
    assert all(t in insp.tables.value for t in types)
    assert "innovation" in insp.tables.value


# ----------------------------------------------------------------------------- linked charts
def two_searches():
    archs = [NeuralDescriptor.sequential(["nn.Identity"] + ["nn.ReLU"] * k + ["nn.Tanh"] * (k % 2)).to_json()
             for k in range(1, 7)]
    evo = pd.DataFrame({"fitness": [0.3, 0.6, 0.5, 0.9], "descriptor_json": archs[:4]})
    rnd = pd.DataFrame({"fitness": [0.4, 0.2], "descriptor_json": archs[4:]})
    return {"evolution": evo, "random": rnd}


def test_click_on_progress_ecdf_and_params_points_shows_that_architecture():
    ex = StudyExplorer(two_searches())
    ex.widget
    assert ex.inspector.current["label"] == "evolution" and int(ex.inspector.current["seq"]) == 3  # best
    progress = ex.figures["progress"]
    assert progress.layout.xaxis.title.text == "evaluation" and progress.layout.yaxis.title.text == "fitness"
    assert [t.name for t in progress.data] == ["evolution", "evolution: best so far", "random",
                                               "random: best so far"]
    assert list(progress.data[1].y) == [0.3, 0.6, 0.6, 0.9] and progress.data[1].line.shape == "hv"
    click(progress, 2, 1)  # random search, second point
    cur = ex.inspector.current
    assert cur["label"] == "random" and int(cur["seq"]) == 1 and 'data-row="5"' in ex.inspector.plot.svg
    ecdf = ex.figures["ecdf"]
    assert list(ecdf.data[0].x) == [0.3, 0.5, 0.6, 0.9] and list(ecdf.data[0].y) == [0.25, 0.5, 0.75, 1.0]
    click(ecdf, 0, 1)  # fitness 0.5 = evolution #2
    assert int(ex.inspector.current["seq"]) == 2 and ex.inspector.current["label"] == "evolution"
    params = ex.figures["params"]
    assert params.layout.xaxis.type == "log" and len(params.data[0].x) == 4
    click(params, 1, 0)
    assert ex.inspector.current["label"] == "random" and int(ex.inspector.current["seq"]) == 0
    ex.chart_switch.value = "ecdf"
    assert ex.chart_box.children == (ecdf,)


def test_params_chart_counts_built_networks_and_reads_columns():
    d1 = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3})]).to_json()
    d2 = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 8, "kernel_size": 3})]).to_json()
    frame = pd.DataFrame({"fitness": [0.5, 0.7], "descriptor_json": [d1, d2]})
    built = params_fitness_figure(frame)
    small = nasnb.build_network(NeuralDescriptor.from_json(d1), (1, 8, 8), 10).num_parameters()
    assert built.data[0].x[0] == small and built.data[0].x[1] > small
    given = params_fitness_figure(frame.assign(num_parameters=[10, 1000]))
    assert list(given.data[0].x) == [10, 1000] and list(given.data[0].customdata.ravel()) == [0, 1]


def test_progress_and_ecdf_skip_failed_runs_and_tell_searches_apart():
    frame = pd.DataFrame({"fitness": [0.2, np.nan, 0.5], "status": ["done", "failed", "done"]})
    fig = progress_figure({"a": frame, "b": frame})
    assert list(fig.data[1].y) == [0.2, 0.2, 0.5]
    assert fig.data[0].marker.symbol != fig.data[2].marker.symbol and fig.data[1].line.dash != fig.data[3].line.dash
    assert list(ecdf_figure(frame).data[0].customdata.ravel()) == [0, 2]


# ----------------------------------------------------------------------------- snapshots
def test_every_widget_has_a_static_snapshot_in_its_mimebundle():
    long = pd.DataFrame({"arch": [0, 1, 2] * 2, "setup": ["a"] * 3 + ["b"] * 3, "score": [1, 2, 3, 1, 3, 2]})
    dash = LiveDashboard()
    dash.update({"fitness": 0.5, "descriptor_json": NeuralDescriptor.sequential(["nn.ReLU"]).to_json()})
    apps = [GenomeInspector(study_frame()), StudyExplorer(two_searches()), RankCorrelationExplorer(long), dash,
            EvolutionExplorer(evolution_frame(6), population_size=3), ArchitectureEditor()]
    for app in apps:
        bundle = app._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        snap = bundle["text/html"]
        assert f'data-widget="{type(app).__name__}"' in snap and "<script" not in snap
        assert "VBox" not in bundle["text/plain"]
        if not isinstance(app, RankCorrelationExplorer):
            assert "<svg" in snap
    assert '<img alt="best so far" src="data:image/png;base64,' in apps[1].snapshot_html()
    assert "nasnb-param-count" in apps[-1].snapshot_html()


# ----------------------------------------------------------------------------- evolution explorer
def evolution_frame(n=14):
    rng = np.random.default_rng(0)
    archs = []
    for i in range(n):
        types = ["nn.Identity"] + ["nn.ReLU"] * (1 + i % 3) + ["nn.Tanh"]
        archs.append(NeuralDescriptor.sequential(types).to_json())
    return pd.DataFrame({"seq": range(n), "fitness": np.round(rng.random(n), 3), "status": "done",
                         "descriptor_json": archs})


def test_evolution_explorer_slider_changes_population_best_overlay_and_chart():
    frame = evolution_frame()
    ex = EvolutionExplorer(frame, population_size=4, cycle_size=2)
    assert ex.cycles().tolist() == [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    ex.widget
    assert 'data-cycle="5"' in ex.summary.value and 'data-evaluations="14"' in ex.summary.value
    ex.slider.value = 0
    assert 'data-evaluations="4"' in ex.summary.value and 'data-n="4"' in ex.overlay.svg
    assert f"{frame.fitness[:4].max():.4f}" in ex.summary.value
    assert list(ex.chart.data[-1].x) == [0, 1, 2, 3] and ex.chart.layout.shapes[0].x0 == 3
    ex.slider.value = 2
    assert ex.state(2)["population"]["seq"].tolist() == [4, 5, 6, 7]  # aging: the 4 most recent
    assert 'data-n="8"' in ex.overlay.svg and list(ex.chart.data[-1].x) == [4, 5, 6, 7]
    click(ex.chart, 0, 9)
    assert int(ex.inspector.current["seq"]) == 9


def test_evolution_explorer_uses_removed_at():
    frame = evolution_frame(6).assign(removed_at=[4, -1, 5, -1, -1, -1])
    st = EvolutionExplorer(frame, population_size=4).state(1)  # up to seq 4
    assert st["population"]["seq"].tolist() == [1, 2, 3, 4]


# ----------------------------------------------------------------------------- dashboard
def test_live_dashboard_push_and_poll():
    dash = LiveDashboard(title="demo")
    dash.widget
    d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    dash.update(EvaluationResult(0.3, {}, 1.0, fitness=0.4), descriptor=d)
    dash.update(EvaluationResult.invalid("no path"))
    dash.update({"fitness": 0.35})
    assert 'data-results="3"' in dash.header.value and "invalid: 1" in dash.header.value
    assert 'data-name="layer_1"' in dash.architecture.svg
    assert list(dash.chart.data[1].y)[::2] == [0.4, 0.4] and dash.chart.data[1].line.shape == "hv"
    assert dash.best_fitness == 0.4

    rows = []

    def source():
        return pd.DataFrame(rows, columns=["id", "seq", "fitness", "status"])

    polled = LiveDashboard().watch(source, interval=0.02)
    try:
        rows.extend([{"id": 1, "seq": 0, "fitness": 0.5, "status": "done"},
                     {"id": 2, "seq": 1, "fitness": None, "status": "running"}])
        deadline = time.monotonic() + 5
        while len(polled) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        rows[1] = {"id": 2, "seq": 1, "fitness": 0.8, "status": "done"}
        while len(polled) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        polled.stop()
    assert len(polled) == 2 and polled.best_fitness == 0.8


def test_live_dashboard_wraps_an_evaluator():
    class Evaluator:
        def descriptor_evaluate(self, descriptor, epochs=1, dataset="x"):
            return EvaluationResult(0.1, {}, 0.0, fitness=len(descriptor) / 10)

    dash = LiveDashboard()
    wrapped = dash.wrap(Evaluator())
    for k in (2, 3):
        wrapped.descriptor_evaluate(NeuralDescriptor.sequential(["nn.Identity"] * k), epochs=1)
    assert dash.frame()["best_so_far"].tolist() == [0.2, 0.3]


# ----------------------------------------------------------------------------- rank explorer
def test_rank_explorer_starts_with_sensible_defaults_and_controls_change_heatmap():
    rng = np.random.default_rng(0)
    base = rng.random(12)
    long = pd.DataFrame({"arch": list(range(12)) * 3,
                         "setup": ["1 epoch"] * 12 + ["10 epochs"] * 12 + ["50 epochs"] * 12,
                         "score": np.concatenate([base + rng.normal(0, 0.2, 12), base + rng.normal(0, 0.05, 12), base])})
    ex = RankCorrelationExplorer(long)
    ex.widget
    assert ex.rounding.value == "raw" and ex.rounding.index == 0 and ex.decimals is None  # not blank
    assert ex.setups.value == ("1 epoch", "10 epochs", "50 epochs") and ex.top_fraction.value == 1.0
    assert np.asarray(ex.figure.data[0].z).shape == (3, 3) and np.allclose(np.diag(ex.figure.data[0].z), 1.0)
    ex.setups.value = ("1 epoch", "50 epochs")
    assert list(ex.figure.data[0].x) == ["1 epoch", "50 epochs"]
    ex.rounding.value = "0 decimals"
    assert ex.decimals == 0 and "0 decimals" in ex.caption.value
    ex.top_by.value = "50 epochs"
    ex.top_fraction.value = 0.5
    assert "top 50% by 50 epochs" in ex.caption.value
    ex.setups.value = ("1 epoch",)
    assert "at least two" in ex.caption.value


# ----------------------------------------------------------------------------- editor
def test_editor_edits_validate_live_and_count_parameters():
    ed = ArchitectureEditor()
    ed.widget
    n0 = ed.num_parameters
    assert 'data-params="%d"' % n0 in ed.status.value and ed.errors == []
    ed.view.selected = ["relu"]  # a click on the relu layer
    ed.layer_choice.value = "Conv 3×3, 16 filters"
    ed.buttons["insert"].click()
    new = ed.view.selected[0]
    assert ed.descriptor.topological_order() == ["conv", "relu", new, "pool"]
    assert ed.num_parameters > n0 and 'data-params="%d"' % ed.num_parameters in ed.status.value
    assert ed.realised.svg.count('class="node"') >= 4 and "total parameters" in ed.summary.value
    ed.view.selected = ["pool", "conv"]
    ed.buttons["connect"].click()  # a cycle: shown, not raised
    assert "cycle" in ed.errors[0] and "cycle" in ed.status.value and ed.num_parameters is None
    assert ed.train_button.disabled
    ed.buttons["undo"].click()
    assert ed.errors == [] and not ed.train_button.disabled
    ed.view.selected = [new]
    ed.buttons["remove"].click()  # its input is joined to its output
    assert ed.descriptor.topological_order() == ["conv", "relu", "pool"] and ed.num_parameters == n0
    ed.params_text.value = "{kernel_size: 3"
    ed.buttons["insert"].click()
    assert "JSON" in ed.message.value and len(ed.descriptor) == 3
    ed.view.selected = ["conv", "pool"]
    ed.buttons["connect"].click()  # a skip: merged by the builder
    assert ("conv", "pool") in ed.descriptor.connections and ed.errors == []
    ed.view.selected = ["conv"]
    ed.buttons["remove"].click()
    assert ed.errors == [] or "input" in ed.errors[0]


def test_editor_mutations_are_seeded_and_undoable():
    runs = []
    for _ in range(2):
        ed = ArchitectureEditor(seed=3)
        runs.append([ed.mutate() for _ in range(5)] + [ed.descriptor.to_json()])
    assert runs[0] == runs[1]
    ed = ArchitectureEditor(seed=3)
    start = ed.descriptor.to_json()
    for _ in range(5):
        ed.mutate()
    while ed.undo():
        pass
    assert ed.descriptor.to_json() == start


def test_editor_trains_on_digits_with_progress():
    ev = nasnb.LocalEvaluator("Adam", {"lr": 1e-2}, batch_size=128, device="cpu")
    ed = ArchitectureEditor(evaluator=ev, epochs=1)
    ed.widget
    result = ed.train(2)
    assert result.status == "done" and result.metrics["accuracy"] > 0.3  # 10 classes: chance is 0.1
    assert ed.progress.value == ed.progress.max and len(ed.losses) == 2
    assert list(ed.loss_chart.data[0].x) == [1, 2] and 'data-status="done"' in ed.result_html.value
    ed.connect("pool", "conv")
    with pytest.raises(ParameterError, match="errors"):
        ed.train(1)
