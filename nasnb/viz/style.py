"""Colours and labels shared by every architecture rendering (matplotlib, plotly, SVG, DOT)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

__all__ = ["layer_colour", "layer_label", "INACTIVE_ALPHA", "INSERTED_COLOUR"]

#: Opacity factor of inactive nodes and connections (those on no input -> output path).
INACTIVE_ALPHA = 0.25
#: Colour of layers the builder inserted (scaling / merge layers) in realised plots.
INSERTED_COLOUR = "#bbbbbb"

_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#af7aa1",
    "#86bcb6",
    "#d37295",
    "#a0cbe8",
)
_FAMILIES = {
    "conv": "#4e79a7",
    "pool": "#59a14f",
    "skip": "#bab0ac",
    "identity": "#bab0ac",
    "none": "#dddddd",
    "input": "#e15759",
    "output": "#e15759",
    "linear": "#f28e2b",
    "norm": "#76b7b2",
}


def layer_colour(layer_type: str) -> str:
    """A stable colour for a layer type (convolutions blue, pools green, in/out red, ...).

    Examples
    --------
    >>> layer_colour("CONV_3.N") == layer_colour("nn.Conv2d")
    True
    """
    low = layer_type.lower()
    if low in ("in", "input", "out", "output"):
        return _FAMILIES["input"]
    for family in ("conv", "pool", "skip", "identity", "linear", "norm"):
        if family in low:
            return _FAMILIES[family]
    if low == "none":
        return _FAMILIES["none"]
    return _PALETTE[zlib.crc32(layer_type.encode()) % len(_PALETTE)]


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return "x".join(_short(v) for v in value)
    return str(value)


def layer_label(name: str, layer_type: str, params: Mapping[str, Any] | None = None, *, show_params: int = 2) -> str:
    """Short label ``type`` plus up to ``show_params`` parameters (``name`` if no type).

    Examples
    --------
    >>> layer_label("c1", "nn.Conv2d", {"out_channels": 8, "kernel_size": 3})
    'Conv2d\\nout_channels=8 kernel_size=3'
    """
    text = layer_type[3:] if layer_type.startswith("nn.") else layer_type
    if params and show_params:
        items = list(params.items())[:show_params]
        text += "\n" + " ".join(f"{k}={_short(v)}" for k, v in items)
    return text or name
