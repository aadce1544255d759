"""Training and scoring of the ranking predictors on an :class:`ArchitectureDataset`.

* :func:`train_pairwise` trains a :class:`~nasnb.predictors.egraph.SiameseRanker` on labelled
  pairs (cross-entropy over equal / first better / second better; AdamW as in the thesis).
* :func:`train_margin` trains any model with ``embed``/``score`` (the regression EGraph variant,
  :class:`~nasnb.predictors.egraph.ScoreRanker`) with a margin ranking loss.
* :func:`pairwise_scores` turns pairwise predictions into one score per architecture
  (Copeland-style: expected wins minus expected losses over every other architecture, both
  pair orders); :func:`ranking_metrics` gives Kendall τ and τ on the true top 50 %.

Every training step embeds all training graphs once (they are tiny) and scores a batch of
pairs, so a step costs one GCN pass whatever the batch size.
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from nasnb._validation import as_generator, check_positive_int
from nasnb.builders.randomness import GLOBAL_RNG_LOCK
from nasnb.predictors.datasets import ArchitectureDataset

__all__ = [
    "TrainingReport",
    "train_pairwise",
    "train_margin",
    "pairwise_scores",
    "model_scores",
    "ranking_metrics",
    "seeded",
]

logger = logging.getLogger(__name__)


@dataclass
class TrainingReport:
    """What a predictor training run did: losses per epoch, seconds, pairs seen."""

    losses: list = field(default_factory=list)
    seconds: float = 0.0
    pairs_seen: int = 0


class seeded:
    """Context manager: seed torch's generator for model initialisation, restore it after.

    Holds :data:`nasnb.builders.randomness.GLOBAL_RNG_LOCK` meanwhile, so trainings on several
    threads take turns with the global generator and each gets its own seeded draws.

    Examples
    --------
    >>> with seeded(0):
    ...     a = torch.rand(1)
    >>> with seeded(0):
    ...     b = torch.rand(1)
    >>> bool(a == b)
    True
    """

    def __init__(self, seed: Any) -> None:
        self.seed = int(as_generator(seed).integers(2**31 - 1)) if not isinstance(seed, int) else seed

    def __enter__(self):
        self._stack = ExitStack()  # the lock is released even if forking the generator fails
        self._stack.enter_context(GLOBAL_RNG_LOCK)
        self._stack.enter_context(torch.random.fork_rng(devices=[]))
        torch.manual_seed(self.seed)
        return self

    def __exit__(self, *exc):
        return self._stack.__exit__(*exc)


def _epoch_pairs(dataset, epsilon, pairs_per_epoch, rng):
    seed = int(rng.integers(2**31 - 1))
    first, second, labels = dataset.pairs(epsilon, max_pairs=pairs_per_epoch, seed=seed)
    perm = rng.permutation(len(first))
    return first[perm], second[perm], labels[perm]


def _check(model_epochs, batch_size, func):
    check_positive_int(model_epochs, "epochs", func)
    check_positive_int(batch_size, "batch_size", func)


def train_pairwise(
    model,
    dataset: ArchitectureDataset,
    *,
    epsilon: float,
    epochs: int = 2,
    batch_size: int = 256,
    lr: float = 1e-3,
    weight_decay: float = 1e-2,
    pairs_per_epoch: int | None = None,
    seed: Any = None,
) -> TrainingReport:
    """Train a siamese 3-class ranker on the dataset's labelled pairs (AdamW).

    Parameters
    ----------
    model : SiameseRanker
        Model with ``embed`` and ``compare``.
    dataset : ArchitectureDataset
        Training architectures.
    epsilon : float
        Pairs closer than this are labelled "equal".
    epochs, batch_size, lr, weight_decay
        Thesis: 2 epochs, batch 256, AdamW lr 1e-3, wd 1e-2.
    pairs_per_epoch : int, optional
        Draw this many ordered pairs per epoch instead of all ``n(n-1)``.
    seed : int or Generator, optional
        Seeds pair sampling and order.
    """
    _check(epochs, batch_size, "train_pairwise")
    rng = as_generator(seed)
    x, edge_index, batch = dataset.to_tensors()
    n = len(dataset)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss()
    report, start = TrainingReport(), time.perf_counter()
    model.train()
    for epoch in range(epochs):
        first, second, labels = _epoch_pairs(dataset, epsilon, pairs_per_epoch, rng)
        total = 0.0
        for lo in range(0, len(first), batch_size):
            f = torch.from_numpy(first[lo : lo + batch_size])
            s = torch.from_numpy(second[lo : lo + batch_size])
            y = torch.from_numpy(labels[lo : lo + batch_size])
            emb = model.embed(x, edge_index, batch, n)
            loss = loss_fn(model.compare(emb[f], emb[s]), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        report.losses.append(total / max(1, len(first)))
        report.pairs_seen += len(first)
        logger.debug("train_pairwise epoch %d loss %.4f", epoch, report.losses[-1])
    report.seconds = time.perf_counter() - start
    return report


def train_margin(
    model,
    dataset: ArchitectureDataset,
    *,
    epsilon: float = 0.0,
    epochs: int = 2,
    batch_size: int = 256,
    lr: float = 1e-3,
    weight_decay: float = 1e-2,
    margin: float = 0.1,
    pairs_per_epoch: int | None = None,
    optimizer: str = "adamw",
    seed: Any = None,
    inputs=None,
) -> TrainingReport:
    """Train a one-score-per-architecture model with ``MarginRankingLoss`` on unequal pairs.

    ``model`` needs ``embed(*inputs, num_graphs)`` and ``score(emb)``; ``inputs`` defaults to
    ``dataset.to_tensors()``. ``optimizer`` is ``"adamw"`` (EGraph) or ``"adam"`` (ReNAS).
    """
    _check(epochs, batch_size, "train_margin")
    rng = as_generator(seed)
    inputs = dataset.to_tensors() if inputs is None else inputs
    n = len(dataset)
    dense = len(inputs) == 1
    cls = torch.optim.AdamW if optimizer == "adamw" else torch.optim.Adam
    opt = cls(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = torch.nn.MarginRankingLoss(margin=margin)
    report, start = TrainingReport(), time.perf_counter()
    model.train()
    for _epoch in range(epochs):
        first, second, labels = _epoch_pairs(dataset, epsilon, pairs_per_epoch, rng)
        keep = labels != 0
        first, second, labels = first[keep], second[keep], labels[keep]
        target = torch.from_numpy(np.where(labels == 1, 1.0, -1.0).astype(np.float32))
        total = 0.0
        for lo in range(0, len(first), batch_size):
            f = torch.from_numpy(first[lo : lo + batch_size])
            s = torch.from_numpy(second[lo : lo + batch_size])
            if dense:  # one tensor row per architecture: score only those in the batch
                uniq, inv = torch.unique(torch.cat([f, s]), return_inverse=True)
                scores = model.score(model.embed(inputs[0][uniq], len(uniq)))
                f, s = inv[: len(f)], inv[len(f) :]
            else:
                scores = model.score(model.embed(*inputs, n))
            loss = loss_fn(scores[f], scores[s], target[lo : lo + batch_size])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(f)
        report.losses.append(total / max(1, len(first)))
        report.pairs_seen += len(first)
    report.seconds = time.perf_counter() - start
    return report


@torch.no_grad()
def pairwise_scores(model, dataset: ArchitectureDataset, *, hard: bool = False, chunk: int = 256) -> np.ndarray:
    """One score per architecture from a siamese ranker's predictions on all pairs.

    Score of ``i`` = Σ_j [P(i better than j) − P(j better than i)], counted in both pair orders
    (soft Copeland). With ``hard=True`` the arg-max class is counted instead (Copeland wins −
    losses).
    """
    model.eval()
    x, edge_index, batch = dataset.to_tensors()
    n = len(dataset)
    emb = model.embed(x, edge_index, batch, n)
    score = torch.zeros(n, dtype=torch.float64)
    cols = torch.arange(n)
    for lo in range(0, n, chunk):
        rows = torch.arange(lo, min(n, lo + chunk))
        f = rows.repeat_interleave(n)
        s = cols.repeat(len(rows))
        logits = model.compare(emb[f], emb[s])
        p = torch.softmax(logits, dim=1)
        if hard:
            p = torch.nn.functional.one_hot(p.argmax(1), 3).to(p.dtype)
        diff = (p[:, 1] - p[:, 2]).double()
        diff[f == s] = 0.0
        score.index_add_(0, f, diff)
        score.index_add_(0, s, -diff)
    return score.numpy()


@torch.no_grad()
def model_scores(model, dataset: ArchitectureDataset, inputs=None) -> np.ndarray:
    """Scores of a model with ``embed``/``score`` (regression EGraph, ReNAS)."""
    model.eval()
    inputs = dataset.to_tensors() if inputs is None else inputs
    return model.score(model.embed(*inputs, len(dataset))).double().numpy()


def ranking_metrics(predicted: np.ndarray, true: np.ndarray, *, top: float = 0.5) -> dict[str, float]:
    """Kendall τ of predicted vs true scores, and τ on the true top ``top`` fraction.

    Examples
    --------
    >>> ranking_metrics(np.array([1., 2, 3, 4]), np.array([.1, .2, .3, .4]))
    {'tau': 1.0, 'top50_tau': 1.0}
    """
    from nasnb.analysis import kendall_tau, top_k_tau

    predicted, true = np.asarray(predicted, float), np.asarray(true, float)
    return {
        "tau": float(kendall_tau(predicted, true)),
        f"top{int(round(top * 100))}_tau": float(top_k_tau(predicted, true, top)),
    }
