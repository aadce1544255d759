"""The one training loop every nasnb evaluator uses.

:func:`train_epoch` runs one pass over a batch iterable; :func:`train_epochs`
repeats it and stops early when the loss is no longer finite; :func:`evaluate`
computes the mean loss and metrics. The data-parallel evaluator passes an
``after_backward`` hook (all-reduce of the gradients) and DARTS reuses the same
functions, so every evaluator trains in exactly the same way.

The loop is the plain PyTorch loop (zero_grad, forward, loss, backward, step)
with the running loss kept as a tensor, so no per-batch device synchronisation
is added.

Examples
--------
>>> import torch
>>> from nasnb.data.batches import TensorBatches
>>> torch.manual_seed(0)  # doctest: +ELLIPSIS
<torch._C.Generator object at ...>
>>> x = torch.randn(64, 4); y = (x[:, 0] > 0).long()
>>> model = torch.nn.Linear(4, 2)
>>> opt = torch.optim.SGD(model.parameters(), lr=0.5)
>>> batches = TensorBatches(x, y, 16, shuffle=True, seed=0)
>>> losses = train_epochs(model, batches, opt, torch.nn.functional.cross_entropy, 5)
>>> losses[-1] < losses[0]
True
>>> loss, metrics = evaluate(model, TensorBatches(x, y, 32), torch.nn.functional.cross_entropy)
>>> metrics["accuracy"] > 0.8
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch

from nasnb._validation import check_choice, check_positive_int, parameter_error
from nasnb.data.batches import to_float
from nasnb.data.metrics import metric_sum

__all__ = ["resolve_device", "resolve_optimizer", "OPTIMIZERS", "train_epoch", "train_epochs", "evaluate"]

#: Optimizer names accepted by evaluators (case-insensitive) -> torch.optim class name.
OPTIMIZERS = {
    "adam": "Adam",
    "adamw": "AdamW",
    "adamax": "Adamax",
    "adadelta": "Adadelta",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "sgd": "SGD",
    "nadam": "NAdam",
    "radam": "RAdam",
    "asgd": "ASGD",
}


def resolve_device(device: Any = None) -> torch.device:
    """``None`` → ``cuda`` when available, else ``cpu``; anything else → ``torch.device``."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise parameter_error("device", "resolve_device", "a torch device or None", device) from exc


def resolve_optimizer(optimizer: Any, func: str = "LocalEvaluator") -> Callable[..., torch.optim.Optimizer]:
    """Map an optimizer name (``"Adam"``, ``"sgd"``...) or class/factory to a factory.

    Examples
    --------
    >>> resolve_optimizer("adamax").__name__
    'Adamax'
    """
    if isinstance(optimizer, str):
        key = optimizer.lower()
        check_choice(key, tuple(OPTIMIZERS), "optimizer_class", func)
        return getattr(torch.optim, OPTIMIZERS[key])
    if callable(optimizer):
        return optimizer
    raise parameter_error("optimizer_class", func, "a torch.optim class, a factory or a name", optimizer)


def _prepare_batch(batch: Any, device: Any) -> tuple[Any, Any]:
    """(inputs, targets) of a batch, on ``device``, tensor inputs as float."""
    if isinstance(batch, (tuple, list)):
        xb, yb = batch[0], batch[1]
    else:
        xb, yb = batch, batch.y  # torch_geometric Batch: the model gets the batch, targets in .y
    if device is not None:
        xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
    if isinstance(xb, torch.Tensor):
        xb = to_float(xb)
    return xb, yb


def train_epoch(
    model: torch.nn.Module,
    batches: Iterable[Any],
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    *,
    device: Any = None,
    after_backward: Callable[[torch.nn.Module], None] | None = None,
    grad_hook: Callable[[torch.nn.Module], None] | None = None,
) -> float:
    """Train ``model`` for one pass over ``batches``; return the sample-weighted mean loss.

    Parameters
    ----------
    model, optimizer, loss_fn
        The usual PyTorch objects; ``loss_fn(output, target)`` returns a mean loss.
    batches : iterable of (x, y)
        A :class:`~nasnb.data.batches.TensorBatches`, a ``DataLoader``, a list...
    device : optional
        Move every batch there (skip when the batches already live there).
    after_backward : callable, optional
        Called as ``after_backward(model)`` between ``backward()`` and ``step()``,
        e.g. to all-reduce gradients across data-parallel workers.
    grad_hook : callable, optional
        Alias of ``after_backward`` (name used in the interface contract).

    Returns
    -------
    float
        Mean training loss (``nan``/``inf`` when training diverged).
    """
    hook = after_backward or grad_hook
    model.train()
    total: torch.Tensor | float = 0.0
    seen = 0
    for batch in batches:
        xb, yb = _prepare_batch(batch, device)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        if hook is not None:
            hook(model)
        optimizer.step()
        n = len(yb)
        total = total + loss.detach() * n
        seen += n
    return float(total) / seen if seen else float("nan")


def train_epochs(
    model: torch.nn.Module,
    train_loader: Iterable[Any],
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    epochs: int,
    *,
    device: Any = None,
    grad_hook: Callable[[torch.nn.Module], None] | None = None,
    after_backward: Callable[[torch.nn.Module], None] | None = None,
    stop_on_nonfinite: bool = True,
    on_epoch_end: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Run :func:`train_epoch` ``epochs`` times; return the per-epoch mean losses.

    Stops after the first epoch whose loss is not finite when
    ``stop_on_nonfinite`` (the caller reports the run as diverged).
    ``on_epoch_end(epoch_index, loss)`` is called after each epoch.
    """
    epochs = check_positive_int(epochs, "epochs", "train_epochs")
    losses: list[float] = []
    for epoch in range(epochs):
        loss = train_epoch(
            model, train_loader, optimizer, loss_fn, device=device, after_backward=after_backward or grad_hook
        )
        losses.append(loss)
        if on_epoch_end is not None:
            on_epoch_end(epoch, loss)
        if stop_on_nonfinite and not math.isfinite(loss):
            break
    return losses


def evaluate(
    model: torch.nn.Module,
    batches: Iterable[Any],
    loss_fn: Callable[[Any, Any], torch.Tensor],
    *,
    metrics: Sequence[str] = ("accuracy",),
    device: Any = None,
) -> tuple[float, dict[str, float]]:
    """Mean loss and metrics of ``model`` over ``batches`` (eval mode, no gradients).

    Returns
    -------
    loss : float
    metrics : dict of str to float
        Sample-weighted means of the named metrics (see :mod:`nasnb.data.metrics`).
    """
    was_training = model.training
    model.eval()
    total: torch.Tensor | float = 0.0
    sums: dict[str, Any] = {m: 0.0 for m in metrics}
    seen = 0
    with torch.no_grad():
        for batch in batches:
            xb, yb = _prepare_batch(batch, device)
            out = model(xb)
            n = len(yb)
            total = total + loss_fn(out, yb) * n
            for m in metrics:
                sums[m] = sums[m] + metric_sum(m, out, yb)
            seen += n
    model.train(was_training)
    if not seen:
        return float("nan"), {m: float("nan") for m in metrics}
    return float(total) / seen, {m: float(v) / seen for m, v in sums.items()}
