"""Drawing geometry: no connection behind a node that is not its end, no overlapping labels,
arrowheads on their target's border; the matplotlib, plotly and SVG renderers draw that geometry.

The checks here are written independently of the router (dense sampling of every routed
segment against every box), on the architectures of the README, the quickstart, the lessons
and chapter 3, and on 100 random genomes of each of the three gene sets.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from nasnb.descriptors import NeuralDescriptor
from nasnb.genomes import ConvBlockGenes, GraphSageGenes, LayerChoiceGenes, MutationRates
from nasnb.spaces.genome_space import GenomeSpace, layer_choice_space
from nasnb.viz import (SharedLayout, architecture_data, architecture_svg, genome_descriptor, graph_geometry,
                       overlay_data, overlay_svg, plot_architecture, plot_overlay, subplots)
from nasnb.viz.realised import realised_data

TOL = 0.5   # points: a path may touch a box border, never enter it deeper than this


# ------------------------------------------------------------------ the checks
def _inside(points: np.ndarray, box: np.ndarray, shrink: float = TOL) -> np.ndarray:
    x0, y0, x1, y1 = box
    return ((points[:, 0] > x0 + shrink) & (points[:, 0] < x1 - shrink)
            & (points[:, 1] > y0 + shrink) & (points[:, 1] < y1 - shrink))


def _samples(path: np.ndarray, step: float = 0.5) -> np.ndarray:
    out = []
    for p, q in zip(path[:-1], path[1:]):
        n = max(int(np.hypot(*(q - p)) / step), 1)
        out.append(p + np.linspace(0.0, 1.0, n + 1)[:, None] * (q - p))
    return np.vstack(out)


def _on_border(point: np.ndarray, box: np.ndarray, tol: float = TOL) -> bool:
    x0, y0, x1, y1 = box
    x, y = point
    inside_outer = x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol
    return inside_outer and not _inside(point[None], box, tol)[0]


def edge_crossings(geom) -> list[tuple[int, int, int]]:
    """(source, target, node) for every routed connection that passes through a node box."""
    boxes = geom.boxes()
    bad = []
    for (u, v), path in zip(geom.edges, geom.paths):
        pts = _samples(np.asarray(path, dtype=float))
        for k, box in enumerate(boxes):
            if _inside(pts, box).any():
                bad.append((u, v, k))
    return bad


def _overlap(a: np.ndarray, b: np.ndarray, tol: float = 0.0) -> bool:
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def overlapping_pairs(boxes: np.ndarray) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if _overlap(boxes[i], boxes[j])]


def bad_arrowheads(geom) -> list[int]:
    """Connections whose arrow tip is off its target's border or whose head lies under a box."""
    boxes = geom.boxes()
    bad = []
    for i, ((u, v), path, head) in enumerate(zip(geom.edges, geom.paths, geom.heads)):
        tip = head[0]
        if not np.allclose(tip, path[-1]) or not _on_border(tip, boxes[v]):
            bad.append(i)
            continue
        wings = np.vstack([head[1:], (head[1] + head[2]) / 2])
        if any(_inside(wings, box).any() for box in boxes):
            bad.append(i)
    return bad


def check_geometry(geom, *, what: str = "") -> None:
    boxes = geom.boxes()
    assert overlapping_pairs(boxes) == [], f"{what}: node boxes overlap"
    labels = geom.label_boxes()
    assert overlapping_pairs(labels) == [], f"{what}: labels overlap"
    for i, (lb, nb) in enumerate(zip(labels, boxes)):
        assert lb[0] >= nb[0] and lb[1] >= nb[1] and lb[2] <= nb[2] and lb[3] <= nb[3], f"{what}: label {i} clips"
    assert edge_crossings(geom) == [], f"{what}: a connection passes behind a node that is not its end"
    assert bad_arrowheads(geom) == [], f"{what}: arrowhead off its target border or hidden"
    for (u, _v), path in zip(geom.edges, geom.paths):
        assert _on_border(np.asarray(path[0]), boxes[u]), f"{what}: connection does not start at its source"
    x0, y0, x1, y1 = geom.extent
    allpts = np.vstack([boxes[:, :2], boxes[:, 2:]] + [np.asarray(p) for p in geom.paths])
    assert allpts[:, 0].min() >= x0 - 1e-6 and allpts[:, 0].max() <= x1 + 1e-6
    assert allpts[:, 1].min() >= y0 - 1e-6 and allpts[:, 1].max() <= y1 + 1e-6


# ------------------------------------------------------------------ the checks fail on bad drawings
def test_checks_catch_a_hidden_skip_overlapping_labels_and_a_buried_arrowhead():
    good = graph_geometry([(0, 0), (1, 0), (2, 0)], ["conv", "relu", "pool"], [(0, 1), (1, 2), (0, 2)])
    check_geometry(good)
    straight = np.array([good.paths[0][0], good.paths[1][-1]])       # conv -> pool straight behind relu
    hidden = good._replace(paths=[good.paths[0], good.paths[1], straight])
    assert edge_crossings(hidden) == [(0, 2, 1)]
    squeezed = good._replace(centres=good.centres * [0.3, 1.0])
    assert overlapping_pairs(squeezed.boxes())
    buried = good.heads.copy()
    buried[2, 0] = good.centres[2]                                  # tip at the centre of the target box
    assert bad_arrowheads(good._replace(heads=buried)) == [2]


# ------------------------------------------------------------------ architectures of the docs
def readme_example():
    d = NeuralDescriptor()
    conv = d.add_layer_sequential("nn.Conv2d", {"out_channels": 16, "kernel_size": 3})
    relu = d.add_layer_sequential("nn.ReLU")
    pool = d.add_layer("nn.MaxPool2d", {"kernel_size": 2}, name="pool")
    d.connect_layers(relu, pool)
    d.connect_layers(conv, pool)
    return d


def quickstart_example():
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 8, "kernel_size": 3, "padding": 1}, "conv1")
    d.add_layer_sequential("nn.ReLU", {}, "relu1")
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1}, "conv2")
    d.add_layer_sequential("nn.ReLU", {}, "relu2")
    d.connect_layers("relu1", "relu2")
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2}, "pool")
    return d


def lesson_skip():
    s = NeuralDescriptor()
    s.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1}, "a")
    s.add_layer("nn.ReLU", {}, "b")
    s.add_layer("nn.Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}, "c")
    s.connect_layers("a", "b"); s.connect_layers("b", "c"); s.connect_layers("a", "c")
    s.set_input("a"); s.set_output("c")
    return s


def chapter3_explicit():
    e = NeuralDescriptor()
    e.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3}, "conv_a")
    e.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 6, "kernel_size": 5}, "conv_b")
    e.add_layer("nn.Conv2d", {"in_channels": 6, "out_channels": 8, "kernel_size": 1}, "conv_c")
    e.add_layer("nn.Identity", {}, "stem")
    for u, v in (("stem", "conv_a"), ("stem", "conv_b"), ("conv_a", "conv_c"), ("conv_b", "conv_c")):
        e.connect_layers(u, v)
    e.set_input("stem"); e.set_output("conv_c")
    return e


def lesson_grid():
    space = layer_choice_space(8, initial_layers=3)
    rng = np.random.default_rng(0)
    members = [space.sample(rng) for _ in range(3)]
    child = space.mutate(members[0], rng)
    return [space.to_descriptor(g) for g in members + [child]]


@pytest.mark.parametrize("make", [readme_example, quickstart_example, lesson_skip, chapter3_explicit])
def test_documented_architectures(make):
    d = make()
    data = architecture_data(d, show_params=2)
    check_geometry(data.geometry, what=make.__name__)
    check_geometry(architecture_data(d).geometry, what=make.__name__)


@pytest.mark.parametrize("make,skip", [(readme_example, ("layer_0", "pool", "layer_1")),
                                       (quickstart_example, ("relu1", "relu2", "conv2")),
                                       (lesson_skip, ("a", "c", "b"))])
def test_skip_connection_is_visible_around_the_node_it_passes(make, skip):
    src, dst, middle = skip
    data = architecture_data(make())
    assert data.positions[data.names.index(middle)][1] == data.positions[data.names.index(src)][1]  # same row
    geom = data.geometry
    i = geom.edges.index((data.names.index(src), data.names.index(dst)))
    path, box = np.asarray(geom.paths[i]), geom.boxes()[data.names.index(middle)]
    over = path[(path[:, 0] > box[0]) & (path[:, 0] < box[2])]
    assert len(path) > 2 and (over.size == 0 or (over[:, 1] > box[3]).all() or (over[:, 1] < box[1]).all())
    spans = _samples(path)
    assert spans[:, 0].min() <= box[0] and spans[:, 0].max() >= box[2]          # it really goes past the node
    assert ((spans[:, 1] > box[3]) | (spans[:, 1] < box[1]))[(spans[:, 0] > box[0]) & (spans[:, 0] < box[2])].all()


def test_lesson_grid_realised_and_vertical():
    ds = lesson_grid()
    layout = SharedLayout().fit(ds)
    for d in ds:
        check_geometry(architecture_data(d, layout).geometry, what="lesson grid")
    for d in (lesson_skip(), readme_example(), chapter3_explicit()):
        check_geometry(realised_data(d, (1, 8, 8), 10, fixed_channels=4).geometry, what="realised")
    check_geometry(architecture_data(chapter3_explicit(), SharedLayout(orientation="vertical")).geometry,
                   what="vertical")


# ------------------------------------------------------------------ random genomes of each gene set
RATES = MutationRates(add_node=0.35, connection=0.45, layer=0.2)


@pytest.mark.parametrize("genes", [ConvBlockGenes.chapter4(), LayerChoiceGenes(16), GraphSageGenes()],
                         ids=["conv-blocks", "layer-choices", "graphsage"])
def test_hundred_random_genomes_per_gene_set(genes):
    rng = np.random.default_rng(7)
    branched = 0
    for k in range(100):
        space = GenomeSpace(genes, RATES, initial_layers=int(rng.integers(1, 6)),
                            initial_mutations=int(rng.integers(0, 14)))
        g = space.sample(rng)
        data = architecture_data(genome_descriptor(g, genes))
        check_geometry(data.geometry, what=f"{type(genes).__name__} genome {k}")
        branched += len(data.geometry.paths) > len(data.names) - 1
    assert branched > 30   # the genomes really have skips and branches


def test_thirty_node_genome_and_shared_layout_overlay():
    genes = LayerChoiceGenes(16)
    rng = np.random.default_rng(3)
    big = GenomeSpace(genes, RATES, initial_layers=20, initial_mutations=25).sample(rng)
    d = genome_descriptor(big, genes)
    assert len(d.layers) >= 30
    check_geometry(architecture_data(d).geometry, what="30-node genome")
    space = GenomeSpace(genes, RATES, initial_layers=3, initial_mutations=3)
    pop = [space.sample(rng) for _ in range(5)]
    for _ in range(40):
        pop.append(space.mutate(pop[int(rng.integers(len(pop)))], rng))
    layout = SharedLayout()
    over = overlay_data([genome_descriptor(g, genes) for g in pop], layout)
    check_geometry(over.geometry, what="overlay")
    assert all(not re.fullmatch(r"node_\d+", lbl) for lbl in over.labels())   # labelled by layer type
    # a later plot on the same (incrementally grown) layout stays clean too
    check_geometry(architecture_data(genome_descriptor(pop[-1], genes), layout).geometry, what="incremental")


# ------------------------------------------------------------------ the renderers draw that geometry
def _renderer(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def test_matplotlib_draws_the_geometry_and_text_fits_its_boxes():
    d = chapter3_explicit()
    data = architecture_data(d, show_params=1)
    fig = plot_architecture(data)
    ax = fig.axes[0]
    segs = [c for c in ax.collections if c.get_label() == "connections"][0].get_segments()
    assert [s.round(6).tolist() for s in segs] == [p.round(6).tolist() for p in data.geometry.line_paths()]
    heads = [c for c in ax.collections if c.get_label() == "arrowheads"][0]
    assert np.allclose([p.vertices[0] for p in heads.get_paths()], data.geometry.heads[:, 0])
    renderer = _renderer(fig)
    boxes = {p.get_gid()[4:]: p.get_window_extent(renderer) for p in ax.patches
             if (p.get_gid() or "").startswith("box-")}
    texts = {t.get_gid()[5:]: t.get_window_extent(renderer) for t in ax.texts
             if (t.get_gid() or "").startswith("node-")}
    assert set(boxes) == set(texts) == set(data.names)
    for name, t in texts.items():
        b = boxes[name]
        assert b.x0 - 1 <= t.x0 and t.x1 <= b.x1 + 1 and b.y0 - 1 <= t.y0 and t.y1 <= b.y1 + 1, name
    ext = np.array([[t.x0, t.y0, t.x1, t.y1] for t in texts.values()])
    assert overlapping_pairs(ext) == []


def test_lesson_grid_text_fits_in_small_axes():
    ds = lesson_grid()
    layout = SharedLayout().fit(ds)
    fig, axes = subplots(1, 4, figsize=(16, 3))
    for ax, d in zip(axes, ds):
        plot_architecture(d, layout, ax=ax)
        ax.set_title("a title")
    renderer = _renderer(fig)
    for ax in axes:
        boxes = {p.get_gid()[4:]: p.get_window_extent(renderer) for p in ax.patches}
        for t in ax.texts:
            if (t.get_gid() or "").startswith("node-"):
                e, b = t.get_window_extent(renderer), boxes[t.get_gid()[5:]]
                assert b.x0 - 1 <= e.x0 and e.x1 <= b.x1 + 1 and b.y0 - 1 <= e.y0 and e.y1 <= b.y1 + 1
                assert e.height > 3   # still legible (pixels at 100 dpi)
        title = ax.title.get_window_extent(renderer)
        assert not any(_overlap(np.array([title.x0, title.y0, title.x1, title.y1]),
                                np.array([b.x0, b.y0, b.x1, b.y1])) for b in boxes.values())


def test_svg_and_plotly_draw_the_same_geometry():
    data = architecture_data(readme_example())
    geom = data.geometry
    svg = architecture_svg(data, scale=1.0)
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    x0, _y0, _x1, y1 = geom.extent
    paths = {p.get("data-edge"): p.get("d") for p in root.iter("{http://www.w3.org/2000/svg}path")}
    for (u, v), line in zip(geom.edges, geom.line_paths()):
        nums = np.array([float(n) for n in re.findall(r"-?\d+\.?\d*", paths[f"{data.names[u]}->{data.names[v]}"])])
        xy = nums.reshape(-1, 2)
        assert np.allclose(xy[:, 0], line[:, 0] - x0 + 6, atol=0.06)
        assert np.allclose(xy[:, 1], y1 + 6 - line[:, 1], atol=0.06)
    rects = root.findall(".//s:g[@class='node']/s:rect", ns)
    assert len(rects) == 3
    assert np.allclose(sorted(float(r.get("width")) for r in rects), sorted(2 * geom.half[:, 0]), atol=0.06)
    assert len(root.findall(".//s:polygon[@class='arrowhead']", ns)) == 3
    fig = plot_architecture(data, backend="plotly")
    lines = [t for t in fig.data if t.name == "connections"][0]
    xs = [x for x in lines.x if x is not None]
    assert np.allclose(xs, np.concatenate([p[:, 0] for p in geom.line_paths()]))
    assert len([s for s in fig.layout.shapes if s.layer == "above"]) == 3      # arrowheads over everything
    assert list(fig.data[-1].customdata) == data.names


def test_overlay_renderers_label_by_type_once():
    a = quickstart_example()
    b = quickstart_example(); b.disconnect_layers("relu1", "relu2")
    data = overlay_data([a, b, readme_example()])
    svg = overlay_svg(data)
    words = re.findall(r">([^<>]+)</text>", svg)
    assert "ReLU" in words and not any(w.startswith("relu") or w.startswith("layer_") for w in words)
    fig = plot_overlay(data, labels=True)
    texts = [t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("node-")]
    assert sorted(texts) == sorted(data.labels())
    check_geometry(data.geometry, what="overlay")


def test_overlay_label_of_a_layer_in_one_of_twelve_architectures_is_shown_and_readable():
    from nasnb.descriptors import NeuralDescriptor
    from nasnb.viz import overlay_data, overlay_svg

    archs = [NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"]) for _ in range(11)]
    archs.append(NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU", "nn.Tanh"]))
    svg = overlay_svg(overlay_data(archs))
    rare = svg.split('data-count="1"')[1].split("</g>")[0]   # the middle layer of the one 3-layer network
    text = rare.split("<text")[1]
    assert text.split(">")[1].startswith("ReLU")
    assert float(text.split('fill-opacity="')[1].split('"')[0]) >= 0.8   # the box is faint, its label is not
