"""Graphviz DOT export of architectures (the text always; rendering only where Graphviz exists).

The DOT text pins every node where the architecture's :class:`~nasnb.viz.geometry.Geometry`
puts it (``pos="x,y!"`` in points, box size fixed) and gives every connection its routed path
(``pos="e,..."``), so ``neato -n2`` draws the same picture as the matplotlib, plotly and SVG
renderers; ``dot`` lays the graph out itself.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> text = architecture_dot(NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"]))
>>> text.splitlines()[0], '"layer_0" -> "layer_1" [pos="e,' in text
('digraph architecture {', True)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from nasnb._validation import check_choice
from nasnb.exceptions import OptionalDependencyError, ParameterError
from nasnb.viz.architecture import ArchitectureData, architecture_data
from nasnb.viz.layout import SharedLayout

__all__ = ["architecture_dot", "render_dot", "graphviz_available"]

_FORMATS = ("svg", "png", "pdf")
_ENGINES = ("neato", "dot")


def _spline(line, tip) -> str:
    """A routed polyline (ending at the arrowhead's base) as a Graphviz edge ``pos``: straight
    cubic pieces, then ``e,`` the arrow tip."""
    body = [tuple(p) for p in line]
    out = [body[0]]
    for a, b in zip(body[:-1], body[1:]):
        out += [a, b, b]
    return f"e,{tip[0]:.2f},{tip[1]:.2f} " + " ".join(f"{x:.2f},{y:.2f}" for x, y in out)


def _quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def architecture_dot(descriptor: Any, layout: SharedLayout | None = None, *, show_params: int = 0) -> str:
    """DOT source of an architecture, with fixed node positions and faded inactive parts.

    Parameters
    ----------
    descriptor : NeuralDescriptor, dict, JSON, genome or ArchitectureData
        The architecture.
    layout : SharedLayout, optional
        Shared layout (positions become ``pos`` attributes).
    show_params : int
        How many layer parameters to print in each node.
    """
    data = (
        descriptor
        if isinstance(descriptor, ArchitectureData)
        else architecture_data(descriptor, layout, show_params=show_params)
    )
    geom = data.with_geometry().geometry
    lines = [
        "digraph architecture {",
        "  rankdir=LR;",
        f'  node [shape=box, style="rounded,filled", fontsize={geom.font_size:g}, fixedsize=true, '
        'fontname="DejaVu Sans"];',
        "  edge [arrowsize=0.7];",
    ]
    if data.title:
        lines.append(f"  label={_quote(data.title)};")
    for i, name in enumerate(data.names):
        x, y = geom.centres[i]
        w, h = 2 * geom.half[i] / 72.0
        fill = data.colours[i] + ("ff" if data.active[i] else "40")
        font = "#000000" if data.active[i] else "#00000060"
        lines.append(
            f'  {_quote(name)} [label={_quote(data.labels[i])}, pos="{x:.1f},{y:.1f}!", '
            f'width={w:.3f}, height={h:.3f}, fillcolor="{fill}", fontcolor="{font}"];'
        )
    for (u, v), a, line, path in zip(data.edges, data.edge_active, geom.line_paths(), geom.paths):
        style = "" if a else ', color="#33333340", style=dashed'
        lines.append(f'  {_quote(data.names[u])} -> {_quote(data.names[v])} [pos="{_spline(line, path[-1])}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz_available(engine: str = "neato") -> bool:
    """Whether the Graphviz program ``engine`` is on the PATH."""
    return shutil.which(engine) is not None


def render_dot(
    source: str, path: Any = None, *, fmt: str = "svg", engine: str = "neato", timeout: float = 30.0
) -> bytes:
    """Render DOT text with the Graphviz program; return the bytes and write ``path`` if given.

    ``engine="neato"`` keeps the fixed positions and routed connections (``neato -n2``);
    ``"dot"`` re-lays the graph.

    Raises
    ------
    OptionalDependencyError
        If the Graphviz program is not installed (``apt-get install graphviz``).
    """
    check_choice(fmt, _FORMATS, "fmt", "render_dot")
    check_choice(engine, _ENGINES, "engine", "render_dot")
    exe = shutil.which(engine)
    if exe is None:
        raise OptionalDependencyError(
            f"The Graphviz program {engine!r} is needed to render DOT; install Graphviz "
            "(e.g. apt-get install graphviz). architecture_dot() works without it."
        )
    args = [exe, f"-T{fmt}"] + (["-n2"] if engine == "neato" else [])
    try:
        done = subprocess.run(args, input=source.encode(), capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ParameterError(f"Graphviz {engine} did not finish within {timeout} s.") from exc
    if done.returncode != 0:
        raise ParameterError(f"Graphviz {engine} rejected the DOT source: {done.stderr.decode(errors='replace')}")
    if path is not None:
        Path(path).write_bytes(done.stdout)
    return done.stdout
