"""Evaluators: train and test descriptors, all returning :class:`~nasnb.results.EvaluationResult`.

Names load lazily (torch is imported on first use).

Examples
--------
>>> from nasnb.evaluators import LocalEvaluator
>>> LocalEvaluator("SGD", {"lr": 0.1}, batch_size=32).batch_size
32
"""

from __future__ import annotations

from nasnb._lazy import lazy_exports

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
    "run_evaluation": "nasnb.evaluators.execution",
    "evaluation_threads": "nasnb.evaluators.execution",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
