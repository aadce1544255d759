"""Evolving EGraph predictors: an evaluator whose fitness is a GCN's ranking quality (ch. 7).

:class:`EGraphEvaluator` trains the siamese GCN described by a GraphSAGE genome's descriptor
(:func:`nasnb.spaces.graphsage_space`) on the training architectures' pairs and returns, as
fitness, the Kendall τ between the ranking induced by its pairwise predictions and the true
ranking of the held-out architectures. It follows the evaluator contract
(``descriptor_evaluate(descriptor, epochs, dataset, percentage, seed) -> EvaluationResult``),
is picklable, and so runs under any strategy, locally or on a :class:`nasnb.Cluster`.
:func:`evolve_egraph` wires it to regularized evolution.

Examples
--------
>>> from nasnb.predictors.sources import nas_bench_graph_dataset
>>> from nasnb.predictors.egraph import default_gcn_descriptor
>>> train, test = nas_bench_graph_dataset("cora", n=60, seed=0).split(40, seed=0)
>>> ev = EGraphEvaluator(train, test, epsilon=0.003, epochs=1, base_width=8, pairs_per_epoch=256)
>>> r = ev.descriptor_evaluate(default_gcn_descriptor(), seed=0)
>>> r.status, sorted(r.metrics)
('done', ['parameters', 'tau', 'top50_tau', 'train_seconds'])
>>> reg = EGraphEvaluator(train, test, epsilon=0.003, epochs=1, base_width=8, pairs_per_epoch=256,
...                       head="regression").descriptor_evaluate(default_gcn_descriptor(), seed=0)
>>> reg.status, reg.metrics["parameters"] < r.metrics["parameters"]
('done', True)
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from nasnb._validation import check_choice, check_fraction, check_positive_int
from nasnb.exceptions import BuildError, DescriptorError
from nasnb.predictors.datasets import ArchitectureDataset
from nasnb.results import EvaluationResult

__all__ = ["EGraphEvaluator", "evolve_egraph", "HEADS"]

#: Heads of an EGraph predictor: the thesis' 3-class siamese comparison, or one score per graph.
HEADS = ("pairwise", "regression")

logger = logging.getLogger(__name__)


class EGraphEvaluator:
    """Fitness of a GCN descriptor = held-out Kendall τ of its induced ranking.

    Parameters
    ----------
    train, test : ArchitectureDataset
        Disjoint architecture sets (:meth:`ArchitectureDataset.split`).
    epsilon : float
        Equality threshold of the pair labels (thesis: 0.01; NAS-Bench-101 study 0.003).
    epochs : int
        Default training epochs (thesis: 2); ``descriptor_evaluate(epochs=...)`` overrides.
    batch_size, lr, weight_decay
        AdamW settings (thesis: 256, 1e-3, 1e-2).
    base_width : int, optional
        Standard filter count; default: the genome's own ``filters`` (thesis 300).
    pairs_per_epoch : int, optional
        Sample this many ordered training pairs per epoch (default: all).
    top : float
        Fraction used for the "top" τ metric (0.5 → ``top50_tau``).
    head : {"pairwise", "regression"}
        ``"pairwise"`` (the thesis' EGraph): a :class:`~nasnb.predictors.egraph.SiameseRanker`
        trained with cross-entropy on the three pair classes, ranked by soft Copeland scores;
        ``"regression"`` (Table 7.4's "regression head"): a
        :class:`~nasnb.predictors.egraph.ScoreRanker` trained with a margin ranking loss
        (AdamW, same settings) on the unequal pairs.

    Notes
    -----
    Every result's metrics hold ``tau``, ``top50_tau`` (for ``top=0.5``), ``parameters`` (the
    GCN's trainable parameters, Figs. 7.7/7.8) and ``train_seconds``.
    """

    def __init__(
        self,
        train: ArchitectureDataset,
        test: ArchitectureDataset,
        *,
        epsilon: float = 0.01,
        epochs: int = 2,
        batch_size: int = 256,
        lr: float = 1e-3,
        weight_decay: float = 1e-2,
        base_width: int | None = None,
        pairs_per_epoch: int | None = None,
        top: float = 0.5,
        head: str = "pairwise",
    ) -> None:
        self.train = train
        self.test = test
        self.epsilon = float(epsilon)
        self.epochs = check_positive_int(epochs, "epochs", "EGraphEvaluator")
        self.batch_size = check_positive_int(batch_size, "batch_size", "EGraphEvaluator")
        self.lr = lr
        self.weight_decay = weight_decay
        self.base_width = base_width
        self.pairs_per_epoch = pairs_per_epoch
        self.top = check_fraction(top, "top", "EGraphEvaluator")
        self.head = check_choice(head, HEADS, "head", "EGraphEvaluator")

    def settings(self) -> dict[str, Any]:
        """JSON settings (for the experiment store)."""
        return {
            "evaluator": "EGraphEvaluator",
            "epsilon": self.epsilon,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "base_width": self.base_width,
            "pairs_per_epoch": self.pairs_per_epoch,
            "train": len(self.train),
            "test": len(self.test),
            "head": getattr(self, "head", "pairwise"),
        }

    def descriptor_evaluate(
        self, descriptor, epochs: int | None = None, dataset: Any = None, percentage: float = 1.0, seed: Any = None
    ) -> EvaluationResult:
        """Train the GCN of ``descriptor`` and score its ranking of the test architectures.

        ``dataset`` is ignored (the evaluator holds its architecture sets); ``percentage``
        trains on that fraction of the training pairs.
        """
        from nasnb.predictors.egraph import ScoreRanker, SiameseRanker
        from nasnb.predictors.training import (
            model_scores,
            pairwise_scores,
            ranking_metrics,
            seeded,
            train_margin,
            train_pairwise,
        )

        epochs = self.epochs if epochs is None else check_positive_int(epochs, "epochs", "descriptor_evaluate")
        percentage = check_fraction(percentage, "percentage", "descriptor_evaluate")
        seed = 0 if seed is None else seed
        start = time.perf_counter()
        regression = getattr(self, "head", "pairwise") == "regression"
        try:
            with seeded(seed):
                model = (ScoreRanker if regression else SiameseRanker)(
                    descriptor, self.train.num_features, base_width=self.base_width
                )
        except (BuildError, DescriptorError) as exc:
            return EvaluationResult.invalid(str(exc), time.perf_counter() - start)
        n = len(self.train)
        pairs = self.pairs_per_epoch if self.pairs_per_epoch is not None else n * (n - 1)
        pairs = max(1, int(round(pairs * percentage)))
        train = train_margin if regression else train_pairwise
        report = train(
            model,
            self.train,
            epsilon=self.epsilon,
            epochs=epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=self.weight_decay,
            pairs_per_epoch=pairs,
            seed=seed,
        )
        if not all(math.isfinite(v) for v in report.losses):
            return EvaluationResult.diverged(f"training loss became {report.losses[-1]}", time.perf_counter() - start)
        predicted = model_scores(model, self.test) if regression else pairwise_scores(model, self.test)
        metrics = ranking_metrics(predicted, self.test.scores, top=self.top)
        metrics = {k: (v if math.isfinite(v) else 0.0) for k, v in metrics.items()}
        metrics["parameters"] = float(sum(p.numel() for p in model.parameters() if p.requires_grad))
        metrics["train_seconds"] = report.seconds
        return EvaluationResult(report.losses[-1], metrics, time.perf_counter() - start, metrics["tau"])


def evolve_egraph(
    train: ArchitectureDataset,
    test: ArchitectureDataset,
    budget: int,
    *,
    population_size: int = 100,
    sample_size: int = 25,
    standard_filters: int = 300,
    seed: Any = None,
    workers: int = 1,
    executor: Any = None,
    study: Any = None,
    progress: bool = False,
    **evaluator_options,
):
    """Regularized evolution of GraphSAGE genomes scored by :class:`EGraphEvaluator`.

    Returns ``(history, strategy)``. ``executor`` (e.g. a :class:`nasnb.Cluster`) evaluates
    ``workers`` children concurrently; ``study`` records every evaluation in the store;
    ``progress`` shows a progress bar. Thesis: P = 100, S = 25, 400 cycles, standard filters 300.

    Examples
    --------
    >>> from nasnb.predictors.sources import nas_bench_graph_dataset
    >>> train, test = nas_bench_graph_dataset("cora", n=50, seed=0).split(30, seed=0)
    >>> history, _ = evolve_egraph(train, test, 3, population_size=2, sample_size=1, standard_filters=4,
    ...                            seed=0, epochs=1, pairs_per_epoch=64)
    >>> len(history)
    3
    """
    from nasnb.spaces import graphsage_space
    from nasnb.strategies import RegularizedEvolution

    check_positive_int(budget, "budget", "evolve_egraph")
    evaluator = EGraphEvaluator(train, test, **evaluator_options)
    strategy = RegularizedEvolution(
        graphsage_space(standard_filters), population_size, sample_size, seed=seed, workers=workers
    )
    history = strategy.run(evaluator, budget, executor=executor, study=study, progress=progress)
    return history, strategy
