"""Merge policies: how a layer with several inputs of different shapes receives one tensor.

Minimum Viable Size (``"mvs"``, the thesis' policy and the default)
    Among the inputs, take the smallest spatial size (ordered by the number of positions,
    then the sizes, then the channel count, then the source name) for which the receiving
    layer still produces a valid output (e.g. at least its kernel size). Every other input
    is resized to that H×W (or L) by ``nearest`` interpolation and projected with a 1×1
    convolution (no bias) to the channel count of the input that has that size (ties: the
    fewest channels, then the first name). The adapted inputs are **summed**. If no input
    size fits the receiving layer, the build fails with :class:`~nasnb.exceptions.BuildError`.
``"fixed"``
    As MVS for the spatial size, but every input whose channel count is not
    ``fixed_channels`` is projected to ``fixed_channels`` channels (NASNet-style).
Flat inputs
    When any input is flat, or the receiving layer accepts only flat inputs (``nn.Linear``),
    every spatial input is flattened first; flat inputs of different widths are projected by
    a bias-free ``nn.Linear`` to the smallest width and summed.

Planning is pure (no torch); :func:`make_adapter` builds the modules.

Examples
--------
>>> plan = plan_inputs("pool", ["a", "b"], {"a": (8, 16, 16), "b": (4, 8, 8)},
...                    policy="mvs", fixed_channels=None, want_flat=False, viable=lambda s: True)
>>> plan.shape
(4, 8, 8)
>>> [(p.source, p.operations()) for p in plan.inputs]
[('a', ('interpolate', 'conv1x1')), ('b', ())]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nasnb.exceptions import BuildError
from nasnb.layers.shapes import Shape, shape_text

__all__ = ["InputPlan", "MergePlan", "MergeStep", "plan_inputs", "make_adapter", "MERGE_POLICIES"]

MERGE_POLICIES = ("mvs", "fixed")


@dataclass(frozen=True)
class InputPlan:
    """How one source's output is adapted before it enters the receiving layer."""

    source: str
    input_shape: Shape
    output_shape: Shape
    flatten: bool = False
    resize: tuple[int, ...] | None = None
    project: tuple[int, int] | None = None  # (from, to) channels or features

    def operations(self) -> tuple[str, ...]:
        """Names of the inserted operations, in order."""
        ops = []
        if self.flatten:
            ops.append("flatten")
        if self.resize is not None:
            ops.append("interpolate")
        if self.project is not None:
            ops.append("linear" if len(self.output_shape) == 1 else "conv1x1")
        return tuple(ops)


@dataclass(frozen=True)
class MergePlan:
    """The merged input shape of a layer and the plan of each of its inputs."""

    shape: Shape
    inputs: tuple[InputPlan, ...]


@dataclass(frozen=True)
class MergeStep:
    """One inserted adaptation, as listed by ``NetworkModule.merges`` (for realised-network plots).

    ``module`` is the key of the adapter in ``NetworkModule.adapters`` (``None`` when the
    input passes unchanged).
    """

    target: str
    source: str
    input_shape: Shape
    output_shape: Shape
    operations: tuple[str, ...]
    module: str | None


def _order_key(name: str, shape: Shape) -> tuple:
    return (math.prod(shape[1:]), tuple(shape[1:]), shape[0], name)


def plan_inputs(
    target: str,
    sources: Sequence[str],
    shapes: Mapping[str, Shape],
    *,
    policy: str,
    fixed_channels: int | None,
    want_flat: bool,
    viable: Callable[[Shape], bool],
    describe: str = "",
) -> MergePlan:
    """Plan the adaptation of the inputs of ``target`` (see the module docstring).

    Parameters
    ----------
    target : str
        The receiving layer (for messages).
    sources : sequence of str
        Its inputs, in a deterministic order.
    shapes : mapping
        Output shape of every source.
    policy : {"mvs", "fixed"}
        Merge policy for spatial inputs.
    fixed_channels : int or None
        Channel count of the ``"fixed"`` policy.
    want_flat : bool
        The receiving layer accepts only flat inputs.
    viable : callable
        ``viable(shape) -> bool``: whether the receiving layer accepts this input shape.
    describe : str
        Text naming the receiving layer in messages (default ``'target'``).
    """
    who = describe or repr(target)
    src_shapes = [(s, tuple(shapes[s])) for s in sources]
    flat = want_flat or any(len(shape) == 1 for _, shape in src_shapes)
    if flat:
        widths = {s: math.prod(shape) for s, shape in src_shapes}
        width = min(widths.values())
        plans = tuple(
            InputPlan(
                s, shape, (width,), flatten=len(shape) > 1, project=(widths[s], width) if widths[s] != width else None
            )
            for s, shape in src_shapes
        )
        return MergePlan((width,), plans)
    ranks = {len(shape) for _, shape in src_shapes}
    if len(ranks) > 1:
        listing = ", ".join(f"{s} {shape_text(shape)}" for s, shape in src_shapes)
        raise BuildError(f"Layer {who} receives series and images at once ({listing}); they cannot be merged.")
    if len(src_shapes) == 1:
        s, shape = src_shapes[0]
        return MergePlan(shape, (InputPlan(s, shape, shape),))
    if policy != "mvs" and fixed_channels is None:
        raise BuildError(f"Layer {who}: merge policy {policy!r} needs fixed_channels.")
    chosen: Shape | None = None
    for _name, shape in sorted(src_shapes, key=lambda item: _order_key(*item)):
        channels = shape[0] if fixed_channels is None or policy == "mvs" else int(fixed_channels)
        candidate = (channels, *shape[1:])
        if viable(candidate):
            chosen = candidate
            break
    if chosen is None:
        listing = ", ".join(f"{s} {shape_text(shape)}" for s, shape in src_shapes)
        raise BuildError(
            f"Layer {who} cannot take any of the sizes of its inputs ({listing}): every one is too small "
            "for it (e.g. smaller than its kernel)."
        )
    spatial = tuple(chosen[1:])
    adapted = []
    for s, shape in src_shapes:
        adapted.append(
            InputPlan(
                s,
                shape,
                chosen,
                resize=spatial if tuple(shape[1:]) != spatial else None,
                project=(shape[0], chosen[0]) if shape[0] != chosen[0] else None,
            )
        )
    return MergePlan(chosen, tuple(adapted))


def make_adapter(plan: InputPlan):
    """The module that performs ``plan`` (``None`` when the input passes unchanged).

    Order: flatten, interpolate, then project (nearest interpolation and a 1×1 convolution
    commute, so resizing first is the cheaper of two equal results).
    """
    if not plan.operations():
        return None
    from torch import nn

    from nasnb.layers.modules import Resize

    parts: list[nn.Module] = []
    if plan.flatten:
        parts.append(nn.Flatten())
    if plan.resize is not None:
        parts.append(Resize(plan.resize))
    if plan.project is not None:
        c_in, c_out = plan.project
        rank = len(plan.output_shape)
        layer = {1: nn.Linear, 2: nn.Conv1d, 3: nn.Conv2d}[rank]
        parts.append(layer(c_in, c_out, bias=False) if rank == 1 else layer(c_in, c_out, 1, bias=False))
    return parts[0] if len(parts) == 1 else nn.Sequential(*parts)
