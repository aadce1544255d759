"""Search strategies with one interface: ``ask`` / ``tell`` and ``run(evaluator, budget, ...)``.

* :class:`RegularizedEvolution` (serial or with ``workers``), :class:`RandomSearch` (S = 1);
* :class:`GeneticSearch`, a genetic algorithm over architectures;
* :class:`~nasnb.strategies.genetic.GeneticAlgorithm` for integer / real vectors (Monte-Carlo studies);
* :class:`~nasnb.strategies.dqn.DoubleDQNSearch`, the chapter-3 agent on cell benchmarks.

Every search returns a :class:`SearchHistory`.
"""

from nasnb.strategies.base import Strategy, Trial
from nasnb.strategies.dqn import DoubleDQNSearch
from nasnb.strategies.evaluation import CandidateEvaluator, FailureLog, Job, as_result
from nasnb.strategies.evolution import RandomSearch, RegularizedEvolution
from nasnb.strategies.genetic import GABatchResult, GAResult, GeneticAlgorithm
from nasnb.strategies.genetic_search import GeneticSearch
from nasnb.strategies.history import BestRecord, SearchHistory, curves_frame

__all__ = [
    "Strategy",
    "Trial",
    "RegularizedEvolution",
    "RandomSearch",
    "SearchHistory",
    "BestRecord",
    "curves_frame",
    "CandidateEvaluator",
    "FailureLog",
    "Job",
    "as_result",
    "GeneticAlgorithm",
    "GeneticSearch",
    "GAResult",
    "GABatchResult",
    "DoubleDQNSearch",
]
