"""Fixed layouts, architecture plots, overlays, DOT export, rich display."""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import OptionalDependencyError, ParameterError
from nasnb.viz import (SharedLayout, architecture_data, architecture_dot, architecture_svg, descriptor_html,
                       genome_descriptor, genome_html, genome_tables, overlay_alpha, overlay_data, plot_architecture,
                       plot_overlay, render_dot, study_html)
from nasnb.viz.dot import graphviz_available


def chain(*types, name=None):
    return NeuralDescriptor.sequential(list(types), name=name)


def mutant():
    """``chain`` plus a side branch and a dead-end (inactive) layer."""
    d = chain("nn.Identity", "nn.ReLU", "nn.Tanh")
    d.add_layer("nn.Sigmoid", name="side")
    d.connect_layers("layer_0", "side")
    d.connect_layers("side", "layer_2")
    d.add_layer("nn.Conv2d", {"out_channels": 3}, name="dead")
    d.connect_layers("layer_1", "dead")
    d.set_output("layer_2")
    return d


GENOME = {"format": "nasnb.genome", "schema_version": 1,
          "layers": [{"innovation": 1, "type": "CONV_3.N", "params": {}},
                     {"innovation": 4, "type": "POOL_2.M", "params": {}}],
          "connections": [[0, -2, 99, False], [2, -2, 1, True], [3, 1, 99, True], [5, 1, 4, True]],
          "hyperparameters": []}


# ------------------------------------------------------------------ layouts
def test_same_node_same_position_across_related_plots():
    a, b = chain("nn.Identity", "nn.ReLU", "nn.Tanh"), mutant()
    layout = SharedLayout().fit([a, b])
    pa, pb = architecture_data(a, layout), architecture_data(b, layout)
    for name in ("layer_0", "layer_1", "layer_2"):
        assert pa.positions[pa.names.index(name)].tolist() == pb.positions[pb.names.index(name)].tolist()
    # input left of everything, output right of everything
    xs = pb.positions[:, 0]
    assert xs[pb.names.index("layer_0")] == xs.min() and xs[pb.names.index("layer_2")] == xs.max()
    # distinct nodes never share a position
    assert len({tuple(p) for p in pb.positions}) == len(pb.names)


def test_layout_independent_of_order_and_deterministic():
    ds = [chain("nn.Identity", "nn.ReLU", "nn.Tanh"), mutant()]
    one = SharedLayout().fit(ds).key_positions()
    two = SharedLayout().fit(ds[::-1]).key_positions()
    assert one == two
    assert SharedLayout().fit(ds).key_positions() == one


def test_input_output_roles_align_even_with_different_names():
    a = chain("nn.Identity", "nn.ReLU")
    b = NeuralDescriptor()
    b.add_layer_sequential("nn.Identity", name="in")
    b.add_layer_sequential("nn.ReLU", name="mid")
    b.add_layer_sequential("nn.Tanh", name="out")
    layout = SharedLayout().fit([a, b])
    assert layout.positions(a)["layer_0"] == layout.positions(b)["in"]
    assert layout.positions(a)["layer_1"] == layout.positions(b)["out"]


def test_incremental_placement_keeps_old_positions():
    layout = SharedLayout()
    first = dict(layout.positions(chain("nn.Identity", "nn.ReLU", "nn.Tanh")))
    deeper = chain("nn.Identity", "nn.ReLU", "nn.Sigmoid", "nn.Tanh")  # new node layer_2 type differs, deeper output
    later = layout.positions(deeper)
    assert later["layer_0"] == first["layer_0"] and later["layer_1"] == first["layer_1"]
    assert later["layer_3"] == first["layer_2"]  # the output role did not move
    assert first["layer_1"][0] < later["layer_2"][0] < later["layer_3"][0]


def test_vertical_orientation_and_bad_orientation():
    pos = SharedLayout(orientation="vertical").positions(chain("nn.Identity", "nn.ReLU"))
    assert pos["layer_0"][1] > pos["layer_1"][1]
    with pytest.raises(ParameterError, match="orientation"):
        SharedLayout(orientation="diagonal")


# ------------------------------------------------------------------ plots
def test_architecture_data_marks_inactive_layers():
    data = architecture_data(mutant())
    assert not data.active[data.names.index("dead")]
    assert data.active.sum() == 4
    assert data.edge_active.sum() == 4


def test_matplotlib_architecture_plot_exports(tmp_path):
    fig = plot_architecture(mutant(), show_params=1)
    ax = fig.axes[0]
    nodes = [t for t in ax.texts if (t.get_gid() or "").startswith("node-")]
    assert sorted(t.get_gid() for t in nodes) == ["node-dead", "node-layer_0", "node-layer_1", "node-layer_2",
                                                  "node-side"]
    assert [t for t in nodes if t.get_gid() == "node-dead"][0].get_alpha() < 1
    boxes = {p.get_gid(): p for p in ax.patches}
    assert boxes["box-dead"].get_facecolor()[3] < boxes["box-side"].get_facecolor()[3]   # inactive faded
    assert [c.get_label() for c in ax.collections] == ["connections", "inactive connections", "arrowheads"]
    assert len(ax.collections[0].get_segments()) == 4 and len(ax.collections[1].get_segments()) == 1
    for ext in ("png", "svg", "pdf"):
        fig.savefig(tmp_path / f"a.{ext}")
        assert (tmp_path / f"a.{ext}").stat().st_size > 1000
    with open(tmp_path / "a.png", "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_plotly_architecture_plot_traces():
    fig = plot_architecture(mutant(), backend="plotly")
    names = [t.name for t in fig.data]
    assert names == ["connections", "inactive connections", "layers"]
    assert (fig.data[0].opacity, fig.data[1].opacity) == (1.0, 0.25)
    layers = fig.data[2]
    assert list(layers.customdata) == architecture_data(mutant()).names
    assert sorted(c.endswith(",1)") for c in layers.textfont.color) == [False, True, True, True, True]
    assert len(fig.layout.shapes) == 5 + 5          # a box per layer, an arrowhead per connection
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.scaleanchor == "x"


def test_dot_export_pins_positions_and_renders(tmp_path):
    layout = SharedLayout()
    data = architecture_data(mutant(), layout)
    text = architecture_dot(data)
    assert re.search(r'"layer_0" -> "side" \[pos="e,[^"]+"\];', text)
    assert re.search(r'"layer_1" -> "dead" \[pos="e,[^"]+", color="#33333340", style=dashed\];', text)  # inactive
    x, y = data.geometry.centres[data.names.index("layer_2")]
    assert f'"layer_2" [label="Tanh", pos="{x:.1f},{y:.1f}!"' in text       # the drawing geometry, in points
    tip = data.geometry.paths[data.geometry.edges.index((data.names.index("side"), data.names.index("layer_2")))][-1]
    assert f'"side" -> "layer_2" [pos="e,{tip[0]:.2f},{tip[1]:.2f} ' in text
    if graphviz_available("neato"):
        out = render_dot(text, tmp_path / "a.svg")
        assert b"<svg" in out and (tmp_path / "a.svg").exists()


def test_render_dot_without_graphviz(monkeypatch):
    import nasnb.viz.dot as dot

    monkeypatch.setattr(dot.shutil, "which", lambda _name: None)
    with pytest.raises(OptionalDependencyError, match="Graphviz"):
        dot.render_dot("digraph {}")


# ------------------------------------------------------------------ overlays
def test_overlay_alpha_is_one_over_n_per_architecture():
    a = chain("nn.Identity", "nn.ReLU", "nn.Tanh")
    ds = [a, a.copy(), a.copy(), mutant()]
    data = overlay_data(ds)
    alpha = dict(zip(data.edge_labels(), data.edge_alpha()))
    assert alpha["<input>->layer_1"] == pytest.approx(1.0)          # in all 4
    assert alpha["<input>->side"] == pytest.approx(0.25)            # only in the mutant
    inactive = dict(zip(data.edge_labels(), data.edge_inactive_alpha()))
    assert alpha["layer_1->dead"] == 0 and inactive["layer_1->dead"] == pytest.approx(0.25 * 0.25)
    nodes = dict(zip(data.keys, data.node_inactive_counts))
    assert nodes["dead"] == 1
    comp = overlay_data(ds, blend="composite")
    assert dict(zip(comp.edge_labels(), comp.edge_alpha()))["<input>->side"] == pytest.approx(0.25)
    assert overlay_alpha([2], 4, "composite")[0] == pytest.approx(1 - 0.75 ** 2)


def test_overlay_matplotlib_uses_one_collection_with_count_alphas():
    ds = [chain("nn.Identity", "nn.ReLU", "nn.Tanh")] * 3 + [mutant()]
    fig = plot_overlay(ds)
    ax = fig.axes[0]
    active = [c for c in ax.collections if c.get_label() == "connections"][0]
    assert sorted(np.round(active.get_colors()[:, 3], 3).tolist()) == [0.25, 0.25, 1.0, 1.0]
    assert ax.get_title() == "4 architectures, each at opacity 1/4"
    fig.savefig(__import__("io").BytesIO(), format="png")
    texts = sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("node-"))
    assert texts == sorted(["Identity", "ReLU", "Tanh", "Sigmoid", "Conv2d"])   # layer types, not node keys


def test_overlay_plotly_levels_and_layout_shared_with_single_plots():
    layout = SharedLayout()
    ds = [chain("nn.Identity", "nn.ReLU", "nn.Tanh")] * 3 + [mutant()]
    fig = plot_overlay(ds, layout, backend="plotly")
    opacities = sorted({t.opacity for t in fig.data if t.name == "connections"})
    assert opacities == [0.25, 1.0]
    single = architecture_data(mutant(), layout)
    over = overlay_data(ds, layout)
    i = over.keys.index("side")
    assert over.positions[i].tolist() == single.positions[single.names.index("side")].tolist()


def test_overlay_rejects_empty():
    with pytest.raises(ParameterError, match="at least one"):
        overlay_data([])


# ------------------------------------------------------------------ genomes and rich display
def test_genome_graph_keeps_inactive_nodes_and_tables():
    d = genome_descriptor(GENOME)
    assert sorted(d.layers) == ["input", "node_1", "node_4", "output"]
    assert "node_4" not in d.active_layers()
    tables = genome_tables(json.dumps(GENOME))
    assert tables["connections"]["enabled"].tolist() == [False, True, True, True]
    assert tables["layers"].set_index("innovation")["active"].to_dict() == {1: True, 4: False}


def test_rich_display_html():
    d = mutant()
    text = d._repr_html_()
    assert text == descriptor_html(d)
    assert "5 layers" in text and "1 inactive" in text and text.count('class="node"') == 5
    assert 'data-name="dead" data-type="nn.Conv2d" data-active="false"' in text
    g = genome_html(GENOME)
    assert "layers chromosome (2 genes)" in g and 'data-name="node_4"' in g
    import pandas as pd

    s = study_html(pd.DataFrame({"fitness": [0.5, 0.9, 0.0], "status": ["done", "done", "invalid"],
                                 "total_time": [1.0, 2.0, 0.1]}), name="demo")
    assert "<b>demo</b>: 3 evaluations" in s and "0.9" in s


def test_svg_is_fast_enough_for_display_and_wellformed():
    import xml.etree.ElementTree as ET

    root = ET.fromstring(architecture_svg(mutant()))
    assert root.tag.endswith("svg") and root.get("data-layers") == "5"


def test_plot_realised_shows_builder_merges_and_exports_png(tmp_path):
    from nasnb.builders import build_network
    from nasnb.viz.realised import plot_realised

    d = NeuralDescriptor()
    d.add_layer("CONV_3.N", name="a"); d.add_layer("POOL_2.M", name="b"); d.add_layer("CONV_3.N", name="c")
    d.connect_layers("a", "b"); d.connect_layers("a", "c"); d.connect_layers("b", "c")  # 8x8 meets 4x4 at c
    net = build_network(d, (1, 8, 8), 10, fixed_channels=4)
    (step_a, step_b), = [net.merges["c"]]
    assert step_a.source == "a" and step_a.operations == ("interpolate",) and step_b.operations == ()
    for fig in (plot_realised(d, network=net), plot_realised(d, (1, 8, 8), 10, fixed_channels=4)):
        texts = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("node-")}
        assert set(texts) == {"node-a", "node-b", "node-c", "node-sum→c", "node-a→c", "node-(head)"}
        assert texts["node-a→c"] == "interpolate\n4×4×4" and texts["node-sum→c"] == "sum"
        assert texts["node-a"].endswith("4×8×8") and texts["node-c"].endswith("4×4×4")
    fig.savefig(tmp_path / "realised.png")
    data = (tmp_path / "realised.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    import matplotlib.pyplot as plt

    plt.close("all")
