"""``nord.neural_nets.NASBench_101Evaluator`` (the original ``BenchmarkEvaluator``).

Coming from the original framework
----------------------------------
``descriptor_evaluate(descriptor, acc='validation_accuracy')`` returns ``(accuracy,
train_time)`` looked up in NAS-Bench-101 (accuracies as fractions, time in seconds);
``acc`` may be ``'validation_accuracy'``, ``'test_accuracy'`` or ``'train_accuracy'``.
``get_available_ops()`` lists the ops in the original's order (``conv1x1-bn-relu``,
``conv3x3-bn-relu``, ``maxpool3x3``). Descriptors use the op strings as layer types, with an
``'input'`` and an ``'output'`` layer; layer names do not matter (nasnb orders layers by the
graph). A cell outside the benchmark gives ``(0, 0)``, as in the original.

The file is read with nasnb's pure-Python reader (no TensorFlow) and never downloaded:
``filepath`` defaults to the original's ``./data/nasbench_only108.tfrecord``. Of the three
recorded runs, ``seed`` picks one (``None``: a fixed one per architecture, see
:func:`nasnb.benchmarks.base.choose_run`); the original asked the official API, which drew
one at random on every query.

Examples
--------
>>> ev = NASBench_101Evaluator('nasbench_only108.tfrecord')   # doctest: +SKIP
>>> ev.get_available_ops()                                    # doctest: +SKIP
['conv1x1-bn-relu', 'conv3x3-bn-relu', 'maxpool3x3']
"""

from __future__ import annotations

import logging
import os
from typing import Any

from nasnb._validation import check_choice
from nasnb.benchmarks import NASBench101
from nasnb.exceptions import BenchmarkError

__all__ = ["NASBench_101Evaluator", "BenchmarkEvaluator", "NASBENCH_TFRECORD"]

logger = logging.getLogger(__name__)

#: The original's default location of the data file.
NASBENCH_TFRECORD = os.path.join(".", "data", "nasbench_only108.tfrecord")
#: Ops in the original's order (nasnb's :data:`~nasnb.benchmarks.nb101.NB101_OPS` uses the official one).
ORIGINAL_OPS = ("conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3")
_ACCURACIES = ("validation_accuracy", "test_accuracy", "train_accuracy")


class NASBench_101Evaluator:  # noqa: N801 - the original's name
    """Look descriptors up in NAS-Bench-101.

    Parameters
    ----------
    filepath : path, optional
        ``nasbench_only108.tfrecord`` or ``nasbench_full.tfrecord`` (default
        ``./data/nasbench_only108.tfrecord``).
    seed : int, optional
        Picks the recorded run (keyword-only; a nasnb addition).
    """

    def __init__(self, filepath: Any = None, *, seed: int | None = None) -> None:
        path = NASBENCH_TFRECORD if filepath is None else os.fspath(filepath)
        if not os.path.isfile(path):
            raise BenchmarkError(f"NAS-Bench-101 file {path!r} not found; download nasbench_only108.tfrecord from "
                                 "the NAS-Bench-101 release and put it there (nasnb never downloads).")
        self.benchmark = NASBench101(path)
        self.seed = seed

    def get_available_ops(self) -> list[str]:
        """The three hidden-vertex ops, in the original's order."""
        return list(ORIGINAL_OPS)

    def descriptor_to_matrix(self, descriptor: Any) -> tuple[Any, list[str]]:
        """Adjacency matrix (input first, output last) and op list of a descriptor."""
        return self.benchmark.descriptor_to_matrix(descriptor)

    def has_been_evaluated(self, descriptor: Any) -> bool:
        """True when the cell is in the benchmark file."""
        return self.benchmark.descriptor_evaluate(descriptor, seed=self.seed).ok

    def descriptor_evaluate(self, descriptor: Any, acc: str = "validation_accuracy") -> tuple[float, float]:
        """``(accuracy, train_time)`` of the descriptor's cell; ``(0, 0)`` outside the benchmark."""
        check_choice(acc, _ACCURACIES, "acc", "descriptor_evaluate")
        result = self.benchmark.descriptor_evaluate(descriptor, seed=self.seed)
        if not result.ok:
            logger.info("not in NAS-Bench-101: %s", result.message)
            return 0, 0
        return result.metrics[acc], result.metrics["training_time"]


#: The original framework's name of the NAS-Bench-101 evaluator.
BenchmarkEvaluator = NASBench_101Evaluator
