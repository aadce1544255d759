"""The allow-list of ``torch.nn`` classes usable by name (``"nn.Conv2d"``).

Only the classes listed in :data:`ALLOWED` can be named; nothing else in ``torch`` is
reachable from a descriptor. The builder fills each class's in-feature argument
(``in_channels``, ``in_features``, ``num_features``, ``num_channels``) from the inferred
input shape, so descriptors write ``("nn.Conv2d", {"out_channels": 16, "kernel_size": 3})``.

Examples
--------
>>> from nasnb.layers import default_registry
>>> reg = default_registry()
>>> reg.get("nn.Conv2d").infer_output_shape((1, 28, 28), {"out_channels": 4, "kernel_size": 5})
(4, 24, 24)
>>> "nn.Conv2d" in ALLOWED and "nn.Module" not in ALLOWED
True
"""

from __future__ import annotations

import functools
import numbers
from typing import Any, NamedTuple, cast

from nasnb.layers.registry import LayerInfo
from nasnb.layers.shapes import (
    adaptive_pool_output_shape,
    conv_output_shape,
    conv_transpose_output_shape,
    flatten_output_shape,
    pool_output_shape,
    upsample_output_shape,
)

__all__ = ["ALLOWED", "layer_infos"]


class _Entry(NamedTuple):
    kind: str  # shape rule
    fill: str | None  # in-feature argument filled by the builder
    ranks: frozenset[int] | None


_ANY = None
_SPATIAL_1D, _SPATIAL_2D = frozenset({2}), frozenset({3})

_TABLE: dict[str, _Entry] = {
    "Conv1d": _Entry("conv", "in_channels", _SPATIAL_1D),
    "Conv2d": _Entry("conv", "in_channels", _SPATIAL_2D),
    "ConvTranspose1d": _Entry("convT", "in_channels", _SPATIAL_1D),
    "ConvTranspose2d": _Entry("convT", "in_channels", _SPATIAL_2D),
    "Linear": _Entry("linear", "in_features", frozenset({1})),
    "MaxPool1d": _Entry("maxpool", None, _SPATIAL_1D),
    "MaxPool2d": _Entry("maxpool", None, _SPATIAL_2D),
    "AvgPool1d": _Entry("avgpool", None, _SPATIAL_1D),
    "AvgPool2d": _Entry("avgpool", None, _SPATIAL_2D),
    "AdaptiveAvgPool1d": _Entry("adaptive", None, _SPATIAL_1D),
    "AdaptiveAvgPool2d": _Entry("adaptive", None, _SPATIAL_2D),
    "AdaptiveMaxPool1d": _Entry("adaptive", None, _SPATIAL_1D),
    "AdaptiveMaxPool2d": _Entry("adaptive", None, _SPATIAL_2D),
    "BatchNorm1d": _Entry("same", "num_features", frozenset({1, 2})),
    "BatchNorm2d": _Entry("same", "num_features", _SPATIAL_2D),
    "InstanceNorm1d": _Entry("same", "num_features", _SPATIAL_1D),
    "InstanceNorm2d": _Entry("same", "num_features", _SPATIAL_2D),
    "GroupNorm": _Entry("same", "num_channels", frozenset({2, 3})),
    "Dropout": _Entry("same", None, _ANY),
    "Dropout1d": _Entry("same", None, _SPATIAL_1D),
    "Dropout2d": _Entry("same", None, _SPATIAL_2D),
    "AlphaDropout": _Entry("same", None, _ANY),
    "Flatten": _Entry("flatten", None, _ANY),
    "Identity": _Entry("same", None, _ANY),
    "Upsample": _Entry("upsample", None, frozenset({2, 3})),
    **{
        act: _Entry("same", None, _ANY)
        for act in (
            "ReLU",
            "ReLU6",
            "LeakyReLU",
            "PReLU",
            "ELU",
            "SELU",
            "CELU",
            "GELU",
            "SiLU",
            "Mish",
            "Hardswish",
            "Hardtanh",
            "Tanh",
            "Sigmoid",
            "Softplus",
            "Softsign",
            "Tanhshrink",
            "Softmax",
            "LogSoftmax",
        )
    },
}

#: Every allowed torch.nn class, as it is named in descriptors.
ALLOWED = frozenset(f"nn.{name}" for name in _TABLE)

_POSITIVE = {
    "out_channels",
    "out_features",
    "kernel_size",
    "dilation",
    "groups",
    "num_groups",
    "num_parameters",
    "num_features",
    "in_channels",
    "in_features",
    "num_channels",
}
_NONNEGATIVE = {"padding", "output_padding"}
_BOOL = {
    "bias",
    "ceil_mode",
    "inplace",
    "affine",
    "track_running_stats",
    "count_include_pad",
    "return_indices",
    "recompute_scale_factor",
    "align_corners",
}
_UPSAMPLE_MODES = ("nearest", "linear", "bilinear", "bicubic", "nearest-exact")


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _real(v: Any) -> float | None:
    """``v`` when it is a real number other than a bool (compared as is, no float conversion), else None."""
    return cast(float, v) if isinstance(v, numbers.Real) and not isinstance(v, bool) else None


def _ints(v: Any, minimum: int) -> bool:
    if _is_int(v):
        return v >= minimum
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(_is_int(x) and x >= minimum for x in v)


def _check(cls_name: str, params: dict) -> None:
    for key, value in params.items():
        if key in _POSITIVE and not _ints(value, 1):
            raise ValueError(f"parameter {key!r} must be a positive int (or a list of them), got {value!r}.")
        if key == "stride" and value is not None and not _ints(value, 1):
            raise ValueError(f"parameter 'stride' must be a positive int (or a list of them), got {value!r}.")
        if key in _NONNEGATIVE and not (_ints(value, 0) or (key == "padding" and value in ("same", "valid"))):
            raise ValueError(f"parameter {key!r} must be a non-negative int (or a list of them), got {value!r}.")
        if key in _BOOL and not isinstance(value, bool) and not (key == "recompute_scale_factor" and value is None):
            raise ValueError(f"parameter {key!r} must be true or false, got {value!r}.")
        if key == "p" and not ((p := _real(value)) is not None and 0 <= p <= 1):
            raise ValueError(f"parameter 'p' must be a probability in [0, 1], got {value!r}.")
        if (
            key in ("eps", "momentum")
            and value is not None
            and not ((number := _real(value)) is not None and number >= 0)
        ):
            raise ValueError(f"parameter {key!r} must be a non-negative number, got {value!r}.")
        if key == "mode" and cls_name == "Upsample" and value not in _UPSAMPLE_MODES:
            raise ValueError(f"parameter 'mode' must be one of {', '.join(_UPSAMPLE_MODES)}, got {value!r}.")
    if params.get("inplace"):
        raise ValueError("inplace=True is not allowed: a layer's input may also feed other layers.")
    if params.get("return_indices"):
        raise ValueError("return_indices=True makes the layer return a tuple, which cannot feed another layer.")
    if cls_name == "Upsample" and (params.get("size") is None) == (params.get("scale_factor") is None):
        raise ValueError("give exactly one of 'size' and 'scale_factor'.")


def _nn_class(cls_name: str):
    from torch import nn

    return getattr(nn, cls_name)  # cls_name comes from the fixed _TABLE only


def _nn_shape(cls_name: str, shape: tuple, **p: Any) -> tuple:
    kind = _TABLE[cls_name].kind
    if kind == "conv":
        return conv_output_shape(
            shape, p["out_channels"], p["kernel_size"], p.get("stride", 1), p.get("padding", 0), p.get("dilation", 1)
        )
    if kind == "convT":
        return conv_transpose_output_shape(
            shape,
            p["out_channels"],
            p["kernel_size"],
            p.get("stride", 1),
            p.get("padding", 0),
            p.get("output_padding", 0),
            p.get("dilation", 1),
        )
    if kind == "linear":
        return (int(p["out_features"]),)
    if kind == "maxpool":
        return pool_output_shape(
            shape,
            p["kernel_size"],
            p.get("stride"),
            p.get("padding", 0),
            p.get("dilation", 1),
            p.get("ceil_mode", False),
        )
    if kind == "avgpool":
        return pool_output_shape(
            shape, p["kernel_size"], p.get("stride"), p.get("padding", 0), 1, p.get("ceil_mode", False)
        )
    if kind == "adaptive":
        return adaptive_pool_output_shape(shape, p["output_size"])
    if kind == "flatten":
        return flatten_output_shape(shape, p.get("start_dim", 1), p.get("end_dim", -1))
    if kind == "upsample":
        return upsample_output_shape(shape, p.get("size"), p.get("scale_factor"))
    return tuple(shape)


def _nn_factory(cls_name: str, shape: tuple, **params: Any):
    fill = _TABLE[cls_name].fill
    if fill is not None:
        inferred = int(shape[0])
        given = params.get(fill)
        if given is not None and given != inferred:
            raise ValueError(
                f"{fill}={given!r} was given but the layer's (merged) input has {inferred} "
                f"{'features' if fill == 'in_features' else 'channels'}; leave {fill!r} out, the builder fills it."
            )
        params = {**params, fill: inferred}
    module = _nn_class(cls_name)(**params)
    return module, _nn_shape(cls_name, shape, **params)


def layer_infos() -> list[LayerInfo]:
    """The registry entries of every allowed ``torch.nn`` class."""
    out = []
    for cls_name, entry in _TABLE.items():
        out.append(
            LayerInfo(
                f"nn.{cls_name}",
                functools.partial(_nn_factory, cls_name),
                output_shape=functools.partial(_nn_shape, cls_name),
                ranks=entry.ranks,
                check=functools.partial(_check, cls_name),
                signature=functools.partial(_nn_class, cls_name),
                fill=entry.fill,
                description=f"torch.nn.{cls_name}" + (f" ({entry.fill} filled from the input)" if entry.fill else ""),
            )
        )
    return out
