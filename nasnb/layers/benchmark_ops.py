"""NAS-Bench-101 and NAS-Bench-201 operations as layer types.

NAS-Bench-101: ``input`` / ``output`` (identity), ``conv3x3-bn-relu`` and ``conv1x1-bn-relu``
(Conv without bias → BatchNorm → ReLU, padding keeps the size), ``maxpool3x3`` (stride 1,
padding 1). NAS-Bench-201: ``IN`` / ``OUT`` (identity), ``nor_conv_3x3`` / ``nor_conv_1x1``
(ReLU → Conv without bias → BatchNorm), ``avg_pool_3x3`` (stride 1, padding 1, padding not
counted), ``skip_connect`` (identity), ``none`` (zeros). Convolutions take an optional
``channels`` parameter that defaults to the input's channel count. Every op works on series
(1-D layers) and images (2-D layers); identity ops also pass flat inputs.

Examples
--------
>>> from nasnb.layers import default_registry
>>> reg = default_registry()
>>> reg.get("conv3x3-bn-relu").infer_output_shape((16, 8, 8), {})
(16, 8, 8)
>>> reg.get("nor_conv_1x1").infer_output_shape((16, 8, 8), {"channels": 32})
(32, 8, 8)
"""

from __future__ import annotations

import functools
import numbers

from nasnb.layers.registry import LayerInfo
from nasnb.layers.shapes import conv_output_shape, pool_output_shape

__all__ = ["NASBENCH101_OPS", "NASBENCH201_OPS", "layer_infos"]

NASBENCH101_OPS = ("input", "output", "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
NASBENCH201_OPS = ("IN", "OUT", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3", "skip_connect", "none")


def _dims(shape: tuple, op: str) -> int:
    if len(shape) not in (2, 3):
        raise ValueError(f"{op} needs a series (C, L) or image (C, H, W) input, got shape {tuple(shape)}.")
    return len(shape) - 1


def _check_channels(params: dict) -> None:
    c = params.get("channels")
    if c is not None and not (isinstance(c, numbers.Integral) and not isinstance(c, bool) and int(c) > 0):
        raise ValueError(f"'channels' must be a positive int or null, got {c!r}.")


def _conv_shape(op: str, kernel: int, shape: tuple, channels: int | None = None) -> tuple:
    _dims(shape, op)
    return conv_output_shape(shape, channels or shape[0], kernel, 1, kernel // 2)


def _conv_op(op: str, kernel: int, relu_first: bool, shape: tuple, channels: int | None = None):
    from torch import nn

    dims = _dims(shape, op)
    out = channels or shape[0]
    conv = (nn.Conv1d if dims == 1 else nn.Conv2d)(shape[0], out, kernel, padding=kernel // 2, bias=False)
    norm = (nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(out)
    if relu_first:
        return nn.Sequential(nn.ReLU(), conv, norm)
    return nn.Sequential(conv, norm, nn.ReLU())


def _pool_shape(op: str, shape: tuple) -> tuple:
    _dims(shape, op)
    return pool_output_shape(shape, 3, 1, 1)


def _pool_op(op: str, average: bool, shape: tuple):
    from torch import nn

    dims = _dims(shape, op)
    if average:
        return (nn.AvgPool1d if dims == 1 else nn.AvgPool2d)(3, 1, 1, count_include_pad=False)
    return (nn.MaxPool1d if dims == 1 else nn.MaxPool2d)(3, 1, 1)


def _same_shape(shape: tuple) -> tuple:
    return tuple(shape)


def _identity(shape: tuple):
    from torch import nn

    return nn.Identity()


def _zeros(shape: tuple):
    from nasnb.layers.modules import Zeros

    return Zeros()


def layer_infos() -> list[LayerInfo]:
    """Registry entries of the NAS-Bench-101 and NAS-Bench-201 operations."""
    infos = []
    for op in ("input", "output", "IN", "OUT", "skip_connect"):
        infos.append(LayerInfo(op, _identity, output_shape=_same_shape, description="identity (benchmark op)"))
    infos.append(LayerInfo("none", _zeros, output_shape=_same_shape, description="NAS-Bench-201 zero op"))
    for op, kernel, relu_first, text in (
        ("conv3x3-bn-relu", 3, False, "NAS-Bench-101: conv 3×3 → BN → ReLU"),
        ("conv1x1-bn-relu", 1, False, "NAS-Bench-101: conv 1×1 → BN → ReLU"),
        ("nor_conv_3x3", 3, True, "NAS-Bench-201: ReLU → conv 3×3 → BN"),
        ("nor_conv_1x1", 1, True, "NAS-Bench-201: ReLU → conv 1×1 → BN"),
    ):
        infos.append(
            LayerInfo(
                op,
                functools.partial(_conv_op, op, kernel, relu_first),
                output_shape=functools.partial(_conv_shape, op, kernel),
                ranks=(2, 3),
                check=_check_channels,
                description=text + " (channels default: input's)",
            )
        )
    for op, average, text in (
        ("maxpool3x3", False, "NAS-Bench-101: max pool 3×3, stride 1"),
        ("avg_pool_3x3", True, "NAS-Bench-201: avg pool 3×3, stride 1"),
    ):
        infos.append(
            LayerInfo(
                op,
                functools.partial(_pool_op, op, average),
                output_shape=functools.partial(_pool_shape, op),
                ranks=(2, 3),
                description=text,
            )
        )
    return infos
