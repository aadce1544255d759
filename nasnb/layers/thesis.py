"""The thesis' layer blocks: the DeepNEAT convolution block (ch. 4–5) and the twelve ch. 6 choices.

Every block picks 1-D or 2-D torch layers from the rank of its input: ``(C, L)`` series get
``Conv1d``/``MaxPool1d``, ``(C, H, W)`` images ``Conv2d``/``MaxPool2d``. Flat inputs are an error.

Our reading of the thesis (documented choices)
----------------------------------------------
``deepneat_conv`` (params ``filters``, ``kernel``, ``dropout``, ``weight_scale``, ``max_pool``,
``batch_norm``): Conv(kernel, padding kernel//2 so the size is kept) → ReLU → [BatchNorm]
→ Dropout (``Dropout2d`` on images, ``Dropout`` on series) → [MaxPool 2×2, stride 2,
``ceil_mode=True`` so a 1×1 map stays 1×1]. ``weight_scale`` multiplies the convolution's
initial weights and bias (the original code multiplied the conv output by a constant; at
initialisation both are the same). BatchNorm is off by default because it would cancel the
weight scaling. Thesis ranges (used by search spaces): :data:`DEEPNEAT_RANGES`; validation
accepts the layers' natural domains (dropout in [0, 1), weight_scale ≥ 0, odd kernels).

``CONV_k.H`` / ``CONV_k.N``: Conv(kernel k, ``padding="same"``) with ``fixed_channels // 2``
(H) or ``fixed_channels`` (N) filters → ReLU6 → BatchNorm → Dropout(0.1). ``fixed_channels``
comes from the builder (default :data:`THESIS_FIXED_CHANNELS` = 64, the thesis' value).

``POOL_k.A`` / ``POOL_k.M``: average / max pooling with kernel k, stride 2, padding
(k - 1) // 2, and ``ceil_mode`` for the even kernel (average pools do not count the
padding). The thesis does not state stride and padding; with size-keeping convolutions the
pools are the only down-sampling, so each one halves H×W exactly, rounding up
(28 → 14 → 7 → 4 → 2 → 1 → 1), for every k, and never shrinks a map to zero. This keeps
the dense head of the search space at a sensible size.

Examples
--------
>>> from nasnb.layers import default_registry
>>> reg = default_registry()
>>> reg.get("CONV_5.H").infer_output_shape((1, 28, 28), {}, fixed_channels=64)
(32, 28, 28)
>>> reg.get("POOL_3.M").infer_output_shape((32, 28, 28), {})
(32, 14, 14)
>>> reg.get("deepneat_conv").infer_output_shape((3, 32, 32), {"filters": 40, "max_pool": True})
(40, 16, 16)
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Any

from nasnb.layers.registry import LayerInfo
from nasnb.layers.shapes import conv_output_shape, pool_output_shape

__all__ = ["THESIS_FIXED_CHANNELS", "CH6_CHOICES", "DEEPNEAT_RANGES", "layer_infos"]

#: Fixed channel count of the chapter-6 search space.
THESIS_FIXED_CHANNELS = 64
#: Dropout after every chapter-6 convolution.
CH6_DROPOUT = 0.1
#: The twelve chapter-6 layer choices, in the thesis' order.
CH6_CHOICES = tuple(f"CONV_{k}.{w}" for k in (2, 3, 5) for w in ("H", "N")) + tuple(
    f"POOL_{k}.{m}" for k in (2, 3, 5) for m in ("A", "M")
)
#: Parameter ranges of the DeepNEAT block genes (ch. 4: filters 32–56; ch. 5: 32–256).
DEEPNEAT_RANGES = {
    "filters": (32, 256),
    "kernel": (1, 3),
    "dropout": (0.0, 0.7),
    "weight_scale": (0.0, 2.0),
    "max_pool": (False, True),
}


def _rank_check(shape: tuple, what: str) -> int:
    if len(shape) not in (2, 3):
        raise ValueError(f"{what} needs a series (C, L) or image (C, H, W) input, got shape {tuple(shape)}.")
    return len(shape) - 1


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


# ---------------------------------------------------------------- DeepNEAT block
def _deepneat_check(params: dict) -> None:
    filters, kernel = params.get("filters"), params.get("kernel", 3)
    if not (isinstance(filters, numbers.Integral) and not isinstance(filters, bool) and int(filters) > 0):
        raise ValueError(f"'filters' must be a positive int, got {filters!r}.")
    if not (
        isinstance(kernel, numbers.Integral) and not isinstance(kernel, bool) and int(kernel) > 0 and int(kernel) % 2
    ):
        raise ValueError(f"'kernel' must be a positive odd int (the thesis uses 1 or 3), got {kernel!r}.")
    dropout = params.get("dropout", 0.0)
    if not (_is_real(dropout) and 0 <= dropout < 1):
        raise ValueError(f"'dropout' must be a number in [0, 1) (the thesis uses 0–0.7), got {dropout!r}.")
    scale = params.get("weight_scale", 1.0)
    if not (_is_real(scale) and scale >= 0):
        raise ValueError(f"'weight_scale' must be a non-negative number (the thesis uses 0–2), got {scale!r}.")
    for flag in ("max_pool", "batch_norm"):
        if not isinstance(params.get(flag, False), bool):
            raise ValueError(f"{flag!r} must be true or false, got {params.get(flag)!r}.")


def deepneat_conv_shape(
    shape: tuple,
    filters: int,
    kernel: int = 3,
    dropout: float = 0.0,
    weight_scale: float = 1.0,
    max_pool: bool = False,
    batch_norm: bool = False,
) -> tuple:
    """Output shape of :func:`deepneat_conv`."""
    _rank_check(shape, "deepneat_conv")
    out = conv_output_shape(shape, filters, kernel, 1, kernel // 2)
    return pool_output_shape(out, 2, 2, 0, 1, True) if max_pool else out


def deepneat_conv(
    shape: tuple,
    filters: int,
    kernel: int = 3,
    dropout: float = 0.0,
    weight_scale: float = 1.0,
    max_pool: bool = False,
    batch_norm: bool = False,
):
    """The DeepNEAT convolution block of chapters 4–5 (see the module docstring)."""
    import torch
    from torch import nn

    dims = _rank_check(shape, "deepneat_conv")
    conv = (nn.Conv1d if dims == 1 else nn.Conv2d)(shape[0], filters, kernel, padding=kernel // 2)
    with torch.no_grad():
        conv.weight.mul_(float(weight_scale))
        if conv.bias is not None:  # always: the conv is built with a bias
            conv.bias.mul_(float(weight_scale))
    parts: list[nn.Module] = [conv, nn.ReLU()]
    if batch_norm:
        parts.append((nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(filters))
    parts.append((nn.Dropout if dims == 1 else nn.Dropout2d)(float(dropout)))
    if max_pool:
        parts.append((nn.MaxPool1d if dims == 1 else nn.MaxPool2d)(2, 2, ceil_mode=True))
    return nn.Sequential(*parts)


# ---------------------------------------------------------------- chapter 6
def _ch6_channels(width: str, fixed_channels: int | None) -> int:
    fixed = THESIS_FIXED_CHANNELS if fixed_channels is None else int(fixed_channels)
    return max(1, fixed // 2) if width == "H" else fixed


def _ch6_conv_shape(kernel: int, width: str, shape: tuple, fixed_channels: int | None = None) -> tuple:
    _rank_check(shape, f"CONV_{kernel}.{width}")
    return conv_output_shape(shape, _ch6_channels(width, fixed_channels), kernel, 1, "same")


def _ch6_conv(kernel: int, width: str, shape: tuple, fixed_channels: int | None = None):
    from torch import nn

    dims = _rank_check(shape, f"CONV_{kernel}.{width}")
    channels = _ch6_channels(width, fixed_channels)
    norm = (nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(channels)
    if kernel % 2:
        conv = (nn.Conv1d if dims == 1 else nn.Conv2d)(shape[0], channels, kernel, padding="same")
        return nn.Sequential(conv, nn.ReLU6(), norm, nn.Dropout(CH6_DROPOUT))
    # even kernels: explicit asymmetric "same" padding (as torch's padding="same" pads, without
    # its warning about a zero-padded copy at every call)
    before, after = (kernel - 1) // 2, kernel // 2
    pad = nn.ConstantPad1d((before, after), 0.0) if dims == 1 else nn.ZeroPad2d((before, after, before, after))
    conv = (nn.Conv1d if dims == 1 else nn.Conv2d)(shape[0], channels, kernel)
    return nn.Sequential(pad, conv, nn.ReLU6(), norm, nn.Dropout(CH6_DROPOUT))


def _ch6_pool_shape(kernel: int, mode: str, shape: tuple) -> tuple:
    _rank_check(shape, f"POOL_{kernel}.{mode}")
    return pool_output_shape(shape, kernel, 2, (kernel - 1) // 2, 1, kernel % 2 == 0)


def _ch6_pool(kernel: int, mode: str, shape: tuple):
    from torch import nn

    dims = _rank_check(shape, f"POOL_{kernel}.{mode}")
    pad = (kernel - 1) // 2
    if mode == "M":
        return (nn.MaxPool1d if dims == 1 else nn.MaxPool2d)(kernel, 2, pad, ceil_mode=kernel % 2 == 0)
    return (nn.AvgPool1d if dims == 1 else nn.AvgPool2d)(
        kernel, 2, pad, ceil_mode=kernel % 2 == 0, count_include_pad=False
    )


def _no_params() -> None:
    """The (empty) parameter list of the ch. 6 choices."""


def _no_params_signature():
    return _no_params


def layer_infos() -> list[LayerInfo]:
    """Registry entries of the thesis blocks."""
    infos = [
        LayerInfo(
            "deepneat_conv",
            deepneat_conv,
            output_shape=deepneat_conv_shape,
            ranks=(2, 3),
            check=_deepneat_check,
            description="DeepNEAT block: conv → ReLU → [BN] → dropout → [2×2 max-pool]",
        )
    ]
    for choice in CH6_CHOICES:
        kind, spec = choice.split("_")
        size, letter = spec.split(".")
        k = int(size)
        if kind == "CONV":
            infos.append(
                LayerInfo(
                    choice,
                    functools.partial(_ch6_conv, k, letter),
                    output_shape=functools.partial(_ch6_conv_shape, k, letter),
                    ranks=(2, 3),
                    signature=_no_params_signature,
                    description=f"ch. 6: conv {k}×{k}, {'half the' if letter == 'H' else 'the'} fixed channel count, "
                    "ReLU6, BatchNorm, dropout 0.1",
                )
            )
        else:
            infos.append(
                LayerInfo(
                    choice,
                    functools.partial(_ch6_pool, k, letter),
                    output_shape=functools.partial(_ch6_pool_shape, k, letter),
                    ranks=(2, 3),
                    signature=_no_params_signature,
                    description=f"ch. 6: {'average' if letter == 'A' else 'max'} pool {k}×{k}, stride 2",
                )
            )
    return infos
