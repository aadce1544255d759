"""Ranking predictors of architecture quality (thesis ch. 7).

* :mod:`~nasnb.predictors.datasets` — :class:`ArchitectureDataset` (graphs + scores, labelled
  pairs, disjoint seeded splits) from descriptors, experiment-store studies or benchmarks;
* :mod:`~nasnb.predictors.sources` — :func:`nas_bench_graph_dataset` (shipped tables);
* :mod:`~nasnb.predictors.egraph` — GraphSAGE GCNs from GCN genome descriptors:
  :class:`SiameseRanker` (3 classes) and :class:`ScoreRanker` (margin ranking loss);
* :mod:`~nasnb.predictors.renas` — the ReNAS baseline;
* :mod:`~nasnb.predictors.training` — training loops, Copeland-style ranking, τ metrics;
* :mod:`~nasnb.predictors.evolution` — :class:`EGraphEvaluator`, :func:`evolve_egraph`.

torch_geometric is needed only for the GCN models (``pip install 'nasnb[graph]'``).
"""

from nasnb.predictors.datasets import (
    EQUAL,
    FIRST_BETTER,
    SECOND_BETTER,
    ArchitectureDataset,
    ArchitectureGraph,
    pair_labels,
)
from nasnb.predictors.egraph import (
    READOUTS,
    SAGE_LAYERS,
    GraphEmbedder,
    ScoreRanker,
    SiameseRanker,
    default_gcn_descriptor,
    layer_width,
)
from nasnb.predictors.evolution import HEADS, EGraphEvaluator, evolve_egraph
from nasnb.predictors.renas import ENCODINGS, ReNAS, renas_scores, renas_tensors, train_renas
from nasnb.predictors.sources import nas_bench_graph_architecture, nas_bench_graph_dataset
from nasnb.predictors.training import (
    TrainingReport,
    model_scores,
    pairwise_scores,
    ranking_metrics,
    seeded,
    train_margin,
    train_pairwise,
)

__all__ = [
    "ArchitectureGraph",
    "ArchitectureDataset",
    "pair_labels",
    "EQUAL",
    "FIRST_BETTER",
    "SECOND_BETTER",
    "nas_bench_graph_dataset",
    "nas_bench_graph_architecture",
    "GraphEmbedder",
    "SiameseRanker",
    "ScoreRanker",
    "default_gcn_descriptor",
    "layer_width",
    "READOUTS",
    "SAGE_LAYERS",
    "ReNAS",
    "renas_tensors",
    "train_renas",
    "renas_scores",
    "TrainingReport",
    "train_pairwise",
    "train_margin",
    "pairwise_scores",
    "model_scores",
    "ranking_metrics",
    "seeded",
    "EGraphEvaluator",
    "evolve_egraph",
    "HEADS",
    "ENCODINGS",
]
