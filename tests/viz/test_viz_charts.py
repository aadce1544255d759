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
from nasnb.viz import (ecdf_data, gene_box_data, params_fitness_data, plot_ecdf, plot_gene_boxes,
                       plot_params_fitness, plot_progress, plot_sample_counts, plot_surfaces, plot_tau_heatmap,
                       progress_data, sample_count_data, surface_data, tau_heatmap_data)


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
