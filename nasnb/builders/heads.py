"""Dense heads appended after the output layer, identical in recipe for every candidate.

``"thesis"``: flatten → Linear(F, F // 4) → ReLU → Linear(F // 4, F // 8) → ReLU →
Linear(F // 8, outputs), where ``F`` is the flattened size of the output layer; a hidden
width never drops below the number of outputs (a 16-feature network would otherwise squeeze
10 classes through 2 units). The thesis states "FC(in/4) → FC(half of that) → outputs"; the ReLUs between the
fully connected layers are our reading (without them the three layers collapse into one
linear map). The network returns logits (no softmax).
``"linear"``: flatten → Linear(F, outputs).
``None``: no head; the network returns the output layer's tensor.
A callable ``head(in_features, num_outputs) -> nn.Module`` receives the flattened features.

Examples
--------
>>> make_head("thesis", 64, 10)
Sequential(
  (0): Flatten(start_dim=1, end_dim=-1)
  (1): Linear(in_features=64, out_features=16, bias=True)
  (2): ReLU()
  (3): Linear(in_features=16, out_features=10, bias=True)
  (4): ReLU()
  (5): Linear(in_features=10, out_features=10, bias=True)
)
"""

from __future__ import annotations

from typing import Any

from nasnb.exceptions import BuildError

__all__ = ["HEADS", "make_head", "thesis_head_widths"]

HEADS = ("thesis", "linear")


def thesis_head_widths(in_features: int, num_outputs: int = 1) -> tuple[int, int]:
    """Widths of the two hidden layers of the thesis head (each at least ``num_outputs``)."""
    first = max(1, num_outputs, in_features // 4)
    return first, max(1, num_outputs, first // 2)


def make_head(head: Any, in_features: int, num_outputs: int | None):
    """Build the head module (see the module docstring); ``None`` for ``head=None``."""
    if head is None:
        return None
    if num_outputs is None:
        raise BuildError(f"The head {head!r} needs num_outputs (a positive int); got None.")
    from torch import nn

    if head == "thesis":
        h1, h2 = thesis_head_widths(in_features, num_outputs)
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features, h1),
            nn.ReLU(),
            nn.Linear(h1, h2),
            nn.ReLU(),
            nn.Linear(h2, num_outputs),
        )
    if head == "linear":
        return nn.Sequential(nn.Flatten(), nn.Linear(in_features, num_outputs))
    try:
        module = head(in_features, num_outputs)
    except Exception as exc:  # a user callable: report whatever it raised, chained
        raise BuildError(
            f"The head callable {head!r} failed for in_features={in_features}, num_outputs={num_outputs}: {exc}"
        ) from exc
    if not isinstance(module, nn.Module):
        raise BuildError(f"The head callable {head!r} must return a torch.nn.Module, got {type(module).__name__}.")
    return nn.Sequential(nn.Flatten(), module)
