"""Analysis of NAS results from plain records: rank correlation, bootstrap, tests between
groups, the NAS-Bench-101-style resampling protocol and the Monte-Carlo proxy studies.

Nothing here imports torch; everything works from DataFrames and arrays, so a store
produced on a cluster can be analysed on a laptop.
"""

from nasnb.analysis.bootstrap import BootstrapResult, bootstrap, bootstrap_tau, lilliefors_pvalue
from nasnb.analysis.budget import BudgetPlan, MeasuredProxy, plan_budget, plan_proxies
from nasnb.analysis.landscape import (
    DEFAULT_RESOLUTION,
    PerturbedGrid,
    PerturbedSpace,
    RastriginGrid,
    perturb_grid,
    perturb_to_tau,
    rastrigin,
    rastrigin_grid,
    top_fraction,
)
from nasnb.analysis.ledger import Ledger
from nasnb.analysis.montecarlo import READINGS, ProxyStudy, Reading, chapter4_table, chapter5_table, proxy_study
from nasnb.analysis.protocol import BenchmarkRecords, resampling_protocol
from nasnb.analysis.ranking import kendall_tau, spearman_rho, tau_matrix, top_k_tau
from nasnb.analysis.reconcile import Reconciliation, compare_with_published, conclusions, published_table, reconcile
from nasnb.analysis.stats import (
    benjamini_hochberg,
    graph_edit_distance,
    kruskal_test,
    ks_test,
    mannwhitney_test,
    pairwise_tests,
    wilcoxon_test,
)

__all__ = [
    "BenchmarkRecords",
    "BootstrapResult",
    "BudgetPlan",
    "DEFAULT_RESOLUTION",
    "Ledger",
    "MeasuredProxy",
    "PerturbedGrid",
    "PerturbedSpace",
    "ProxyStudy",
    "READINGS",
    "RastriginGrid",
    "Reading",
    "Reconciliation",
    "compare_with_published",
    "conclusions",
    "perturb_grid",
    "plan_proxies",
    "published_table",
    "reconcile",
    "benjamini_hochberg",
    "bootstrap",
    "bootstrap_tau",
    "chapter4_table",
    "chapter5_table",
    "graph_edit_distance",
    "kendall_tau",
    "kruskal_test",
    "ks_test",
    "lilliefors_pvalue",
    "mannwhitney_test",
    "pairwise_tests",
    "perturb_to_tau",
    "plan_budget",
    "proxy_study",
    "rastrigin",
    "rastrigin_grid",
    "resampling_protocol",
    "spearman_rho",
    "tau_matrix",
    "top_fraction",
    "top_k_tau",
    "wilcoxon_test",
]
