"""Losses and metrics by name (an explicit table; never ``eval``).

Metric functions return the *sum* over the batch, so that batches of any size
can be added up and divided by the number of samples at the end.

Examples
--------
>>> import torch
>>> out = torch.tensor([[2.0, 0.0], [0.0, 1.0]]); y = torch.tensor([0, 0])
>>> float(metric_sum("accuracy", out, y))
1.0
>>> round(float(resolve_loss("cross_entropy")(out, y)), 4)
0.7201
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nasnb._validation import check_choice

__all__ = ["LOSSES", "METRICS", "ERROR_METRICS", "resolve_loss", "metric_sum"]

#: Loss names accepted in a DatasetConfig -> torch.nn.functional function name.
LOSSES = {
    "cross_entropy": "cross_entropy",
    "nll": "nll_loss",
    "mse": "mse_loss",
    "l1": "l1_loss",
    "smooth_l1": "smooth_l1_loss",
    "bce_with_logits": "binary_cross_entropy_with_logits",
}

#: Metric names; the error metrics are negated to become a fitness.
METRICS = ("accuracy", "mse", "mae")
ERROR_METRICS = ("mse", "mae")


def resolve_loss(loss: Any) -> Callable[[Any, Any], Any]:
    """Return ``loss`` if callable, else the ``torch.nn.functional`` function it names."""
    if callable(loss):
        return loss
    check_choice(loss, tuple(LOSSES), "loss", "resolve_loss")
    import torch.nn.functional as F

    return getattr(F, LOSSES[loss])


def metric_sum(name: str, output: Any, target: Any) -> Any:
    """Sum of metric ``name`` over a batch (0-d tensor).

    ``accuracy`` counts ``argmax(output) == target``; ``mse``/``mae`` average the
    squared/absolute error over the outputs of each sample and sum over samples.
    """
    if name == "accuracy":
        return (output.argmax(dim=1) == target).sum()
    diff = output.reshape(output.shape[0], -1) - target.reshape(target.shape[0], -1).to(output.dtype)
    if name == "mse":
        return diff.pow(2).mean(dim=1).sum()
    if name == "mae":
        return diff.abs().mean(dim=1).sum()
    check_choice(name, METRICS, "metric", "metric_sum")
    raise AssertionError("unreachable")  # pragma: no cover
