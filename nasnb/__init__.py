"""nasnb: notebook-first neural architecture search.

Public names are imported lazily: ``import nasnb`` stays cheap, and heavy parts
(torch, plotly, ipyparallel) load only when first used.

Examples
--------
>>> import nasnb
>>> d = nasnb.NeuralDescriptor()
>>> _ = d.add_layer_sequential("nn.Flatten")
"""

from __future__ import annotations

import importlib

from nasnb._lazy import lazy_exports

__version__ = "0.1.0"

# module -> the public names it defines (curated; each subpackage lists more in its __all__)
_PUBLIC: dict[str, tuple[str, ...]] = {
    "nasnb.descriptors": ("NeuralDescriptor", "LayerSpec", "canonical_hash"),
    "nasnb.results": ("EvaluationResult", "EvaluationOutcome"),
    "nasnb.layers": ("LayerRegistry", "default_registry"),
    "nasnb.builders": ("build_network", "NetworkModule"),
    "nasnb.data": ("DatasetConfig", "DatasetRegistry", "default_datasets", "load_splits"),
    "nasnb.evaluators": ("LocalEvaluator", "assure_reproducibility", "run_evaluation"),
    "nasnb.spaces": (
        "SearchSpace",
        "GenomeSpace",
        "conv_block_space",
        "layer_choice_space",
        "graphsage_space",
        "NB101MutationSpace",
    ),
    "nasnb.genomes": ("Genome", "InnovationTracker", "MutationRates", "genome_to_descriptor"),
    "nasnb.strategies": (
        "RegularizedEvolution",
        "RandomSearch",
        "GeneticSearch",
        "GeneticAlgorithm",
        "DoubleDQNSearch",
        "SearchHistory",
        "curves_frame",
    ),
    "nasnb.benchmarks": ("NASBenchGraph", "NASBench101", "NASBench201"),
    "nasnb.store": ("ExperimentStore", "Study"),
    "nasnb.cluster": ("Cluster",),
    "nasnb.executors": ("SimulatedExecutor",),
    "nasnb.analysis": (
        "kendall_tau",
        "spearman_rho",
        "top_k_tau",
        "tau_matrix",
        "bootstrap",
        "bootstrap_tau",
        "resampling_protocol",
        "ks_test",
        "kruskal_test",
        "mannwhitney_test",
        "benjamini_hochberg",
        "graph_edit_distance",
        "rastrigin_grid",
        "perturb_to_tau",
        "chapter4_table",
        "chapter5_table",
        "plan_budget",
    ),
    "nasnb.viz": (
        "SharedLayout",
        "plot_architecture",
        "plot_realised",
        "plot_overlay",
        "architecture_dot",
        "plot_progress",
        "plot_ecdf",
        "plot_sample_counts",
        "plot_tau_heatmap",
        "plot_surfaces",
        "plot_gene_boxes",
        "plot_params_fitness",
        "plot_parallel_coordinates",
        "plot_timeline",
        "GenomeInspector",
        "EvolutionExplorer",
        "LiveDashboard",
        "RankCorrelationExplorer",
        "StudyExplorer",
        "ArchitectureEditor",
    ),
    "nasnb.predictors": (
        "ArchitectureDataset",
        "nas_bench_graph_dataset",
        "SiameseRanker",
        "ReNAS",
        "train_pairwise",
        "train_renas",
        "ranking_metrics",
        "EGraphEvaluator",
        "evolve_egraph",
    ),
    "nasnb.darts": (
        "DartsConfig",
        "DartsResult",
        "darts_search",
        "darts_parallel",
        "genotype_to_descriptor",
        "darts_registry",
        "darts_consistency_report",
    ),
    "nasnb.proxies": ("ProxyEvaluator", "score_proxies"),
}
_PUBLIC["nasnb.exceptions"] = tuple(importlib.import_module("nasnb.exceptions").__all__)

# public name -> module that defines it; subpackages are reachable as attributes too
_EXPORTS: dict[str, str] = {name: module for module, names in _PUBLIC.items() for name in names}
_SUBPACKAGES = (
    "descriptors",
    "layers",
    "builders",
    "data",
    "evaluators",
    "spaces",
    "genomes",
    "strategies",
    "benchmarks",
    "store",
    "cluster",
    "executors",
    "analysis",
    "viz",
    "predictors",
    "darts",
    "classroom",
    "nord",
    "export",
    "proxies",
)
_EXPORTS.update({name: f"nasnb.{name}" for name in _SUBPACKAGES})

__all__ = sorted(set(_EXPORTS) - set(_SUBPACKAGES)) + ["__version__"]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
