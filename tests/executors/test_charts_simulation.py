"""Simulated-time charts: data geometry and the drawn figure."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from nasnb.exceptions import ParameterError
from nasnb.executors import simulate_schedule
from nasnb.viz.charts_simulation import best_vs_time_data, plot_best_vs_time, plot_timeline, timeline_data

DURATIONS = [1.0, 3.0, 1.0, 1.0, 2.0, 1.0]
FITNESS = [0.1, 0.5, 0.3, 0.6, 0.2, 0.9]


def runs():
    return {(f"W={w}", mode): simulate_schedule(DURATIONS, w, mode=mode) for w in (1, 2) for mode in ("batch", "async")}


def test_best_vs_time_data_and_styles_tell_curves_apart():
    data = best_vs_time_data(runs(), fitness=FITNESS)
    assert data.labels == ["W=1 batch", "W=1 async", "W=2 batch", "W=2 async"]
    assert data.groups == ["W=1", "W=2"] and data.variants == ["batch", "async"]
    w2 = data.frame[data.frame["label"] == "W=2 async"]
    # W=2 async: tasks end at 1 (t0), 2 (t2), 3 (t1, t3), 4 (t5), 5 (t4)
    assert w2["time"].tolist() == [1.0, 2.0, 3.0, 3.0, 4.0, 5.0]
    assert w2["best_so_far"].tolist() == [0.1, 0.3, 0.5, 0.6, 0.9, 0.9]
    fig = plot_best_vs_time(data)
    assert isinstance(fig, Figure) and fig.canvas.manager is None  # not registered with pyplot
    lines = fig.axes[0].get_lines()
    assert [ln.get_label() for ln in lines] == data.labels
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()  # colour by W
    assert lines[0].get_linestyle() == lines[2].get_linestyle() != lines[1].get_linestyle()  # dash by mode
    assert lines[0].get_marker() != lines[1].get_marker()
    assert lines[3].get_drawstyle() == "steps-post"
    assert fig.axes[0].get_xlabel() == "simulated time (s)"
    hours = plot_best_vs_time(data, unit="h")
    assert hours.axes[0].get_xlabel() == "simulated time (hours)"
    assert max(hours.axes[0].get_lines()[0].get_xdata()) == pytest.approx(9.0 / 3600)
    with pytest.raises(ParameterError, match="'curves'"):
        best_vs_time_data({})
    with pytest.raises(ParameterError, match="Curve 'x'"):
        best_vs_time_data({"x": [1, 2]})


def test_timeline_bars_per_worker():
    sim = simulate_schedule(DURATIONS, 2, mode="batch")
    data = timeline_data(sim)
    assert data.workers == 2 and data.makespan == 6.0
    assert data.efficiency == pytest.approx(9.0 / 12.0)
    fig = plot_timeline(data)
    ax = fig.axes[0]
    assert len(ax.collections) == 2  # one broken_barh per worker
    spans = [[tuple(p.get_extents().bounds) for p in c.get_paths()] for c in ax.collections]
    assert [len(s) for s in spans] == [3, 3]
    assert ax.get_xlim() == (0.0, 6.0)
    assert "efficiency 0.75" in ax.get_title()
    few = timeline_data(simulate_schedule([1.0] * 8, 8), max_workers=3)
    assert sorted(few.frame["worker"].unique()) == [0, 1, 2] and few.workers == 8
    assert "first 3 of 8 workers" in plot_timeline(few).axes[0].get_title()
