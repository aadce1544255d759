"""The layer registry: the only way a layer type name becomes a torch module.

Descriptors store layer types as strings. A :class:`LayerRegistry` maps each name to a
*factory* — a function that receives the input shape (no batch dimension) and the layer's
parameters and returns a ``torch.nn.Module`` (optionally with its output shape). Nothing is
looked up with ``getattr`` on arbitrary modules and nothing is evaluated: unknown names are
errors. Importing this module does not import torch; factories import it when called.

Examples
--------
>>> from nasnb.layers import default_registry
>>> reg = default_registry().copy()
>>> def scaled_tanh(shape, factor=1.0):
...     from nasnb.layers.modules import Scale
...     import torch.nn as nn
...     return nn.Sequential(nn.Tanh(), Scale(factor)), shape
>>> reg.register_layer("scaled_tanh", scaled_tanh)
>>> reg.validate_layer("act", "scaled_tanh", {"factor": 2.0})
>>> reg.validate_layer("act", "scaled_tanh", {"gain": 2.0})
Traceback (most recent call last):
...
nasnb.exceptions.LayerParameterError: Layer 'act' (scaled_tanh) has no parameter 'gain'. Accepted parameters: factor.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from nasnb.exceptions import LayerParameterError, ParameterError, UnknownLayerError
from nasnb.layers.shapes import RANK_NAMES, Shape

__all__ = ["LayerInfo", "LayerRegistry", "default_registry", "BUILDER_ARGUMENTS"]

#: Keyword arguments a factory may declare to receive build settings instead of layer parameters.
BUILDER_ARGUMENTS = frozenset({"fixed_channels"})


class LayerInfo:
    """Everything the registry knows about one layer type.

    Parameters
    ----------
    name : str
        The layer type name used in descriptors.
    factory : callable
        ``factory(input_shape, **params)`` returning a module or ``(module, output_shape)``.
    output_shape : callable, optional
        ``output_shape(input_shape, **params) -> shape``, used for shape inference and for
        choosing viable merge sizes without building anything.
    ranks : iterable of int, optional
        Accepted input ranks (1 flat, 2 series, 3 image); ``None`` accepts any.
    check : callable, optional
        ``check(params)`` raising ``ValueError`` for bad values.
    signature : callable, optional
        Returns the object whose call signature lists the parameters (default: ``factory``
        without its first argument).
    fill : str, optional
        Name of the in-feature argument that the builder fills from the input shape.
    description : str
        One line shown by :meth:`LayerRegistry.describe`.
    """

    def __init__(
        self,
        name: str,
        factory: Callable,
        *,
        output_shape: Callable | None = None,
        ranks: Iterable[int] | None = None,
        check: Callable | None = None,
        signature: Callable[[], Any] | None = None,
        fill: str | None = None,
        description: str = "",
    ) -> None:
        self.name = name
        self.factory = factory
        self.output_shape_fn = output_shape
        self.ranks = frozenset(ranks) if ranks is not None else None
        self.check = check
        self.signature_source = signature
        self.fill = fill
        self.description = description
        self._params: tuple[frozenset[str] | None, frozenset[str]] | None = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_params"] = None  # signatures are recomputed lazily
        return state

    # -------------------------------------------------------------- parameters
    def _parameters(self) -> tuple[frozenset[str] | None, frozenset[str]]:
        """``(accepted or None for any, required)`` parameter names, cached."""
        if self._params is None:
            if self.signature_source is not None:
                target, skip_first = self.signature_source(), False
            else:
                target, skip_first = self.factory, True
            params = list(inspect.signature(target).parameters.values())
            if skip_first:
                params = params[1:]
            accepted: set[str] | None = set()
            required = set()
            for p in params:
                if p.kind is p.VAR_KEYWORD:
                    accepted = None
                    continue
                if p.kind is p.VAR_POSITIONAL or p.name in BUILDER_ARGUMENTS or p.name in ("device", "dtype"):
                    continue
                if accepted is not None:
                    accepted.add(p.name)
                if p.default is p.empty and p.name != self.fill:
                    required.add(p.name)
            self._params = (frozenset(accepted) if accepted is not None else None, frozenset(required))
        return self._params

    @property
    def accepted_parameters(self) -> frozenset[str] | None:
        """Names of accepted parameters (``None`` when the factory takes ``**kwargs``)."""
        return self._parameters()[0]

    @property
    def required_parameters(self) -> frozenset[str]:
        """Names of parameters that must be given."""
        return self._parameters()[1]

    @functools.cached_property
    def wants_fixed_channels(self) -> bool:
        """Whether the factory declares a ``fixed_channels`` keyword (filled by the builder)."""
        return "fixed_channels" in inspect.signature(self.factory).parameters

    # -------------------------------------------------------------- building
    def _extra(self, fixed_channels: int | None) -> dict[str, Any]:
        return {"fixed_channels": fixed_channels} if self.wants_fixed_channels else {}

    def infer_output_shape(
        self, input_shape: Shape, params: Mapping[str, Any], *, fixed_channels: int | None = None
    ) -> Shape | None:
        """Output shape from the shape function, or ``None`` when the layer has none.

        Raises ``ValueError`` (message about shapes) when the input does not fit.
        """
        if self.output_shape_fn is None:
            return None
        extra = {"fixed_channels": fixed_channels} if "fixed_channels" in _names(self.output_shape_fn) else {}
        return tuple(int(v) for v in self.output_shape_fn(tuple(input_shape), **params, **extra))

    def create(
        self, input_shape: Shape, params: Mapping[str, Any], *, fixed_channels: int | None = None
    ) -> tuple[Any, Shape | None]:
        """Call the factory; return ``(module, output_shape or None if unknown)``."""
        result = self.factory(tuple(input_shape), **params, **self._extra(fixed_channels))
        shape = None
        if isinstance(result, tuple):
            if len(result) != 2:
                raise TypeError(f"the factory of {self.name!r} must return a module or (module, output_shape).")
            result, shape = result
            shape = tuple(int(v) for v in shape)
        if shape is None and self.output_shape_fn is not None:
            shape = self.infer_output_shape(input_shape, params, fixed_channels=fixed_channels)
        return result, shape


@functools.lru_cache(maxsize=256)
def _names_cached(fn: Callable) -> frozenset[str]:
    return frozenset(inspect.signature(fn).parameters)


def _names(fn: Callable) -> frozenset[str]:
    try:
        return _names_cached(fn)
    except TypeError:  # unhashable callable
        return frozenset(inspect.signature(fn).parameters)


class LayerRegistry:
    """A mapping of layer type names to factories (see :mod:`nasnb.layers.registry`).

    Parameters
    ----------
    infos : iterable of LayerInfo, optional
        Initial entries.

    Examples
    --------
    >>> reg = LayerRegistry()
    >>> def double(shape, factor=2):
    ...     from nasnb.layers.modules import Scale
    ...     return Scale(factor), shape
    >>> reg.register_layer("double", double, description="multiply by a constant")
    >>> reg.names()
    ['double']
    """

    def __init__(self, infos: Iterable[LayerInfo] = ()) -> None:
        self._infos: dict[str, LayerInfo] = {}
        self._frozen = False
        for info in infos:
            self._add(info, replace=False)

    # -------------------------------------------------------------- mutation
    def _add(self, info: LayerInfo, *, replace: bool) -> None:
        if self._frozen:
            raise ParameterError(
                "The default layer registry is read-only; use `reg = default_registry().copy()` and "
                "register layers on the copy, then pass registry=reg."
            )
        if info.name in self._infos and not replace:
            raise ParameterError(f"A layer named {info.name!r} is already registered; pass replace=True to replace it.")
        self._infos[info.name] = info

    def register_layer(
        self,
        name: str,
        factory: Callable,
        *,
        output_shape: Callable | None = None,
        ranks: Sequence[int] | None = None,
        check: Callable[[dict], None] | None = None,
        description: str = "",
        replace: bool = False,
    ) -> None:
        """Register ``factory`` under ``name``.

        Parameters
        ----------
        name : str
            Layer type name used in descriptors; names starting with ``"nn."`` are reserved.
        factory : callable
            ``factory(input_shape, **params)`` → ``nn.Module`` or ``(nn.Module, output_shape)``.
            ``input_shape`` is a tuple without the batch dimension. The factory's keyword
            parameters are the layer's parameters (checked by :meth:`validate_layer`); a
            keyword named ``fixed_channels`` receives the builder's setting instead.
        output_shape : callable, optional
            ``output_shape(input_shape, **params)``; lets the builder infer shapes without
            building. If neither this nor a returned shape is available, the builder runs the
            module once on a "meta" tensor (no memory, no compute).
        ranks : sequence of int, optional
            Accepted input ranks: 1 flat ``(F,)``, 2 series ``(C, L)``, 3 image ``(C, H, W)``.
            A layer accepting only rank 1 gets its input flattened.
        check : callable, optional
            ``check(params)`` raising ``ValueError`` for bad parameter values.
        description : str
            One line for :meth:`describe`.
        replace : bool
            Allow replacing an existing entry.
        """
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(f"A layer name must be a non-empty string, got {name!r}.")
        if name.startswith("nn."):
            raise ParameterError(f"Layer names starting with 'nn.' are reserved for torch.nn classes, got {name!r}.")
        if not callable(factory):
            raise ParameterError(f"The factory of layer {name!r} must be callable, got {type(factory).__name__}.")
        if ranks is not None and (not ranks or any(r not in RANK_NAMES for r in ranks)):
            raise ParameterError(f"'ranks' of layer {name!r} must be a non-empty list of 1, 2, 3; got {ranks!r}.")
        try:
            first = next(iter(inspect.signature(factory).parameters.values()), None)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"Cannot read the signature of the factory of layer {name!r}.") from exc
        if first is None or first.kind not in (first.POSITIONAL_ONLY, first.POSITIONAL_OR_KEYWORD):
            raise ParameterError(f"The factory of layer {name!r} must take the input shape as its first argument.")
        self._add(
            LayerInfo(name, factory, output_shape=output_shape, ranks=ranks, check=check, description=description),
            replace=replace,
        )

    def copy(self) -> LayerRegistry:
        """A new, writable registry with the same entries."""
        out = LayerRegistry()
        out._infos = dict(self._infos)
        return out

    def freeze(self) -> LayerRegistry:
        """Make this registry read-only (used for :func:`default_registry`); returns ``self``."""
        self._frozen = True
        return self

    # -------------------------------------------------------------- reading
    def names(self) -> list[str]:
        """All registered layer type names, sorted."""
        return sorted(self._infos)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def __len__(self) -> int:
        return len(self._infos)

    def get(self, type_name: str, layer_name: str | None = None) -> LayerInfo:
        """The :class:`LayerInfo` of ``type_name``; unknown names raise :class:`UnknownLayerError`."""
        info = self._infos.get(type_name) if isinstance(type_name, str) else None
        if info is None:
            close = difflib.get_close_matches(str(type_name), list(self._infos), n=5, cutoff=0.6)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            who = f"Layer {layer_name!r} has unknown type" if layer_name is not None else "Unknown layer type"
            raise UnknownLayerError(
                f"{who} {type_name!r}.{hint} Register it with LayerRegistry.register_layer or "
                f"see registry.names() ({len(self._infos)} known types)."
            )
        return info

    def describe(self, type_name: str) -> str:
        """One-line description with the accepted parameters."""
        info = self.get(type_name)
        accepted = info.accepted_parameters
        params = "any" if accepted is None else (", ".join(sorted(accepted)) or "none")
        return f"{type_name}: {info.description or 'no description'} (parameters: {params})"

    def validate_layer(self, layer_name: str, type_name: str, params: Mapping[str, Any]) -> None:
        """Check that ``type_name`` exists and that ``params`` fit it.

        Raises
        ------
        UnknownLayerError
            Unknown type, listing close valid names.
        LayerParameterError
            Unknown or missing parameter (listing the accepted ones) or a bad value.
        """
        info = self.get(type_name, layer_name)
        params = dict(params or {})
        try:
            accepted, required = info.accepted_parameters, info.required_parameters
        except (TypeError, ValueError) as exc:
            raise LayerParameterError(f"Cannot read the parameters of layer type {type_name!r}: {exc}") from exc
        listing = ", ".join(sorted(accepted)) if accepted else "none"
        if accepted is not None:
            for key in sorted(params):
                if key not in accepted:
                    close = difflib.get_close_matches(key, list(accepted), n=1)
                    hint = f" Did you mean {close[0]!r}?" if close else ""
                    raise LayerParameterError(
                        f"Layer {layer_name!r} ({type_name}) has no parameter {key!r}.{hint} "
                        f"Accepted parameters: {listing}."
                    )
        missing = sorted(required - set(params))
        if missing:
            raise LayerParameterError(
                f"Layer {layer_name!r} ({type_name}) needs parameter {missing[0]!r}"
                f"{' (and ' + ', '.join(map(repr, missing[1:])) + ')' if missing[1:] else ''}. "
                f"Accepted parameters: {listing}."
            )
        if info.check is not None:
            try:
                info.check(params)
            except (TypeError, ValueError) as exc:
                raise LayerParameterError(f"Layer {layer_name!r} ({type_name}): {exc}") from exc

    def __repr__(self) -> str:
        return f"<LayerRegistry: {len(self)} layer types{' (read-only)' if self._frozen else ''}>"


@functools.lru_cache(maxsize=1)
def _default() -> LayerRegistry:
    from nasnb.layers import benchmark_ops, thesis, torch_layers

    reg = LayerRegistry()
    for module in (torch_layers, thesis, benchmark_ops):
        for info in module.layer_infos():
            reg._add(info, replace=False)
    return reg.freeze()


def default_registry() -> LayerRegistry:
    """The built-in, read-only registry (torch.nn allow-list, thesis blocks, benchmark ops).

    Copy it to add layers: ``reg = default_registry().copy()``.

    Examples
    --------
    >>> reg = default_registry()
    >>> "nn.Conv2d" in reg and "CONV_3.H" in reg and "nor_conv_3x3" in reg
    True
    """
    return _default()
