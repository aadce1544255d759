"""The eight DARTS operations (thesis ch. 2, 8), for images (2-D) and series (1-D).

``zero``, ``identity`` (``skip_connect``), ``max_pool_3x3``, ``avg_pool_3x3``,
``sep_conv_3x3``, ``sep_conv_5x5``, ``dil_conv_3x3``, ``dil_conv_5x5``, as in Liu et al. (2019):
separable convolutions are two stacked ReLU → depthwise → pointwise → BatchNorm blocks,
dilated convolutions one ReLU → depthwise (dilation 2) → pointwise → BatchNorm block. With
stride 2 the identity becomes a *factorized reduce* (two offset 1×1 convolutions with stride 2,
concatenated), and zero subsamples. :func:`darts_registry` registers every op except ``zero``
as a layer type ``"darts_<op>"`` (params ``channels`` and ``stride``) on a *copy* of nasnb's
default layer registry, so that a derived cell builds with :func:`nasnb.builders.build_network`.

Examples
--------
>>> import torch
>>> op = make_op("sep_conv_3x3", 4, 1, dims=2)
>>> tuple(op(torch.zeros(2, 4, 8, 8)).shape)
(2, 4, 8, 8)
>>> tuple(make_op("identity", 4, 2, dims=1)(torch.zeros(2, 4, 10)).shape)
(2, 4, 5)
"""

from __future__ import annotations

import torch
from torch import nn

from nasnb._validation import check_choice

__all__ = ["PRIMITIVES", "make_op", "ReLUConvBN", "FactorizedReduce", "Zero", "darts_registry", "layer_type"]

#: The eight candidate operations of every DARTS edge.
PRIMITIVES = (
    "zero",
    "identity",
    "max_pool_3x3",
    "avg_pool_3x3",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)


def _conv(dims):
    return nn.Conv1d if dims == 1 else nn.Conv2d


def _bn(dims, c, affine):
    return (nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(c, affine=affine)


class ReLUConvBN(nn.Sequential):
    """ReLU → convolution (no bias) → BatchNorm."""

    def __init__(self, c_in, c_out, kernel, stride, padding, *, dims=2, affine=True):
        super().__init__(
            nn.ReLU(), _conv(dims)(c_in, c_out, kernel, stride, padding, bias=False), _bn(dims, c_out, affine)
        )


def _dil_conv(c_in, c_out, kernel, stride, padding, dilation, dims, affine):
    conv = _conv(dims)
    return nn.Sequential(
        nn.ReLU(),
        conv(c_in, c_in, kernel, stride, padding, dilation=dilation, groups=c_in, bias=False),
        conv(c_in, c_out, 1, bias=False),
        _bn(dims, c_out, affine),
    )


def _sep_conv(c_in, c_out, kernel, stride, padding, dims, affine):
    return nn.Sequential(
        _dil_conv(c_in, c_in, kernel, stride, padding, 1, dims, affine),
        _dil_conv(c_in, c_out, kernel, 1, padding, 1, dims, affine),
    )


class Zero(nn.Module):
    """The "no connection" op: zeros (subsampled when ``stride`` > 1)."""

    def __init__(self, stride: int = 1) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x):
        if self.stride == 1:
            return x.mul(0.0)
        index = (Ellipsis,) + (slice(None, None, self.stride),) * (x.dim() - 2)
        return x[index].mul(0.0)


class FactorizedReduce(nn.Module):
    """Halve the size with two offset strided 1×1 convolutions, concatenated (then BatchNorm)."""

    def __init__(self, c_in, c_out, *, dims=2, affine=True):
        super().__init__()
        self.relu = nn.ReLU()
        half = c_out // 2
        self.conv_1 = _conv(dims)(c_in, half, 1, stride=2, bias=False)
        self.conv_2 = _conv(dims)(c_in, c_out - half, 1, stride=2, bias=False)
        self.bn = _bn(dims, c_out, affine)

    def forward(self, x):
        x = self.relu(x)
        a = self.conv_1(x)
        shifted = x[(Ellipsis,) + (slice(1, None),) * (x.dim() - 2)]
        pad = [0, 1] * (x.dim() - 2)
        b = self.conv_2(nn.functional.pad(shifted, pad))
        return self.bn(torch.cat([a, b[tuple(slice(0, s) for s in a.shape)]], dim=1))


def _pool(kind, channels_in, c_out, stride, dims, affine):
    cls = {("max", 1): nn.MaxPool1d, ("max", 2): nn.MaxPool2d, ("avg", 1): nn.AvgPool1d, ("avg", 2): nn.AvgPool2d}
    kwargs = {} if kind == "max" else {"count_include_pad": False}
    pool = cls[(kind, dims)](3, stride=stride, padding=1, **kwargs)
    if channels_in == c_out:
        return pool
    return nn.Sequential(pool, ReLUConvBN(channels_in, c_out, 1, 1, 0, dims=dims, affine=affine))


def make_op(
    name: str, channels: int, stride: int, *, dims: int = 2, affine: bool = False, out_channels: int | None = None
) -> nn.Module:
    """One DARTS operation on ``channels`` channels (``out_channels`` defaults to the same).

    ``affine=False`` is DARTS' choice inside the supernet (BatchNorm without learned scale).
    """
    check_choice(name, PRIMITIVES, "name", "make_op")
    c_out = channels if out_channels is None else out_channels
    if name == "zero":
        return Zero(stride)
    if name == "identity":
        if stride == 1 and channels == c_out:
            return nn.Identity()
        if stride == 1:
            return ReLUConvBN(channels, c_out, 1, 1, 0, dims=dims, affine=affine)
        return FactorizedReduce(channels, c_out, dims=dims, affine=affine)
    if name.endswith("pool_3x3"):
        return _pool(name[:3], channels, c_out, stride, dims, affine)
    kernel = int(name[-1])
    if name.startswith("sep"):
        return _sep_conv(channels, c_out, kernel, stride, kernel // 2, dims, affine)
    return _dil_conv(channels, c_out, kernel, stride, 2 * (kernel // 2), 2, dims, affine)


def layer_type(op: str) -> str:
    """Registry name of a DARTS op (``"sep_conv_3x3"`` → ``"darts_sep_conv_3x3"``)."""
    return f"darts_{op}"


def _factory(op):
    def factory(input_shape, channels=None, stride=1):
        if len(input_shape) not in (2, 3):
            raise ValueError(f"{layer_type(op)} needs a series (C, L) or image (C, H, W) input, got {input_shape}.")
        dims = len(input_shape) - 1
        c_in = int(input_shape[0])
        c_out = c_in if channels is None else int(channels)
        module = make_op(op, c_in, int(stride), dims=dims, affine=True, out_channels=c_out)
        size = tuple((s + int(stride) - 1) // int(stride) for s in input_shape[1:])
        return module, (c_out,) + size

    factory.__name__ = f"darts_{op}_factory"
    return factory


def _check(params):
    stride = params.get("stride", 1)
    if stride not in (1, 2):
        raise ValueError(f"'stride' must be 1 or 2, got {stride!r}.")
    c = params.get("channels")
    if c is not None and not (isinstance(c, int) and not isinstance(c, bool) and c > 0):
        raise ValueError(f"'channels' must be a positive int or null, got {c!r}.")


def darts_registry(base=None):
    """A copy of ``base`` (default: nasnb's default layer registry) with the DARTS ops added.

    Examples
    --------
    >>> reg = darts_registry()
    >>> "darts_sep_conv_3x3" in reg.names() and "darts_zero" not in reg.names()
    True
    """
    if base is None:
        from nasnb.layers import default_registry

        base = default_registry()
    registry = base.copy()
    for op in PRIMITIVES[1:]:
        if layer_type(op) not in registry.names():
            registry.register_layer(
                layer_type(op),
                _factory(op),
                ranks=(2, 3),
                check=_check,
                description=f"DARTS {op} (channels, stride 1|2)",
            )
    return registry
