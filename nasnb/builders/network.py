"""``NetworkModule``: the torch module a descriptor compiles into.

Built by :func:`nasnb.builders.build_network`; it stores an execution plan (topological
order, each layer's inputs and their adapters) and runs it. Outputs that no later layer
needs are released during the forward pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from nasnb.builders.merge import MergeStep
from nasnb.layers.shapes import Shape, shape_text

__all__ = ["NetworkModule"]

_INPUT = ("<network input>",)  # key of the network input in the forward pass (never a layer name)


class NetworkModule(nn.Module):
    """A compiled descriptor.

    Attributes
    ----------
    descriptor : NeuralDescriptor
        The pruned copy that was built (the caller's descriptor is never modified).
    input_shape : tuple
        Input shape without the batch dimension.
    shapes : dict
        Layer name → output shape (no batch dimension).
    merges : dict
        Receiving layer name → list of :class:`~nasnb.builders.merge.MergeStep` (one per input)
        for every layer whose inputs were adapted (resized, projected, flattened).
    layers : nn.ModuleDict
        The layers, keyed by :meth:`module_key`.
    adapters : nn.ModuleDict
        The inserted merge modules, keyed as in ``MergeStep.module``.
    head : nn.Module or None
        The dense head.

    Examples
    --------
    >>> import torch
    >>> from nasnb import NeuralDescriptor
    >>> from nasnb.builders import build_network
    >>> d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3}), "nn.ReLU"])
    >>> net = build_network(d, (1, 8, 8), 10)
    >>> net(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    >>> net.shapes["layer_0"]
    (4, 6, 6)
    """

    def __init__(
        self,
        descriptor: Any,
        input_shape: Shape,
        *,
        order: Sequence[str],
        types: Mapping[str, str],
        layers: Mapping[str, nn.Module],
        inputs: Mapping[str, Sequence[tuple[Any, str | None]]],
        adapters: Mapping[str, nn.Module],
        shapes: Mapping[str, Shape],
        merges: Mapping[str, list[MergeStep]],
        head: nn.Module | None,
        head_in_features: int,
    ) -> None:
        super().__init__()
        self.descriptor = descriptor
        self.input_shape = tuple(input_shape)
        self.shapes = dict(shapes)
        self.merges = {k: list(v) for k, v in merges.items()}
        self.head_in_features = head_in_features
        self._types = dict(types)
        self._keys: dict[str, str] = {}
        self.layers = nn.ModuleDict()
        for name in order:
            key = _safe_key(name, self.layers)
            self._keys[name] = key
            self.layers[key] = layers[name]
        self.adapters = nn.ModuleDict(dict(adapters))
        self.head = head
        self.output_layer = order[-1] if order else None
        # execution plan: (layer name, module key, [(source, adapter key)], names to release after)
        last_use: dict[Any, int] = {}
        for i, name in enumerate(order):
            for src, _ in inputs[name]:
                last_use[src] = i
        released: dict[int, list] = {}  # step -> sources used for the last time there (linear, not |order|^2)
        for src, last in last_use.items():
            if src != self.output_layer:
                released.setdefault(last, []).append(src)
        plan = []
        for i, name in enumerate(order):
            plan.append((name, self._keys[name], tuple(inputs[name]), tuple(released.get(i, ()))))
        self._plan = tuple(plan)

    # ------------------------------------------------------------------ running
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the network on a batch ``x`` of shape ``(batch, *input_shape)``."""
        outs: dict[Any, torch.Tensor] = {_INPUT: x}
        layers, adapters = self.layers, self.adapters
        for name, key, inputs, release in self._plan:
            merged = None
            for src, adapter in inputs:
                t = outs[src]
                if adapter is not None:
                    t = adapters[adapter](t)
                merged = t if merged is None else merged + t
            outs[name] = layers[key](merged)
            for src in release:
                del outs[src]
        y = outs[self.output_layer]
        return y if self.head is None else self.head(y)

    # ------------------------------------------------------------------ reading
    def module_key(self, name: str) -> str:
        """Key of layer ``name`` in :attr:`layers` (names containing ``'.'`` are rewritten)."""
        return self._keys[name]

    def layer(self, name: str) -> nn.Module:
        """The module built for descriptor layer ``name``."""
        return self.layers[self._keys[name]]

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Number of parameters (layers, merge adapters and head)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    def summary(self) -> str:
        """A readable table: layer, type, output shape, parameters; merges indented below."""
        rows = [("layer", "type", "output shape", "params")]
        count = lambda m: sum(p.numel() for p in m.parameters()) if m is not None else 0  # noqa: E731
        for name, key, _inputs, _ in self._plan:
            for step in self.merges.get(name, []):
                ops = "+".join(step.operations) or "pass"
                module = self.adapters[step.module] if step.module else None
                rows.append(
                    (
                        f"  ↳ {step.source} → {name}",
                        ops,
                        f"{shape_text(step.input_shape)} → {shape_text(step.output_shape)}",
                        f"{count(module):,}",
                    )
                )
            rows.append((name, self._types[name], shape_text(self.shapes[name]), f"{count(self.layers[key]):,}"))
        if self.head is not None:
            rows.append(("(head)", type(self.head).__name__, "", f"{count(self.head):,}"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [
            "  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows
        ]
        lines.insert(1, "-" * len(lines[0]))
        lines.append("-" * len(lines[0]))
        lines.append(f"input {shape_text(self.input_shape)}; total parameters: {self.num_parameters():,}")
        return "\n".join(lines)

    def extra_repr(self) -> str:
        return f"input_shape={self.input_shape}, layers={len(self._plan)}, merges={len(self.merges)}"


def _safe_key(name: str, taken: nn.ModuleDict) -> str:
    key = name.replace(".", "_") or "_"
    base, k = key, 1
    while key in taken or hasattr(nn.ModuleDict, key) or key.startswith("_"):
        key = f"{base}_{k}" if not base.startswith("_") else f"l{base}_{k}"
        k += 1
    return key
