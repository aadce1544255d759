"""Differentiable architecture search (DARTS), serial and data-parallel (thesis ch. 2 and 8).

* :mod:`~nasnb.darts.ops` — the eight operations and :func:`darts_registry` (a copy of the
  default layer registry with ``"darts_<op>"`` layer types);
* :mod:`~nasnb.darts.supernet` — :class:`Supernet` with softmax-mixed edges;
* :mod:`~nasnb.darts.search` — first-order bilevel search (:func:`darts_search`);
* :mod:`~nasnb.darts.checkpoint` — per-epoch checkpoints in a study, so a killed search resumes;
* :mod:`~nasnb.darts.distributed` — Algorithms 1 and 2 over ``torch.distributed``
  (:func:`darts_parallel`, locally spawned or on a :class:`nasnb.Cluster`);
* :mod:`~nasnb.darts.derive` — :class:`Genotype`, derivation, descriptor of the final network;
* :mod:`~nasnb.darts.final` — training the derived network with per-epoch curves;
* :mod:`~nasnb.darts.consistency` — GED / Kruskal–Wallis / KS + BH report across worker counts.
"""

from nasnb.darts.checkpoint import decode_state, encode_state, load_search_checkpoint, save_search_checkpoint
from nasnb.darts.consistency import ConsistencyReport, darts_consistency_report
from nasnb.darts.derive import Genotype, cell_graph, derive_cell, derive_genotype, genotype_to_descriptor
from nasnb.darts.distributed import AllReduceCounter, cluster_darts_worker, darts_parallel, darts_worker, spawn_darts
from nasnb.darts.final import FinalTraining, darts_final_training
from nasnb.darts.ops import PRIMITIVES, darts_registry, make_op
from nasnb.darts.search import (
    ALGORITHMS,
    DartsConfig,
    DartsResult,
    darts_search,
    load_search_data,
    run_in_process,
    run_search,
)
from nasnb.darts.supernet import MixedOp, SearchCell, Supernet, reduction_positions

__all__ = [
    "PRIMITIVES",
    "ALGORITHMS",
    "make_op",
    "darts_registry",
    "MixedOp",
    "SearchCell",
    "Supernet",
    "reduction_positions",
    "DartsConfig",
    "DartsResult",
    "darts_search",
    "run_search",
    "load_search_data",
    "AllReduceCounter",
    "darts_worker",
    "spawn_darts",
    "cluster_darts_worker",
    "darts_parallel",
    "Genotype",
    "derive_cell",
    "derive_genotype",
    "genotype_to_descriptor",
    "cell_graph",
    "ConsistencyReport",
    "darts_consistency_report",
    "FinalTraining",
    "darts_final_training",
    "run_in_process",
    "encode_state",
    "decode_state",
    "load_search_checkpoint",
    "save_search_checkpoint",
]
