"""Evaluators: train and test descriptors, all returning :class:`~nasnb.results.EvaluationResult`.

Names load lazily (torch is imported on first use).

Examples
--------
>>> from nasnb.evaluators import LocalEvaluator
>>> LocalEvaluator("SGD", {"lr": 0.1}, batch_size=32).batch_size
32
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "LocalEvaluator": "nasnb.evaluators.local",
    "fitness_from_metrics": "nasnb.evaluators.local",
    "assure_reproducibility": "nasnb.evaluators.reproducibility",
    "train_epoch": "nasnb.evaluators.train",
    "train_epochs": "nasnb.evaluators.train",
    "evaluate": "nasnb.evaluators.train",
    "resolve_device": "nasnb.evaluators.train",
    "resolve_optimizer": "nasnb.evaluators.train",
    "OPTIMIZERS": "nasnb.evaluators.train",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nasnb.evaluators' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
