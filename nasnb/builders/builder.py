"""Compile a :class:`~nasnb.descriptors.NeuralDescriptor` into a :class:`NetworkModule`.

Shapes are inferred analytically, layer by layer in topological order, from each layer
type's shape function (no dummy forward pass). A user layer registered without a shape
function is run once on a ``meta`` tensor (no memory, no compute). Layers are constructed
in topological order, merge adapters just before their receiving layer, the head last, so
the same torch seed gives the same weights.

Examples
--------
>>> import torch
>>> from nasnb import NeuralDescriptor
>>> d = NeuralDescriptor()
>>> _ = d.add_layer("nn.Conv2d", {"out_channels": 8, "kernel_size": 3}, name="a")
>>> _ = d.add_layer("nn.MaxPool2d", {"kernel_size": 2}, name="b")
>>> _ = d.add_layer("nn.Conv2d", {"out_channels": 4, "kernel_size": 1}, name="c")
>>> d.connect_layers("a", "b"); d.connect_layers("a", "c"); d.connect_layers("b", "c")
>>> net = build_network(d, (1, 8, 8), num_outputs=3)
>>> net.shapes["c"], [s.operations for s in net.merges["c"]]
((4, 3, 3), [('interpolate',), ()])
>>> net(torch.zeros(5, 1, 8, 8)).shape
torch.Size([5, 3])

Declared input sizes
--------------------
A layer's in-feature argument (``in_channels``, ``in_features``, ``num_features``,
``num_channels``) is always taken from the layer's real (merged) input. Descriptors may
leave it out. When a descriptor declares a value that disagrees with the real input -- as
code written for the original framework often does (its builder overwrote the value) --
the builder uses the real value and warns once per layer with an
:class:`InferredParameterWarning` naming the layer; ``build_network(..., strict=True)``
raises :class:`~nasnb.exceptions.BuildError` instead.

>>> import warnings
>>> d = NeuralDescriptor.sequential([("nn.Conv2d", {"in_channels": 5, "out_channels": 4, "kernel_size": 3})])
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     net = build_network(d, (1, 8, 8), num_outputs=3)
>>> net.layer("layer_0").in_channels, caught[0].category.__name__
(1, 'InferredParameterWarning')
"""

from __future__ import annotations

import logging
import math
import numbers
import sys
import warnings
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from nasnb._validation import as_seed, check_choice, check_positive_int, parameter_error
from nasnb.builders.heads import HEADS, make_head
from nasnb.builders.merge import MERGE_POLICIES, MergeStep, make_adapter, plan_inputs
from nasnb.exceptions import BuildError, DescriptorError, LayerParameterError, UnknownLayerError
from nasnb.layers import LayerRegistry, default_registry
from nasnb.layers.registry import LayerInfo
from nasnb.layers.shapes import RANK_NAMES, Shape, shape_text

__all__ = ["build_network", "InferredParameterWarning"]

logger = logging.getLogger(__name__)
_FUNC = "build_network"


class InferredParameterWarning(UserWarning):
    """A layer declared an input size (e.g. ``in_channels``) that its real input does not have;
    the builder used the real size (see the module docstring)."""


def _caller_level() -> int:
    """``stacklevel`` of the first frame outside nasnb (the user's line that asked for the build)."""
    level = 2
    frame: FrameType | None = sys._getframe(2)  # 1: _reconcile_fill (the warn call), 2: its caller
    while frame is not None and frame.f_globals.get("__name__", "").startswith("nasnb."):
        frame, level = frame.f_back, level + 1
    return level


def _reconcile_fill(info: LayerInfo, params: dict, in_shape: Shape, who: str, strict: bool) -> dict:
    """Drop a declared in-feature argument that disagrees with ``in_shape`` (warn, or raise if strict).

    The factory then fills it from the input, as for a descriptor that left it out.
    """
    fill = info.fill
    if fill is None or fill not in params or not in_shape:
        return params
    declared, actual = params[fill], int(in_shape[0])
    if declared == actual:
        return params
    unit = "features" if fill == "in_features" else "channels"
    text = (
        f"Layer {who} declares {fill}={declared!r}, but its (merged) input {shape_text(in_shape)} has {actual} {unit}"
    )
    if strict:
        raise BuildError(
            f"{text}; leave {fill!r} out (the builder fills it) or build with strict=False to use {actual}."
        )
    warnings.warn(
        f"{text}; using {fill}={actual} (pass strict=True to make this an error).",
        InferredParameterWarning,
        stacklevel=_caller_level(),
    )
    logger.debug("layer %s: %s %r -> %d", who, fill, declared, actual)
    return {k: v for k, v in params.items() if k != fill}


def _check_input_shape(input_shape: Any) -> Shape:
    ok = (
        isinstance(input_shape, (tuple, list))
        and 1 <= len(input_shape) <= 3
        and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and int(v) > 0 for v in input_shape)
    )
    if not ok:
        raise parameter_error(
            "input_shape", _FUNC, "a tuple of 1 to 3 positive ints ((F,), (C, L) or (C, H, W))", input_shape
        )
    return tuple(int(v) for v in input_shape)


def _meta_output_shape(module: Any, input_shape: Shape) -> Shape:
    """Output shape of ``module`` from one pass on a ``meta`` tensor (allocates nothing)."""
    import itertools

    import torch
    from torch.func import functional_call

    state = {k: v.to("meta") for k, v in itertools.chain(module.named_parameters(), module.named_buffers())}
    with torch.no_grad():
        out = functional_call(module, state, (torch.empty((2, *input_shape), device="meta"),))
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"the module returned {type(out).__name__}, not a tensor")
    return tuple(int(v) for v in out.shape[1:])


def _viable(info: LayerInfo, params: dict, fixed_channels: int | None) -> Callable[[Shape], bool]:
    def viable(shape: Shape) -> bool:
        if info.ranks is not None and len(shape) not in info.ranks:
            return False
        try:
            out = info.infer_output_shape(shape, params, fixed_channels=fixed_channels)
        except (ValueError, TypeError, KeyError):
            return False
        return out is None or all(v >= 1 for v in out)

    return viable


def build_network(
    descriptor: Any,
    input_shape: Sequence[int],
    num_outputs: int | None = None,
    *,
    merge: str = "mvs",
    fixed_channels: int | None = None,
    head: Any = "thesis",
    registry: LayerRegistry | None = None,
    seed: Any = None,
    strict: bool = False,
):
    """Compile ``descriptor`` into a :class:`~nasnb.builders.network.NetworkModule`.

    Parameters
    ----------
    descriptor : NeuralDescriptor
        The network description; it is pruned and validated first and never modified.
    input_shape : tuple of int
        Without the batch dimension: ``(C, H, W)`` images, ``(C, L)`` series, ``(F,)`` flat.
    num_outputs : int
        Outputs of the head (classes or regression targets); ignored when ``head=None``.
    merge : {"mvs", "fixed"}
        Policy for layers with several inputs (see :mod:`nasnb.builders.merge`).
    fixed_channels : int, optional
        Channel count of the ``"fixed"`` policy (required there) and of the chapter-6
        blocks (``CONV_k.H`` uses half of it; default 64 when not given).
    head : {"thesis", "linear"}, None or callable
        Dense head (see :mod:`nasnb.builders.heads`).
    registry : LayerRegistry, optional
        Where layer types are looked up (default: :func:`nasnb.layers.default_registry`).
    seed : int >= 0 or numpy Generator, optional
        Seeds the weight initialisation (in a forked torch RNG, under
        :data:`nasnb.builders.randomness.GLOBAL_RNG_LOCK`, so builds on several threads do not
        mix their draws; the global torch random state is left as it was). ``None`` uses
        torch's global generator as it stands.
    strict : bool, default False
        A declared ``in_channels`` / ``in_features`` / ``num_features`` / ``num_channels``
        that disagrees with the layer's real input raises ``BuildError`` instead of being
        replaced by the real value with an :class:`InferredParameterWarning`.

    Returns
    -------
    NetworkModule

    Raises
    ------
    UnknownLayerError, LayerParameterError
        A layer type is unknown or its parameters do not fit it.
    BuildError
        The descriptor cannot become a working network (cycle, no input → output path,
        a kernel larger than its input, a size shrinking to zero...); names layer and shapes.
        With ``strict=True`` also a declared input size that the real input does not have.
    ParameterError
        A bad argument.
    """
    if not isinstance(strict, bool):
        raise parameter_error("strict", _FUNC, "True or False", strict)
    if seed is None:
        return _build_network(
            descriptor,
            input_shape,
            num_outputs,
            merge=merge,
            fixed_channels=fixed_channels,
            head=head,
            registry=registry,
            strict=strict,
        )
    import torch

    from nasnb.builders.randomness import GLOBAL_RNG_LOCK

    seed = as_seed(seed, _FUNC)
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):  # other threads may seed it too
        torch.manual_seed(seed)
        return _build_network(
            descriptor,
            input_shape,
            num_outputs,
            merge=merge,
            fixed_channels=fixed_channels,
            head=head,
            registry=registry,
            strict=strict,
        )


def _build_network(
    descriptor: Any,
    input_shape: Sequence[int],
    num_outputs: int | None = None,
    *,
    merge: str = "mvs",
    fixed_channels: int | None = None,
    head: Any = "thesis",
    registry: LayerRegistry | None = None,
    strict: bool = False,
):
    from nasnb.builders.network import _INPUT, NetworkModule

    shape_in = _check_input_shape(input_shape)
    check_choice(merge, MERGE_POLICIES, "merge", _FUNC)
    if fixed_channels is not None:
        fixed_channels = check_positive_int(fixed_channels, "fixed_channels", _FUNC)
    elif merge == "fixed":
        raise parameter_error("fixed_channels", _FUNC, "a positive int when merge='fixed'", fixed_channels)
    if head is not None and not callable(head) and head not in HEADS:
        raise parameter_error("head", _FUNC, "'thesis', 'linear', None or a callable", head)
    if head is not None:
        num_outputs = check_positive_int(num_outputs, "num_outputs", _FUNC)
    registry = default_registry() if registry is None else registry
    if not isinstance(registry, LayerRegistry):
        raise parameter_error("registry", _FUNC, "a LayerRegistry or None", registry)
    if not hasattr(descriptor, "prune") or not hasattr(descriptor, "validate"):
        raise parameter_error("descriptor", _FUNC, "a NeuralDescriptor", type(descriptor).__name__)

    try:
        descriptor.validate(registry=registry, check_layers=False)
        pruned = descriptor.prune()
        for name, spec in pruned.layers.items():
            registry.validate_layer(name, spec.type, dict(spec.params))
        order = pruned.topological_order()
        first = pruned.input_layer
    except (UnknownLayerError, LayerParameterError):
        raise
    except DescriptorError as exc:
        raise BuildError(f"The descriptor cannot become a network: {exc}") from exc

    shapes: dict[str, Shape] = {}
    modules: dict[str, Any] = {}
    adapters: dict[str, Any] = {}
    inputs: dict[str, list] = {}
    merges: dict[str, list[MergeStep]] = {}
    types: dict[str, str] = {}
    for name in order:
        spec = pruned.layer(name)
        info = registry.get(spec.type, name)
        params = dict(spec.params)
        types[name] = spec.type
        who = f"{name!r} ({spec.type})"
        # a source is a layer name or the network-input sentinel _INPUT (a tuple, never a name)
        sources: list[Any] = [_INPUT] if name == first else pruned.incoming(name)
        src_shapes: dict[Any, Shape] = {_INPUT: shape_in} if name == first else {s: shapes[s] for s in sources}
        want_flat = info.ranks is not None and info.ranks == frozenset({1})
        labels = {s: ("input" if s is _INPUT else s) for s in sources}
        plan = plan_inputs(
            name,
            [labels[s] for s in sources],
            {labels[s]: src_shapes[s] for s in sources},
            policy=merge,
            fixed_channels=fixed_channels,
            want_flat=want_flat,
            viable=_viable(info, params, fixed_channels),
            describe=who,
        )
        in_shape = plan.shape
        if info.ranks is not None and len(in_shape) not in info.ranks:
            accepted = " or ".join(RANK_NAMES[r] for r in sorted(info.ranks))
            raise BuildError(f"Layer {who} accepts {accepted} inputs, but its input has shape {shape_text(in_shape)}.")
        # adapters first (creation order = parameter order for a given seed)
        layer_inputs = []
        steps = []
        for src, p in zip(sources, plan.inputs):
            adapter = make_adapter(p)
            key = None
            if adapter is not None:
                key = base = f"{_key_part(name)}__from__{_key_part(p.source)}"
                while key in adapters:
                    key = f"{base}_{len(adapters)}"
                adapters[key] = adapter
            layer_inputs.append((src, key))
            steps.append(MergeStep(name, p.source, p.input_shape, p.output_shape, p.operations(), key))
        if len(sources) > 1 or any(s.operations for s in steps):
            merges[name] = steps
        inputs[name] = layer_inputs
        params = _reconcile_fill(info, params, in_shape, who, strict)
        try:
            module, out_shape = info.create(in_shape, params, fixed_channels=fixed_channels)
            if out_shape is None:
                out_shape = _meta_output_shape(module, in_shape)
        except (ValueError, TypeError, RuntimeError, KeyError) as exc:
            raise BuildError(f"Layer {who} cannot be built for input shape {shape_text(in_shape)}: {exc}") from exc
        if not _is_module(module):
            raise BuildError(
                f"The factory of layer type {spec.type!r} (layer {name!r}) returned "
                f"{type(module).__name__}, not a torch.nn.Module."
            )
        if not out_shape or any(v < 1 for v in out_shape):
            raise BuildError(
                f"Layer {who} shrinks its input {shape_text(in_shape)} to an empty output {shape_text(out_shape)}."
            )
        modules[name] = module
        shapes[name] = tuple(out_shape)
    # after pruning every layer is an ancestor of the output layer, so it comes last
    in_features = math.prod(shapes[order[-1]])
    head_module = make_head(head, in_features, num_outputs)
    logger.debug("built %d layers, %d merges, head=%s", len(order), len(merges), head)
    return NetworkModule(
        pruned,
        shape_in,
        order=order,
        types=types,
        layers=modules,
        inputs=inputs,
        adapters=adapters,
        shapes=shapes,
        merges=merges,
        head=head_module,
        head_in_features=in_features,
    )


def _key_part(name: str) -> str:
    return name.replace(".", "_")


def _is_module(obj: Any) -> bool:
    from torch import nn

    return isinstance(obj, nn.Module)
