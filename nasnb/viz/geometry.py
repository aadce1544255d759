"""Drawing geometry of architecture graphs, computed once and drawn by every renderer.

:func:`graph_geometry` turns shared-layout positions, node labels and connections into a
:class:`Geometry` in *points* (1/72 inch, y up): a box around every label, one routed
polyline per connection (from the border of its source box to the tip of its arrowhead)
and the arrowhead triangles. The matplotlib, plotly and SVG renderers only scale and draw
these numbers, so the three drawings agree.

Rules the geometry keeps (and ``tests/viz/test_viz_geometry.py`` checks):

* boxes never overlap and every label fits in its box (labels are measured with the
  advance widths of DejaVu Sans, the widest common sans-serif face);
* a connection never crosses a box that is not one of its ends: a connection whose straight
  line would pass behind a node is routed as an arc over a free lane between rows (or
  above / below the graph); lanes of different connections do not overlap;
* an arrowhead's tip sits on the border of its target box, outside every box.

Columns (distinct positions along the flow direction) and rows keep their order and at
least the space a box and a connection lane need, so a layout's fractional columns (a node
squeezed in before the output) still get room.

Examples
--------
>>> g = graph_geometry([(0, 0), (1, 0), (2, 0)], ["conv", "relu", "pool"], [(0, 1), (1, 2), (0, 2)])
>>> [len(p) for p in g.paths]          # two straight connections and an arc around "relu"
[2, 2, 5]
>>> bool(g.paths[2][1:-1, 1].min() > g.boxes()[1, 3])   # the skip runs above the middle box
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Geometry", "graph_geometry", "text_width", "segment_hits_boxes", "FONT_SIZE"]

#: Label font size of a drawing, in points (renderers scale everything together).
FONT_SIZE = 9.0
_LINE = 1.25  # line height, in font sizes
_PAD = (4.0, 3.0)  # text padding inside a box (x, y), points
_GAP_FLOW = 30.0  # free space between columns (room for arrowheads and vertical lane legs)
_GAP_CROSS = 24.0  # free space between rows (room for lanes)
_MARGIN = 3.0  # clearance between a connection and a box that is not its end
_LANE_STEP = 5.0  # distance between parallel lanes
_HEAD = (7.0, 2.8)  # arrowhead length and half width

# DejaVu Sans advance widths (in em) of the printable ASCII characters 32..126
_WIDTHS = (
    0.318,
    0.401,
    0.46,
    0.838,
    0.636,
    0.95,
    0.78,
    0.275,
    0.39,
    0.39,
    0.5,
    0.838,
    0.318,
    0.361,
    0.318,
    0.337,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.337,
    0.337,
    0.838,
    0.838,
    0.838,
    0.531,
    1.0,
    0.684,
    0.686,
    0.698,
    0.77,
    0.632,
    0.575,
    0.775,
    0.752,
    0.295,
    0.295,
    0.656,
    0.557,
    0.863,
    0.748,
    0.787,
    0.603,
    0.787,
    0.695,
    0.635,
    0.611,
    0.732,
    0.684,
    0.989,
    0.685,
    0.611,
    0.685,
    0.39,
    0.337,
    0.39,
    0.838,
    0.5,
    0.5,
    0.613,
    0.635,
    0.55,
    0.635,
    0.615,
    0.352,
    0.635,
    0.634,
    0.278,
    0.278,
    0.579,
    0.278,
    0.974,
    0.634,
    0.612,
    0.635,
    0.635,
    0.411,
    0.521,
    0.392,
    0.634,
    0.592,
    0.818,
    0.592,
    0.592,
    0.525,
    0.636,
    0.337,
    0.636,
    0.838,
)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Width in points of one line of ``text`` at ``size`` points (DejaVu Sans, slightly generous).

    Examples
    --------
    >>> round(text_width("Conv2d"), 1)
    35.6
    """
    em = 0.0
    for ch in str(text):
        code = ord(ch)
        em += _WIDTHS[code - 32] if 32 <= code < 127 else (1.0 if code > 0x2E80 else 0.84)
    return em * size * 1.04


class Geometry(NamedTuple):
    """Where every part of a graph drawing goes, in points (y up).

    Attributes
    ----------
    centres : ndarray of shape (n, 2)
        Box centres.
    half : ndarray of shape (n, 2)
        Half width and half height of each box.
    lines : list of list of str
        Label lines of each node (centred in its box).
    edges : list of (int, int)
        The connections, as index pairs (same order as ``paths``).
    paths : list of ndarray of shape (k, 2)
        Routed polyline of each connection, from its source's border to its arrow tip.
    heads : ndarray of shape (m, 3, 2)
        Arrowhead triangles (tip, left wing, right wing).
    extent : tuple of float
        ``(xmin, ymin, xmax, ymax)`` of everything drawn.
    font_size, line_height : float
        Label font size and line pitch, in points.
    """

    centres: np.ndarray
    half: np.ndarray
    lines: list
    edges: list
    paths: list
    heads: np.ndarray
    extent: tuple
    font_size: float
    line_height: float

    def boxes(self) -> np.ndarray:
        """Node boxes as rows ``(x0, y0, x1, y1)``."""
        return np.hstack([self.centres - self.half, self.centres + self.half]).reshape(-1, 4)

    def label_boxes(self) -> np.ndarray:
        """Extent of each label's text as rows ``(x0, y0, x1, y1)`` (inside its node box)."""
        out = np.zeros((len(self.lines), 4))
        for i, lines in enumerate(self.lines):
            w = max([text_width(t, self.font_size) for t in lines] + [0.0])
            h = len(lines) * self.line_height
            x, y = self.centres[i]
            out[i] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        return out

    def line_paths(self) -> list[np.ndarray]:
        """Each path with its end moved back to the arrowhead's base (what renderers stroke)."""
        out = []
        for path, head in zip(self.paths, self.heads):
            p = np.array(path, dtype=float)
            p[-1] = (head[1] + head[2]) / 2
            out.append(p)
        return out

    def line_baselines(self, i: int) -> list[float]:
        """Vertical centre of each label line of node ``i`` (first line on top)."""
        k = len(self.lines[i])
        y = self.centres[i, 1]
        return [float(y + (k - 1 - 2 * j) * self.line_height / 2) for j in range(k)]


# ---------------------------------------------------------------- segment / box tests
def segment_hits_boxes(p: Any, q: Any, boxes: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """Whether segment ``p``-``q`` passes through the interior of each box (inflated by ``margin``).

    Examples
    --------
    >>> segment_hits_boxes((0, 0), (10, 0), np.array([[4, -1, 6, 1], [4, 2, 6, 3]])).tolist()
    [True, False]
    """
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    if not len(boxes):
        return np.zeros(0, dtype=bool)
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    d = q - p
    lo = boxes[:, :2] - margin
    hi = boxes[:, 2:] + margin
    t0 = np.zeros(len(boxes))
    t1 = np.ones(len(boxes))
    inside = np.ones(len(boxes), dtype=bool)
    for axis in (0, 1):
        if abs(d[axis]) < 1e-12:
            inside &= (p[axis] > lo[:, axis]) & (p[axis] < hi[:, axis])
            continue
        a = (lo[:, axis] - p[axis]) / d[axis]
        b = (hi[:, axis] - p[axis]) / d[axis]
        t0 = np.maximum(t0, np.minimum(a, b))
        t1 = np.minimum(t1, np.maximum(a, b))
    return inside & (t1 - t0 > 1e-9)


def _axis_coords(values: np.ndarray, min_sep: float) -> np.ndarray:
    """Map layout coordinates to points: order kept, distinct values >= ``min_sep`` apart."""
    if not len(values):
        return values
    rounded = np.round(values, 6)
    uniq = np.unique(rounded)
    coords = np.zeros(len(uniq))
    for i in range(1, len(uniq)):
        coords[i] = coords[i - 1] + min_sep * max(float(uniq[i] - uniq[i - 1]), 1.0)
    return coords[np.searchsorted(uniq, rounded)]


class _Router:
    """Routes connections in the (flow, cross) frame: flow runs input -> output."""

    def __init__(self, fc: np.ndarray, ext: np.ndarray, head: tuple[float, float] = _HEAD) -> None:
        self.fc, self.ext, self.head = fc, ext, head
        self._src = -1
        self.boxes = np.hstack([fc - ext, fc + ext])
        cols = np.unique(np.round(fc[:, 0], 6))
        self.col_of = np.searchsorted(cols, np.round(fc[:, 0], 6))
        self.left = np.array([self.boxes[self.col_of == k, 0].min() for k in range(len(cols))])
        self.right = np.array([self.boxes[self.col_of == k, 2].max() for k in range(len(cols))])
        rows = np.unique(np.round(fc[:, 1], 6))
        low = np.array([self.boxes[np.round(fc[:, 1], 6) == r, 1].min() for r in rows])
        high = np.array([self.boxes[np.round(fc[:, 1], 6) == r, 3].max() for r in rows])
        self.lanes: list[tuple[float, float]] = []  # (centre, how far slots may stray from it)
        for k in range(len(rows) - 1):
            free = low[k + 1] - high[k]
            self.lanes.append(((low[k + 1] + high[k]) / 2, free / 2 - _MARGIN))
        self.top = high.max() + _MARGIN + _GAP_CROSS / 2
        self.bottom = low.min() - _MARGIN - _GAP_CROSS / 2
        self.used_h: list[tuple[float, float, float]] = []  # lane legs: (cross, f0, f1)
        self.used_v: list[tuple[float, float, float]] = []  # channel legs: (flow, c0, c1)

    # -- channels: the free vertical strip after / before a column
    def _channel(self, k: int, after: bool) -> tuple[float, float]:
        n = len(self.left)
        if after:
            if k + 1 < n:
                return (self.right[k] + self.left[k + 1]) / 2, (self.left[k + 1] - self.right[k]) / 2 - _MARGIN
            return self.right[k] + _GAP_FLOW / 2, _GAP_FLOW / 2 - _MARGIN
        if k > 0:
            return (self.right[k - 1] + self.left[k]) / 2, (self.left[k] - self.right[k - 1]) / 2 - _MARGIN
        return self.left[k] - _GAP_FLOW / 2, _GAP_FLOW / 2 - _MARGIN

    def clear(self, p: np.ndarray, q: np.ndarray, skip: Sequence[int] = ()) -> bool:
        hit = segment_hits_boxes(p, q, self.boxes, _MARGIN)
        if len(skip):
            hit[list(skip)] = False
        return not hit.any()

    def _lane_candidates(self, cu: float, cv: float):
        out = []
        for centre, room in self.lanes:
            k = 0
            while k * _LANE_STEP <= room:
                for off in (0.0,) if k == 0 else (k * _LANE_STEP, -k * _LANE_STEP):
                    y = centre + off
                    out.append((abs(y - cu) + abs(y - cv) + 0.01 * abs(off), y))
                k += 1
        for j in range(48):
            for y in (self.top + j * _LANE_STEP, self.bottom - j * _LANE_STEP):
                out.append((abs(y - cu) + abs(y - cv) + 0.01 * j + (0.001 if y < cu else 0.0), y))
        out.sort()
        return [y for _, y in out]

    def _slot(self, centre: float, room: float, c0: float, c1: float) -> float | None:
        lo, hi = min(c0, c1), max(c0, c1)
        k = 0
        while k * _LANE_STEP <= max(room, 0.0):
            for off in (0.0,) if k == 0 else (k * _LANE_STEP, -k * _LANE_STEP):
                x = centre + off
                if not any(abs(x - f) < _LANE_STEP / 2 and a < hi and lo < b for f, a, b in self.used_v):
                    return x
            k += 1
        return None

    def route(self, u: int, v: int) -> np.ndarray:
        self._src = u
        pu, pv = self.fc[u], self.fc[v]
        if self.clear(pu, pv, (u, v)):
            return self._clip(np.array([pu, pv]), u, v)
        xo_c, xo_room = self._channel(int(self.col_of[u]), after=True)
        xi_c, xi_room = self._channel(int(self.col_of[v]), after=False)
        best = None
        for y in self._lane_candidates(pu[1], pv[1]):
            f0, f1 = sorted((xo_c, xi_c))
            if any(
                abs(y - c) < _LANE_STEP / 2 and a < f1 + _LANE_STEP and f0 - _LANE_STEP < b for c, a, b in self.used_h
            ):
                continue
            xo = self._slot(xo_c, xo_room, pu[1], y)
            xi = self._slot(xi_c, xi_room, y, pv[1])
            if xo is None or xi is None:
                continue
            pts = np.array([pu, (xo, pu[1]), (xo, y), (xi, y), (xi, pv[1]), pv], dtype=float)
            if (
                self.clear(pts[0], pts[1], (u,))
                and self.clear(pts[4], pts[5], (v,))
                and all(self.clear(pts[i], pts[i + 1]) for i in (1, 2, 3))
            ):
                best = pts
                self.used_h.append((y, min(xo, xi), max(xo, xi)))
                self.used_v.extend([(xo, min(pu[1], y), max(pu[1], y)), (xi, min(y, pv[1]), max(y, pv[1]))])
                break
        if best is None:  # cannot happen with lanes outside the graph; keep a straight line
            return self._clip(np.array([pu, pv]), u, v)
        return self._pull(best, u, v)

    def _pull(self, pts: np.ndarray, u: int, v: int) -> np.ndarray:
        """Shape a lane route: an arc from the box faces that look at the lane, else corners cut.

        Returned paths start and end on the borders of the source and target boxes.
        """
        pu, pv, y = pts[0], pts[-1], pts[2, 1]
        su, sv = np.sign(y - pu[1]), np.sign(y - pv[1])
        start = np.array([pu[0] + 0.5 * self.ext[u, 0], pu[1] + su * self.ext[u, 1]])
        end = np.array([pv[0] - 0.5 * self.ext[v, 0], pv[1] + sv * self.ext[v, 1]])
        stub = end + np.array([0.0, sv * (self.head[0] + 2.0)])
        arc = np.array([start, pts[2], pts[3], stub, end])
        if (
            self.clear(arc[0], arc[1], (u,))
            and self.clear(arc[1], arc[2])
            and self.clear(arc[2], arc[3])
            and self.clear(arc[3], arc[4], (v,))
        ):
            return arc
        for keep in ((0, 2, 3, 4, 5), (0, 1, 2, 3, 5), (0, 1, 2, 3, 4, 5)):
            cand = pts[list(keep)]
            ok = True
            for i in range(len(cand) - 1):
                skip = ([u] if i == 0 else []) + ([v] if i == len(cand) - 2 else [])
                if not self.clear(cand[i], cand[i + 1], skip):
                    ok = False
                    break
            if ok:
                return self._clip(cand, u, v)
        return self._clip(pts, u, v)

    def _clip(self, pts: np.ndarray, u: int, v: int) -> np.ndarray:
        pts = np.array(pts, dtype=float)
        if np.allclose(pts[0], self.fc[u]):
            pts[0] = _exit(pts[0], self.ext[u], pts[1])
        if np.allclose(pts[-1], self.fc[v]):
            pts[-1] = _exit(pts[-1], self.ext[v], pts[-2])
        return self._approach(pts, v)

    def _approach(self, pts: np.ndarray, v: int) -> np.ndarray:
        """End with a short leg square to the target's face when the arrowhead would dip into the box."""
        tip, prev = pts[-1], pts[-2]
        d = tip - prev
        length = float(np.hypot(*d))
        if length < 1e-9:
            return pts
        d = d / length
        base = tip - d * self.head[0]
        normal = np.array([-d[1], d[0]]) * self.head[1]
        box = self.boxes[v]
        wings = np.array([base + normal, base - normal])
        inside = (
            (wings[:, 0] > box[0] + 0.1)
            & (wings[:, 0] < box[2] - 0.1)
            & (wings[:, 1] > box[1] + 0.1)
            & (wings[:, 1] < box[3] - 0.1)
        )
        if not inside.any():
            return pts
        rel = (tip - self.fc[v]) / np.maximum(self.ext[v], 1e-9)
        face = np.array([np.sign(rel[0]), 0.0]) if abs(rel[0]) >= abs(rel[1]) else np.array([0.0, np.sign(rel[1])])
        stub = tip + face * (self.head[0] + 2.0)
        if self.clear(prev, stub, ()) or (len(pts) == 2 and self.clear(prev, stub, (int(self._src),))):
            return np.vstack([pts[:-1], stub, tip])
        return pts


def _exit(centre: np.ndarray, half: np.ndarray, towards: np.ndarray) -> np.ndarray:
    """Where the ray from a box centre towards ``towards`` leaves the box."""
    d = towards - centre
    t = min(half[0] / abs(d[0]) if abs(d[0]) > 1e-12 else np.inf, half[1] / abs(d[1]) if abs(d[1]) > 1e-12 else np.inf)
    return centre + d * min(t, 1.0)


def graph_geometry(
    positions: Any,
    labels: Sequence[str],
    edges: Sequence[tuple[int, int]],
    *,
    orientation: str = "horizontal",
    font_size: float = FONT_SIZE,
) -> Geometry:
    """Boxes, routed connections and arrowheads of a graph on fixed layout positions.

    Parameters
    ----------
    positions : array-like of shape (n, 2)
        Layout coordinates (from a :class:`~nasnb.viz.layout.SharedLayout`).
    labels : sequence of str
        Text of each node (lines separated by ``"\\n"``).
    edges : sequence of (int, int)
        Connections as index pairs.
    orientation : {"horizontal", "vertical"}
        The layout's orientation (flow left -> right, or top -> bottom).
    font_size : float
        Label size in points; every other length scales with it.

    Returns
    -------
    Geometry
    """
    pos = np.asarray(positions, dtype=float).reshape(-1, 2)
    n = len(pos)
    lines = [str(lbl).split("\n") for lbl in labels]
    s = font_size / FONT_SIZE
    line_h = _LINE * font_size
    half = np.array(
        [
            [
                max([text_width(t, font_size) for t in ln] + [font_size]) / 2 + _PAD[0] * s,
                len(ln) * line_h / 2 + _PAD[1] * s,
            ]
            for ln in lines
        ]
    ).reshape(-1, 2)
    if n == 0:
        return Geometry(
            np.zeros((0, 2)), half, lines, [], [], np.zeros((0, 3, 2)), (0.0, 0.0, 1.0, 1.0), font_size, line_h
        )
    vertical = orientation == "vertical"
    flow_layout = -pos[:, 1] if vertical else pos[:, 0]
    cross_layout = pos[:, 0] if vertical else pos[:, 1]
    ext = half[:, ::-1] if vertical else half  # half extents along (flow, cross)
    flow = _axis_coords(flow_layout, 2 * ext[:, 0].max() + _GAP_FLOW * s)
    cross = _axis_coords(cross_layout, 2 * ext[:, 1].max() + _GAP_CROSS * s)
    fc = np.column_stack([flow, cross])
    router = _Router(fc, ext, (_HEAD[0] * s, _HEAD[1] * s))
    paths_fc = [router.route(int(a), int(b)) for a, b in edges]

    def to_xy(p: np.ndarray) -> np.ndarray:
        return np.column_stack([p[:, 1], -p[:, 0]]) if vertical else p

    centres = to_xy(fc)
    paths, heads = [], []
    for _edge, path in zip(edges, paths_fc):
        p = to_xy(path).astype(float)
        d = p[-1] - p[-2]
        d = d / max(float(np.hypot(*d)), 1e-12)
        normal = np.array([-d[1], d[0]])
        base = p[-1] - d * _HEAD[0] * s
        heads.append([p[-1], base + normal * _HEAD[1] * s, base - normal * _HEAD[1] * s])
        paths.append(p)
    pts = np.vstack([centres - half, centres + half] + paths) if paths else np.vstack([centres - half, centres + half])
    extent = (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
    return Geometry(
        centres,
        half,
        lines,
        [(int(a), int(b)) for a, b in edges],
        paths,
        np.array(heads, dtype=float).reshape(-1, 3, 2),
        extent,
        font_size,
        line_h,
    )
