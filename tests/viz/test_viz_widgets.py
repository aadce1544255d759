"""Widgets without a browser: change a control, check the output that depends on it."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import ParameterError
from nasnb.results import EvaluationResult
from nasnb.viz import EvolutionExplorer, GenomeInspector, LiveDashboard, RankCorrelationExplorer


def genome(layers, connections):
    return json.dumps({"format": "nasnb.genome", "schema_version": 1,
                       "layers": [{"innovation": i, "type": t, "params": {}} for i, t in layers],
                       "connections": connections, "hyperparameters": []})


G0 = genome([(1, "CONV_3.N")], [[0, -2, 99, False], [2, -2, 1, True], [3, 1, 99, True]])
G1 = genome([(1, "CONV_3.N"), (4, "POOL_2.M")],
            [[0, -2, 99, True], [2, -2, 1, True], [3, 1, 99, False], [5, 1, 4, True], [6, 4, 99, True]])


def study_frame():
    return pd.DataFrame({"seq": [0, 1], "fitness": [0.61, 0.74], "status": ["done", "done"],
                         "genome_json": [G0, G1], "metrics": ['{"accuracy": 0.61}', '{"accuracy": 0.74}']})


def test_genome_inspector_selection_changes_plot_tables_metrics():
    insp = GenomeInspector(study_frame())
    w = insp.widget
    assert 'data-seq="0"' in insp.plot.value and 'data-name="node_4"' not in insp.plot.value
    before = insp.plot.value
    insp.selector.value = 1  # what the dropdown does
    assert 'data-seq="1"' in insp.plot.value and 'data-name="node_4"' in insp.plot.value
    assert insp.plot.value != before
    assert "POOL_2.M" in insp.tables.value and "0.74" in insp.metrics.value and "accuracy" in insp.metrics.value
    # the input node is drawn at the same place for both individuals (shared layout)
    assert insp.layout.key_positions()["<input>"] == (0.0, 0.0)
    assert w._repr_mimebundle_() is not None
    with pytest.raises(ParameterError, match="seq"):
        insp.select(7)


def test_genome_inspector_with_descriptors_only():
    a = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    b = NeuralDescriptor.sequential(["nn.Identity", "nn.Tanh", "nn.ReLU"])
    insp = GenomeInspector([EvaluationResult(0.1, {}, 1.0, fitness=0.5), EvaluationResult(0.1, {}, 1.0, fitness=0.6)],
                           descriptors=[a, b])
    insp.select(1)
    assert "nn.Tanh" in insp.tables.value and insp.plot.value.count('class="node"') == 3


def evolution_frame(n=14):
    rng = np.random.default_rng(0)
    archs = []
    for i in range(n):
        types = ["nn.Identity"] + ["nn.ReLU"] * (1 + i % 3) + ["nn.Tanh"]
        archs.append(NeuralDescriptor.sequential(types).to_json())
    return pd.DataFrame({"seq": range(n), "fitness": np.round(rng.random(n), 3), "status": "done",
                         "descriptor_json": archs})


def test_evolution_explorer_slider_changes_population_best_and_overlay():
    frame = evolution_frame()
    ex = EvolutionExplorer(frame, population_size=4, cycle_size=2)
    assert ex.cycles().tolist() == [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    ex.widget
    assert 'data-cycle="5"' in ex.summary.value and 'data-evaluations="14"' in ex.summary.value
    ex.slider.value = 0
    assert 'data-evaluations="4"' in ex.summary.value
    assert 'data-n="4"' in ex.overlay.value
    best0 = frame.fitness[:4].max()
    assert f"{best0:.4f}" in ex.summary.value
    ex.slider.value = 2
    st = ex.state(2)
    assert st["population"]["seq"].tolist() == [4, 5, 6, 7]  # aging: the 4 most recent
    assert 'data-n="8"' in ex.overlay.value


def test_evolution_explorer_uses_removed_at():
    frame = evolution_frame(6).assign(removed_at=[4, -1, 5, -1, -1, -1])
    st = EvolutionExplorer(frame, population_size=4).state(1)  # up to seq 4
    assert st["population"]["seq"].tolist() == [1, 2, 3, 4]


def test_live_dashboard_push_and_poll():
    dash = LiveDashboard(title="demo")
    dash.widget
    d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    dash.update(EvaluationResult(0.3, {}, 1.0, fitness=0.4), descriptor=d)
    dash.update(EvaluationResult.invalid("no path"))
    assert 'data-results="2"' in dash.header.value and "invalid: 1" in dash.header.value
    assert 'data-name="layer_1"' in dash.architecture.value
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


def test_rank_explorer_controls_change_heatmap():
    rng = np.random.default_rng(0)
    base = rng.random(12)
    long = pd.DataFrame({"arch": list(range(12)) * 3,
                         "setup": ["1 epoch"] * 12 + ["10 epochs"] * 12 + ["50 epochs"] * 12,
                         "score": np.concatenate([base + rng.normal(0, 0.2, 12), base + rng.normal(0, 0.05, 12), base])})
    ex = RankCorrelationExplorer(long)
    ex.widget
    full = ex.matrix()
    assert full.shape == (3, 3) and "3 decimals" not in ex.heatmap.value
    html_before = ex.heatmap.value
    ex.setups.value = ("1 epoch", "50 epochs")
    assert ex.matrix().shape == (2, 2) and ex.heatmap.value != html_before
    ex.rounding.value = 1
    assert "1 decimal" in ex.heatmap.value
    ex.top_by.value = "50 epochs"
    ex.top_fraction.value = 0.5
    assert "top 50% by 50 epochs" in ex.heatmap.value
    ex.setups.value = ("1 epoch",)
    assert "at least two" in ex.heatmap.value
