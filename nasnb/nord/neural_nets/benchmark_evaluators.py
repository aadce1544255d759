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
``has_been_evaluated(descriptor)`` tells whether this evaluator was already asked about the
cell (an isomorphic one counts), as in the original; ``descriptor_to_matrix`` is a
staticmethod giving ``(matrix, ops)`` with the input first and the output last (needs no file).

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

import numpy as np

from nasnb._validation import check_choice, parameter_error
from nasnb.benchmarks import NASBench101
from nasnb.exceptions import BenchmarkError, DescriptorError
from nasnb.nord.neural_nets.neural_descriptor import as_nasnb_descriptor

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
        if filepath is not None and not isinstance(filepath, (str, os.PathLike)):
            raise parameter_error(
                "filepath", "NASBench_101Evaluator", "a path to nasbench_only108.tfrecord or None", filepath
            )
        path = NASBENCH_TFRECORD if filepath is None else os.fspath(filepath)
        if not os.path.isfile(path):
            raise BenchmarkError(
                f"NAS-Bench-101 file {path!r} not found; download nasbench_only108.tfrecord from "
                "the NAS-Bench-101 release and put it there (nasnb never downloads)."
            )
        self.benchmark = NASBench101(path)
        self.seed = seed
        #: keys of the cells asked about so far (``has_been_evaluated``)
        self.checked_models: set[str] = set()

    def get_available_ops(self) -> list[str]:
        """The three hidden-vertex ops, in the original's order."""
        return list(ORIGINAL_OPS)

    @staticmethod
    def descriptor_to_matrix(descriptor: Any) -> tuple[np.ndarray, list[str]]:
        """Adjacency matrix (input first, output last, topological order) and op list.

        Raises :class:`~nasnb.exceptions.DescriptorError` for a graph with a cycle or without
        one input and one output layer.

        Examples
        --------
        >>> from nasnb.nord.neural_nets import NeuralDescriptor
        >>> d = NeuralDescriptor()
        >>> for op in ('input', 'conv3x3-bn-relu', 'output'):
        ...     _ = d.add_layer_sequential(op, {})
        >>> matrix, ops = NASBench_101Evaluator.descriptor_to_matrix(d)
        >>> matrix.tolist(), ops
        ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ['input', 'conv3x3-bn-relu', 'output'])
        """
        d = as_nasnb_descriptor(descriptor)
        src, dst = d.input_layer, d.output_layer
        order = [src] + [n for n in d.topological_order() if n not in (src, dst)] + [dst]
        index = {n: i for i, n in enumerate(order)}
        matrix = np.zeros((len(order), len(order)), dtype=np.int8)
        for u, v in d.connections:
            matrix[index[u], index[v]] = 1
        return matrix, [d.layer(n).type for n in order]

    def _key(self, descriptor: Any) -> str | None:
        try:
            return self.benchmark.key(self.benchmark.descriptor_to_candidate(as_nasnb_descriptor(descriptor)))
        except (BenchmarkError, DescriptorError):
            return None

    def has_been_evaluated(self, descriptor: Any) -> bool:
        """True when this evaluator was already asked about the cell (as the original)."""
        key = self._key(descriptor)
        return key is not None and key in self.checked_models

    def descriptor_evaluate(self, descriptor: Any, acc: str = "validation_accuracy") -> tuple[float, float]:
        """``(accuracy, train_time)`` of the descriptor's cell; ``(0, 0)`` outside the benchmark."""
        check_choice(acc, _ACCURACIES, "acc", "descriptor_evaluate")
        key = self._key(descriptor)
        if key is not None:
            self.checked_models.add(key)
        result = self.benchmark.descriptor_evaluate(as_nasnb_descriptor(descriptor), seed=self.seed)
        if not result.ok:
            logger.info("not in NAS-Bench-101: %s", result.message)
            return 0, 0
        return result.metrics[acc], result.metrics["training_time"]


#: The original framework's name of the NAS-Bench-101 evaluator.
BenchmarkEvaluator = NASBench_101Evaluator
