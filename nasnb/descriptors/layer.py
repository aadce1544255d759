"""The data that describes one layer: a type name and JSON-friendly parameters."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from nasnb.exceptions import LayerParameterError, UnknownLayerError

__all__ = ["LayerSpec", "layer_type_name", "normalize_params"]

_SCALARS = (str, int, float, bool, type(None))


def layer_type_name(layer: Any) -> str:
    """Return the registry name of ``layer`` (a name, or a ``torch.nn`` module class).

    ``torch.nn`` classes are named ``"nn.<ClassName>"`` so that descriptors stay
    plain data and never import torch.

    Examples
    --------
    >>> layer_type_name("conv3x3-bn-relu")
    'conv3x3-bn-relu'
    >>> import torch.nn
    >>> layer_type_name(torch.nn.Conv2d)
    'nn.Conv2d'
    """
    if isinstance(layer, str):
        if not layer.strip():
            raise UnknownLayerError("A layer type must be a non-empty string or a torch.nn module class.")
        return layer
    if isinstance(layer, type):
        module = getattr(layer, "__module__", "")
        if module == "torch.nn" or module.startswith("torch.nn."):
            return f"nn.{layer.__name__}"
        raise UnknownLayerError(
            f"Layer class {module}.{layer.__qualname__} is not a torch.nn module; register a factory "
            "under a name with LayerRegistry.register_layer and use that name instead."
        )
    raise UnknownLayerError(
        f"A layer must be a registered layer name or a torch.nn module class, got {layer!r} "
        f"of type {type(layer).__name__}."
    )


def _normalize_value(value: Any, where: str) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise LayerParameterError(f"{where} must be finite, got {value!r}.")
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [_normalize_value(v, where) for v in value]
    # numpy scalars and other number-likes with .item()
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return _normalize_value(item(), where)
        except (TypeError, ValueError):
            pass
    raise LayerParameterError(
        f"{where} must be a JSON value (number, string, bool, None or a list of them), "
        f"got {value!r} of type {type(value).__name__}."
    )


def normalize_params(params: Mapping[str, Any] | None, layer_name: str = "?") -> dict[str, Any]:
    """Check and copy layer parameters into plain JSON values (tuples become lists).

    Examples
    --------
    >>> normalize_params({"kernel_size": (3, 3)})
    {'kernel_size': [3, 3]}
    """
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise LayerParameterError(f"Parameters of layer {layer_name!r} must be a dict, got {type(params).__name__}.")
    out: dict[str, Any] = {}
    for key, value in params.items():
        if not isinstance(key, str):
            raise LayerParameterError(f"Parameter names of layer {layer_name!r} must be strings, got {key!r}.")
        out[key] = _normalize_value(value, f"Parameter {key!r} of layer {layer_name!r}")
    return out


@dataclass(frozen=True)
class LayerSpec:
    """One node of a descriptor: a layer ``type`` name and its ``params``.

    Examples
    --------
    >>> LayerSpec("nn.Conv2d", {"out_channels": 8, "kernel_size": 3}).key()
    'nn.Conv2d{"kernel_size":3,"out_channels":8}'
    """

    type: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def key(self) -> str:
        """A canonical string of type and parameters (for hashing and comparison)."""
        return self.type + json.dumps(dict(self.params), sort_keys=True, separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict ``{"type": ..., "params": {...}}``."""
        return {"type": self.type, "params": json.loads(json.dumps(dict(self.params)))}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LayerSpec) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __reduce__(self):  # MappingProxyType cannot be pickled or deep-copied
        return (LayerSpec, (self.type, dict(self.params)))
