"""Output-shape formulas of layers, without torch.

Shapes never include the batch dimension: ``(F,)`` flat vectors, ``(C, L)`` series and
``(C, H, W)`` images. Every function raises ``ValueError`` with a message about the shapes
when the input cannot go through the layer; the builder adds the layer's name.

Examples
--------
>>> conv_output_shape((1, 28, 28), 8, kernel_size=3)
(8, 26, 26)
>>> pool_output_shape((8, 7, 7), kernel_size=2, stride=2, ceil_mode=True)
(8, 4, 4)
>>> shape_text((3, 32, 32))
'3×32×32'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

__all__ = [
    "Shape",
    "shape_text",
    "as_ntuple",
    "conv_output_shape",
    "conv_transpose_output_shape",
    "pool_output_shape",
    "adaptive_pool_output_shape",
    "flatten_output_shape",
    "upsample_output_shape",
    "RANK_NAMES",
]

Shape = tuple[int, ...]

#: Human names of the supported input ranks (batch dimension excluded).
RANK_NAMES = {1: "flat (F,)", 2: "series (C, L)", 3: "image (C, H, W)"}


def shape_text(shape: Sequence[int]) -> str:
    """Shape as ``C×H×W`` text for messages and summaries."""
    return "×".join(str(int(s)) for s in shape) if len(shape) else "scalar"


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_ntuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """Expand an int (or a list of ``n`` ints) to an ``n``-tuple of ints."""
    if _is_int(value):
        return (int(value),) * n
    if isinstance(value, (list, tuple)) and len(value) == n and all(_is_int(v) for v in value):
        return tuple(int(v) for v in value)
    raise ValueError(f"'{name}' must be an int or a list of {n} ints, got {value!r}.")


def _spatial(shape: Sequence[int], what: str) -> tuple[int, ...]:
    if len(shape) not in (2, 3):
        raise ValueError(f"{what} needs a series (C, L) or image (C, H, W) input, got shape {tuple(shape)}.")
    return tuple(shape[1:])


def conv_output_shape(
    shape: Sequence[int], out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1
) -> Shape:
    """Output shape of a 1-D/2-D convolution (``padding`` may be ``"same"`` or ``"valid"``)."""
    sizes = _spatial(shape, "A convolution")
    n = len(sizes)
    k, s = as_ntuple(kernel_size, n, "kernel_size"), as_ntuple(stride, n, "stride")
    d = as_ntuple(dilation, n, "dilation")
    if padding == "same":
        if any(v != 1 for v in s):
            raise ValueError("padding='same' needs stride 1.")
        extents = [di * (ki - 1) + 1 for ki, di in zip(k, d)]
        if any(e > 1 and size < 1 for e, size in zip(extents, sizes)):
            raise ValueError(f"input {shape_text(shape)} is empty.")
        return (int(out_channels), *sizes)
    p = (0,) * n if padding == "valid" else as_ntuple(padding, n, "padding")
    out = []
    for size, ki, si, pi, di in zip(sizes, k, s, p, d):
        extent = di * (ki - 1) + 1
        if size + 2 * pi < extent:
            raise ValueError(
                f"kernel {shape_text(k)} (extent {extent}) is larger than the input {shape_text(shape)}"
                f"{f' padded by {pi}' if pi else ''}."
            )
        out.append((size + 2 * pi - extent) // si + 1)
    return (int(out_channels), *out)


def conv_transpose_output_shape(
    shape: Sequence[int],
    out_channels: int,
    kernel_size: Any,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    dilation: Any = 1,
) -> Shape:
    """Output shape of a 1-D/2-D transposed convolution."""
    sizes = _spatial(shape, "A transposed convolution")
    n = len(sizes)
    k, s = as_ntuple(kernel_size, n, "kernel_size"), as_ntuple(stride, n, "stride")
    p, op = as_ntuple(padding, n, "padding"), as_ntuple(output_padding, n, "output_padding")
    d = as_ntuple(dilation, n, "dilation")
    out = [(L - 1) * si - 2 * pi + di * (ki - 1) + opi + 1 for L, ki, si, pi, opi, di in zip(sizes, k, s, p, op, d)]
    if any(o < 1 for o in out):
        raise ValueError(f"the output size {out} of input {shape_text(shape)} is not positive.")
    return (int(out_channels), *out)


def _pool_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    # The formula of PyTorch's pooling_output_shape (aten/src/ATen/native/Pool.h).
    numerator = size + 2 * p - d * (k - 1) - 1 + ((s - 1) if ceil_mode else 0)
    out = math.floor(numerator / s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def pool_output_shape(
    shape: Sequence[int],
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Shape:
    """Output shape of a 1-D/2-D max or average pooling (``stride=None`` means the kernel)."""
    sizes = _spatial(shape, "A pooling layer")
    n = len(sizes)
    k = as_ntuple(kernel_size, n, "kernel_size")
    s = k if stride is None or stride == [] else as_ntuple(stride, n, "stride")
    p, d = as_ntuple(padding, n, "padding"), as_ntuple(dilation, n, "dilation")
    out = []
    for size, ki, si, pi, di in zip(sizes, k, s, p, d):
        if 2 * pi > ki:
            raise ValueError(f"padding {pi} must be at most half of the kernel size {ki}.")
        o = _pool_size(size, ki, si, pi, di, bool(ceil_mode))
        if o < 1:
            raise ValueError(
                f"pooling kernel {shape_text(k)} with stride {shape_text(s)} does not fit the input {shape_text(shape)}"
                f"{f' padded by {pi}' if pi else ''} (output size would be {o})."
            )
        out.append(o)
    return (int(shape[0]), *out)


def adaptive_pool_output_shape(shape: Sequence[int], output_size: Any) -> Shape:
    """Output shape of an adaptive pooling layer (``None`` entries keep the input size)."""
    sizes = _spatial(shape, "An adaptive pooling layer")
    n = len(sizes)
    if _is_int(output_size) or output_size is None:
        wanted = [output_size] * n
    elif isinstance(output_size, (list, tuple)) and len(output_size) == n:
        wanted = list(output_size)
    else:
        raise ValueError(f"'output_size' must be an int or a list of {n} ints/None, got {output_size!r}.")
    return (int(shape[0]), *[int(size if w is None else w) for size, w in zip(sizes, wanted)])


def flatten_output_shape(shape: Sequence[int], start_dim: int = 1, end_dim: int = -1) -> Shape:
    """Output shape of ``nn.Flatten(start_dim, end_dim)`` (dims count the batch dimension)."""
    full = [1, *shape]
    rank = len(full)
    start = start_dim + rank if start_dim < 0 else start_dim
    end = end_dim + rank if end_dim < 0 else end_dim
    if not (0 <= start < rank and 0 <= end < rank) or start > end:
        raise ValueError(f"flatten dims {start_dim}..{end_dim} do not fit a batch of shape {shape_text(shape)}.")
    if start == 0:
        raise ValueError("flattening the batch dimension (start_dim=0) is not supported inside a network.")
    return tuple(full[1:start]) + (math.prod(full[start : end + 1]),) + tuple(full[end + 1 :])


def upsample_output_shape(shape: Sequence[int], size: Any = None, scale_factor: Any = None) -> Shape:
    """Output shape of ``nn.Upsample`` (exactly one of ``size`` and ``scale_factor``)."""
    sizes = _spatial(shape, "An upsampling layer")
    n = len(sizes)
    if (size is None) == (scale_factor is None):
        raise ValueError("give exactly one of 'size' and 'scale_factor'.")
    if size is not None:
        out = as_ntuple(size, n, "size")
    else:
        factors: list[Any] = [scale_factor] * n if isinstance(scale_factor, numbers.Real) else list(scale_factor)
        if len(factors) != n:
            raise ValueError(f"'scale_factor' must be a number or a list of {n} numbers, got {scale_factor!r}.")
        out = tuple(int(math.floor(s * f)) for s, f in zip(sizes, factors))
    if any(o < 1 for o in out):
        raise ValueError(f"upsampling {shape_text(shape)} gives an empty output {out}.")
    return (int(shape[0]), *out)
