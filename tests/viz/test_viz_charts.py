"""Charts: data tuples and the traces / axes of each figure; PNG export of every static figure."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from nasnb.exceptions import ParameterError
from nasnb.results import EvaluationResult
from nasnb.viz import (ecdf_data, gene_box_data, parallel_data, params_fitness_data, plot_ecdf, plot_gene_boxes,
                       plot_parallel_coordinates, plot_params_fitness, plot_progress, plot_sample_counts, plot_surfaces,
                       plot_tau_heatmap, plot_timeline, progress_data, sample_count_data, surface_data,
                       tau_heatmap_data, timeline_data)


def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = buf.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    return data


EVO = pd.DataFrame({"seq": range(6), "fitness": [0.2, 0.5, np.nan, 0.4, 0.7, 0.6],
                    "status": ["done", "done", "failed", "done", "done", "done"]})
RND = [EvaluationResult(0.1, {}, 1.0, fitness=f) for f in (0.3, 0.1, 0.45)]


def test_progress_data_best_so_far_skips_failures():
    data = progress_data({"evolution": EVO, "random": RND})
    evo = data.frame[data.frame.label == "evolution"]
    assert evo["best_so_far"].tolist() == [0.2, 0.5, 0.5, 0.5, 0.7, 0.7]
    assert data.labels == ["evolution", "random"]
    assert data.frame[data.frame.label == "random"]["seq"].tolist() == [0, 1, 2]


def test_progress_figures():
    fig = plot_progress({"evolution": EVO, "random": RND}, backend="plotly")
    assert [t.name for t in fig.data] == ["evolution: evaluations", "evolution: best so far",
                                          "random: evaluations", "random: best so far"]
    assert fig.data[0].mode == "markers" and fig.data[1].line.shape == "hv"
    assert fig.layout.xaxis.title.text == "evaluation" and fig.layout.yaxis.title.text == "fitness"
    mfig = plot_progress({"evolution": EVO, "random": RND})
    ax = mfig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("evaluation", "fitness")
    assert len(ax.collections) == 2 and len(ax.lines) == 2
    png(mfig)


def test_progress_reads_objects_with_to_dataframe():
    class History:
        name = "h"

        def to_dataframe(self):
            return pd.DataFrame({"index": [0, 1], "fitness": [0.1, 0.3], "status": ["done", "done"]})

    assert progress_data(History()).labels == ["h"]
    with pytest.raises(ParameterError, match="no 'accuracy' column"):
        progress_data(EVO, metric="accuracy")


def test_ecdf():
    data = ecdf_data({"evolution": EVO, "random": RND})
    evo = data.frame[data.frame.label == "evolution"]
    assert evo["value"].tolist() == [0.2, 0.4, 0.5, 0.6, 0.7]
    assert evo["ecdf"].iloc[-1] == 1.0
    fig = plot_ecdf(data, backend="plotly")
    assert [t.name for t in fig.data] == ["evolution", "random"]
    assert fig.layout.yaxis.title.text == "cumulative fraction"
    png(plot_ecdf(data))


def test_sample_counts():
    class History:
        sample_counts = np.array([0, 2, 2, 5])

    data = sample_count_data({"serial": [1, 1, 2, 0], "distributed": History()})
    dist = data.distribution.set_index(["label", "times_sampled"])["individuals"]
    assert dist[("serial", 1)] == 2 and dist[("distributed", 2)] == 2 and dist[("distributed", 5)] == 1
    fig = plot_sample_counts(data, backend="plotly")
    assert [t.type for t in fig.data] == ["bar", "bar"] and fig.layout.barmode == "group"
    mfig = plot_sample_counts(data)
    assert mfig.axes[0].get_xlabel() == "times sampled before removal"
    png(mfig)


def test_tau_heatmap_from_long_records_and_options():
    long = pd.DataFrame({"arch": list(range(5)) * 3, "setup": ["1"] * 5 + ["5"] * 5 + ["50"] * 5,
                         "score": [0.1, 0.2, 0.3, 0.4, 0.5, 0.15, 0.25, 0.2, 0.45, 0.5, 0.1, 0.3, 0.2, 0.4, 0.5]})
    data = tau_heatmap_data(long, title="tau")
    assert list(data.matrix.columns) == ["1", "5", "50"]
    assert np.allclose(np.diag(data.matrix), 1.0)
    ref = tau_heatmap_data(long, reference="50")
    assert list(ref.matrix.columns) == ["50"]
    fig = plot_tau_heatmap(data, backend="plotly")
    assert fig.data[0].type == "heatmap" and (fig.data[0].zmin, fig.data[0].zmax) == (-1, 1)
    assert list(fig.data[0].x) == ["1", "5", "50"]
    mfig = plot_tau_heatmap(data)
    assert mfig.axes[0].get_title() == "tau" and len(mfig.axes[0].texts) == 9
    png(mfig)
    with pytest.raises(ParameterError, match="already a matrix"):
        tau_heatmap_data(data.matrix, decimals=2)


def test_surfaces():
    data = surface_data(resolution=20, target_tau=0.85, seed=1)
    assert data.original.shape == data.perturbed.shape == (20, 20)
    assert abs(data.tau - 0.85) < 0.03
    again = surface_data(resolution=20, target_tau=0.85, seed=1)
    assert np.array_equal(again.perturbed, data.perturbed)
    fig = plot_surfaces(data, backend="plotly")
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    assert fig.layout.annotations[1].text.startswith("perturbed (tau = 0.8")
    assert [t.type for t in plot_surfaces(data, backend="plotly", kind="surface").data] == ["surface", "surface"]
    mfig = plot_surfaces(data)
    assert [a.get_title() for a in mfig.axes[:2]] == ["original", f"perturbed (tau = {data.tau:.3f})"]
    png(mfig)
    given = surface_data(data.original, data.original * 2)
    assert given.tau == pytest.approx(1.0)


def test_gene_boxes_and_params_scatter():
    frame = pd.DataFrame({"readout": ["max", "mean", "max", "sort1", "mean"], "fitness": [0.9, 0.7, 0.8, 0.6, 0.75],
                          "metrics": ['{"num_parameters": %d}' % p for p in (10, 200, 3000, 40, 500)],
                          "space": ["a", "b", "a", "b", "a"]})
    boxes = gene_box_data(frame, "readout")
    assert boxes.order == ["max", "mean", "sort1"]
    fig = plot_gene_boxes(boxes, backend="plotly")
    assert [t.name for t in fig.data] == ["max", "mean", "sort1"] and fig.layout.xaxis.title.text == "readout"
    mfig = plot_gene_boxes(boxes)
    assert mfig.axes[0].get_xlabel() == "readout"
    png(mfig)
    by_fn = gene_box_data(frame, lambda r: r["fitness"] > 0.7, name="good")
    assert by_fn.gene == "good" and by_fn.order == [False, True]
    pts = params_fitness_data(frame, hue="space")
    assert pts.frame["params"].tolist() == [10, 200, 3000, 40, 500]
    fig = plot_params_fitness(pts, backend="plotly")
    assert [t.name for t in fig.data] == ["a", "b"] and fig.layout.xaxis.type == "log"
    mfig = plot_params_fitness(pts)
    assert mfig.axes[0].get_xscale() == "log" and mfig.axes[0].get_ylabel() == "fitness"
    png(mfig)
    with pytest.raises(ParameterError, match="lack"):
        gene_box_data(frame, "kernel")


def test_progress_curves_are_steps_told_apart_by_dashes_and_markers():
    a = pd.DataFrame({"fitness": [0.2, 0.5, 0.5, 0.7]})
    ax = plot_progress({"a": a, "b": a.copy()}).axes[0]       # identical curves lie on top of each other
    steps = ax.lines
    assert [ln.get_drawstyle() for ln in steps] == ["steps-post", "steps-post"]
    assert steps[0].get_linestyle() != steps[1].get_linestyle()
    assert steps[0].get_marker() != steps[1].get_marker()
    assert list(steps[0].get_markevery()) == [0, 1, 3]                     # a marker where the best improves
    assert [c.get_paths()[0] is not None for c in ax.collections] == [True, True]
    fig = plot_progress({"a": a, "b": a.copy()}, backend="plotly")
    best = [t for t in fig.data if t.name.endswith("best so far")]
    assert [t.line.dash for t in best] == ["solid", "dash"] and best[1].marker.symbol == "square"
    assert list(best[0].marker.size) == [7, 7, 0, 7]
    ecdf = plot_ecdf({"a": a, "b": a.copy()}).axes[0].lines
    assert ecdf[0].get_linestyle() != ecdf[1].get_linestyle()


STUDY = pd.DataFrame({
    "seq": range(6),
    "status": ["done", "done", "done", "failed", "done", "done"],
    "fitness": [0.5, 0.7, 0.6, np.nan, 0.9, 0.8],
    "engine_host": ["n1"] * 6, "engine_rank": [0, 1, 0, 1, 0, 1],
    "started": pd.to_datetime([0, 0, 2, 3, 4, 5], unit="s", utc=True),
    "finished": pd.to_datetime([2, 3, 4, 5, 6, 6], unit="s", utc=True),
    "candidate_json": ['{"format": "nasnb.genome", "schema_version": 1, "layers": [{"innovation": 1, '
                       '"type": "sage_pool", "params": {}}], "connections": [[0, -2, 1, true], [1, 1, 99, true]], '
                       '"hyperparameters": [[2, "readout", "%s"]]}' % r
                       for r in ("max", "mean", "max", "sort1", "mean", "max")],
})


def test_timeline_rows_per_engine_and_utilisation():
    data = timeline_data(STUDY)
    assert data.engines == ["n1 / rank 0", "n1 / rank 1"] and not data.estimated
    rank1 = data.frame[data.frame.engine == "n1 / rank 1"]
    assert rank1[["start", "finish"]].values.tolist() == [[0, 3], [3, 5], [5, 6]]
    assert data.utilisation == pytest.approx((2 + 2 + 2 + 3 + 2 + 1) / (2 * 6))
    fig = plot_timeline(STUDY)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == data.engines
    bars = [p for p in ax.patches]
    assert len(bars) == 6 and sorted(round(b.get_width(), 6) for b in bars) == [1, 2, 2, 2, 2, 3]
    assert ax.get_legend_handles_labels()[1] == ["done", "failed"]
    pfig = plot_timeline(STUDY, backend="plotly")
    assert [t.name for t in pfig.data] == ["done", "failed"] and list(pfig.data[1].base) == [3.0]
    png(fig)
    # fallbacks: no times -> laid end to end from durations; no engine columns -> one row
    est = timeline_data(pd.DataFrame({"engine_id": [0, 1, 0], "wall_time": [1.0, 2.0, 3.0]}))
    assert est.estimated and est.frame["finish"].tolist() == [1.0, 2.0, 4.0]
    assert est.engines == ["engine 0", "engine 1"]
    assert timeline_data(pd.DataFrame({"started": [0.0, 1.0], "finished": [1.0, 2.0]})).engines == ["engine"]
    with pytest.raises(ParameterError, match="started"):
        timeline_data(pd.DataFrame({"fitness": [0.1]}))


def test_parallel_coordinates_over_genes():
    data = parallel_data(STUDY)
    assert data.params == ["readout"] and data.categories == {"readout": ["max", "mean"]}   # failed row dropped
    assert data.frame["fitness"].tolist() == [0.5, 0.7, 0.6, 0.9, 0.8]
    chosen = parallel_data(STUDY, params=["readout", "active layers"])
    assert chosen.frame["active layers"].tolist() == [1.0] * 5
    fig = plot_parallel_coordinates(STUDY, backend="plotly")
    dims = fig.data[0].dimensions
    assert [d.label for d in dims] == ["readout", "fitness"] and list(dims[0].ticktext) == ["max", "mean"]
    assert list(dims[0].values) == [0, 1, 0, 1, 0]
    mfig = plot_parallel_coordinates(STUDY)
    lines = [c for c in mfig.axes[0].collections if c.get_label() == "evaluations"][0]
    assert len(lines.get_segments()) == 5 and [t.get_text() for t in mfig.axes[0].get_xticklabels()] == [
        "readout", "fitness"]
    png(mfig)
    ops = parallel_data(pd.DataFrame({"candidate_json": ['{"candidate": ["conv", "skip"]}',
                                                         '{"candidate": ["pool", "skip"]}'], "fitness": [0.1, 0.2]}))
    assert ops.params == ["gene 0"]        # gene 1 never varies
    with pytest.raises(ParameterError, match="no column or gene"):
        parallel_data(STUDY, params=["lr"])


def test_one_signature_for_study_charts():
    from nasnb.viz import plot_gene_boxes, plot_params_fitness

    frame = STUDY.assign(readout=["max", "mean", "max", "sort1", "mean", "max"],
                         **{"metrics.num_parameters": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]})
    for fn, kwargs in ((plot_progress, {}), (plot_ecdf, {}), (plot_timeline, {}),
                       (plot_parallel_coordinates, {}), (plot_gene_boxes, {"gene": "readout"}),
                       (plot_params_fitness, {})):
        for backend in ("matplotlib", "plotly"):
            fig = fn(frame, backend=backend, **kwargs)
            assert fig is not None
    assert len(plot_params_fitness(frame, backend="plotly").data[0].x) == 5   # metrics.<name> column of a study


def test_matplotlib_plot_functions_leave_no_pyplot_figures():
    import matplotlib.pyplot as plt

    from nasnb.descriptors import NeuralDescriptor
    from nasnb.viz import (plot_architecture, plot_gene_boxes, plot_overlay, plot_params_fitness, plot_realised,
                           subplots)

    plt.close("all")
    d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    long = pd.DataFrame({"arch": [0, 1, 2] * 2, "setup": ["a"] * 3 + ["b"] * 3,
                         "score": [0.1, 0.2, 0.3, 0.1, 0.3, 0.2]})
    frame = STUDY.assign(readout=["max", "mean", "max", "sort1", "mean", "max"],
                         **{"metrics.num_parameters": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]})
    calls = [lambda: plot_architecture(d), lambda: plot_overlay([d, d]),
             lambda: plot_realised(NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"]), (1, 4, 4), 3),
             lambda: plot_progress(frame), lambda: plot_ecdf(frame), lambda: plot_sample_counts({"a": [1, 2]}),
             lambda: plot_tau_heatmap(long), lambda: plot_surfaces(surface_data(resolution=10, target_tau=0.8,
                                                                                  seed=0)),
             lambda: plot_gene_boxes(frame, gene="readout"), lambda: plot_params_fitness(frame),
             lambda: plot_timeline(frame), lambda: plot_parallel_coordinates(frame), lambda: subplots(1, 2)[0]]
    for call in calls:
        fig = call()
        assert plt.get_fignums() == [], call
        png(fig if not isinstance(fig, tuple) else fig[0])


def test_tau_heatmap_rows_in_numeric_order_readable_numbers_and_undefined_cells_explained():
    from nasnb.viz import plot_tau_heatmap, tau_heatmap_data

    epochs = [1, 10, 2, 5]
    m = pd.DataFrame(np.eye(4), index=[f"Adam {e}" for e in epochs], columns=[f"Adam {e}" for e in epochs])
    m.iloc[0, 1] = np.nan
    data = tau_heatmap_data(m, title="tau")
    assert list(data.matrix.index) == ["Adam 1", "Adam 2", "Adam 5", "Adam 10"] == list(data.matrix.columns)
    fig = plot_tau_heatmap(data)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Adam 1", "Adam 2", "Adam 5", "Adam 10"]
    numbers = [t for t in ax.texts if t.get_text() not in ("",)]
    assert min(t.get_fontsize() for t in numbers) >= 8
    assert sum(t.get_text() == "n/a" for t in ax.texts) == 1 and "n/a" in ax.get_title()
