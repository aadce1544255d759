"""Architecture datasets for learning to rank (thesis ch. 7).

An :class:`ArchitectureDataset` holds architectures as small directed graphs (one node per
layer, node label = the layer's op type) together with one score each (e.g. validation
accuracy). Predictors learn from *pairs*: a pair ``(i, j)`` is labelled

* ``0`` — equal (``|score_i - score_j| < epsilon``),
* ``1`` — the first architecture is better,
* ``2`` — the second architecture is better.

Datasets are built from descriptors (:meth:`ArchitectureDataset.from_descriptors`), a study of
the experiment store (:meth:`ArchitectureDataset.from_study`), a benchmark that is both a search
space and an evaluator (:meth:`ArchitectureDataset.from_benchmark`, e.g. NAS-Bench-101 files), or
the shipped NAS-Bench-Graph tables (:func:`nas_bench_graph_dataset` in
:mod:`nasnb.predictors.sources`). :meth:`ArchitectureDataset.split` makes seeded train/test
splits with no architecture in both.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> a = NeuralDescriptor.sequential(["input", "conv3x3-bn-relu", "output"])
>>> b = NeuralDescriptor.sequential(["input", "maxpool3x3", "output"])
>>> ds = ArchitectureDataset.from_descriptors([a, b], [0.9, 0.5])
>>> ds.vocabulary
('conv3x3-bn-relu', 'input', 'maxpool3x3', 'output')
>>> ds.pairs(epsilon=0.01)[2].tolist()   # (0, 1) first better, (1, 0) second better
[1, 2]
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasnb._validation import as_generator, check_positive_int, parameter_error
from nasnb.exceptions import DatasetError, ParameterError

__all__ = ["ArchitectureGraph", "ArchitectureDataset", "EQUAL", "FIRST_BETTER", "SECOND_BETTER", "pair_labels"]

logger = logging.getLogger(__name__)

EQUAL, FIRST_BETTER, SECOND_BETTER = 0, 1, 2


@dataclass(frozen=True)
class ArchitectureGraph:
    """One architecture as a graph: node op labels (topological order) and directed edges.

    Parameters
    ----------
    ops : tuple of str
        Op label of every node, in topological order.
    edges : tuple of (int, int)
        Directed edges ``(src, dst)`` between node positions.
    key : str
        Canonical identity of the architecture (equal keys = same architecture).
    params : tuple of dict
        Numeric layer parameters per node (used by ``feature_params``).
    """

    ops: tuple
    edges: tuple
    key: str
    params: tuple = ()

    @classmethod
    def from_descriptor(cls, descriptor, *, key: str | None = None) -> ArchitectureGraph:
        """Graph of a :class:`~nasnb.descriptors.NeuralDescriptor` (pruned to active layers)."""
        d = descriptor.prune()
        order = d.topological_order()
        index = {n: i for i, n in enumerate(order)}
        layers = d.layers
        ops = tuple(layers[n].type for n in order)
        params = tuple(dict(layers[n].params) for n in order)
        edges = tuple(sorted((index[u], index[v]) for u, v in d.connections))
        return cls(ops, edges, key if key is not None else d.canonical_hash(), params)

    @property
    def num_nodes(self) -> int:
        """Number of nodes."""
        return len(self.ops)

    def adjacency(self, size: int | None = None) -> np.ndarray:
        """Dense ``size × size`` adjacency matrix (zero padded)."""
        n = self.num_nodes if size is None else size
        if n < self.num_nodes:
            raise ParameterError(f"Adjacency size {n} is smaller than the graph's {self.num_nodes} nodes.")
        a = np.zeros((n, n), dtype=np.float32)
        for u, v in self.edges:
            a[u, v] = 1.0
        return a


def pair_labels(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    """Label score pairs: 0 equal (``|Δ| < epsilon``), 1 first better, 2 second better.

    Examples
    --------
    >>> pair_labels(np.array([0.5, 0.9, 0.5]), np.array([0.505, 0.1, 0.9]), 0.01).tolist()
    [0, 1, 2]
    """
    first, second = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    labels = np.where(first > second, FIRST_BETTER, SECOND_BETTER)
    labels[np.abs(first - second) < epsilon] = EQUAL
    return labels.astype(np.int64)


class ArchitectureDataset:
    """Architectures (as graphs) with one score each, for learning to rank.

    Parameters
    ----------
    graphs : sequence of ArchitectureGraph
        One graph per architecture; keys must be unique.
    scores : sequence of float
        Score of each architecture (higher is better).
    vocabulary : sequence of str, optional
        Op labels of the one-hot node features; default: sorted labels seen in ``graphs``.
        Pass the training set's vocabulary to a test set so features line up.
    feature_params : sequence of str, optional
        Numeric layer parameters appended to the one-hot features (e.g. ``("filters",)``),
        scaled by their maximum in this dataset; missing values are 0.
    name : str, optional
        Label of the dataset.
    """

    def __init__(
        self,
        graphs: Sequence[ArchitectureGraph],
        scores: Sequence[float] | np.ndarray,
        *,
        vocabulary: Sequence[str] | None = None,
        feature_params: Sequence[str] = (),
        name: str | None = None,
    ) -> None:
        self.graphs = list(graphs)
        self.scores = np.asarray(scores, dtype=float)
        if len(self.graphs) != len(self.scores):
            raise DatasetError(f"ArchitectureDataset got {len(self.graphs)} graphs but {len(self.scores)} scores.")
        keys = [g.key for g in self.graphs]
        if len(set(keys)) != len(keys):
            raise DatasetError(
                "ArchitectureDataset got the same architecture key twice; "
                "aggregate repeated evaluations first (from_descriptors does)."
            )
        seen = sorted({op for g in self.graphs for op in g.ops})
        self.vocabulary = tuple(vocabulary) if vocabulary is not None else tuple(seen)
        unknown = set(seen) - set(self.vocabulary)
        if unknown:
            raise DatasetError(f"Op labels {sorted(unknown)} are not in the vocabulary {self.vocabulary}.")
        self.feature_params = tuple(feature_params)
        self._scales = [
            max(
                (
                    abs(float(p[pname]))
                    for g in self.graphs
                    for p in g.params
                    if isinstance(p.get(pname), (int, float)) and not isinstance(p.get(pname), bool)
                ),
                default=1.0,
            )
            or 1.0
            for pname in self.feature_params
        ]
        self.name = name

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_descriptors(
        cls, descriptors: Iterable[Any], scores: Iterable[float], *, keys: Iterable[str] | None = None, **options
    ) -> ArchitectureDataset:
        """Build from descriptors and scores; repeated architectures get their mean score."""
        descriptors, scores = list(descriptors), [float(s) for s in scores]
        if len(descriptors) != len(scores):
            raise DatasetError(f"from_descriptors got {len(descriptors)} descriptors but {len(scores)} scores.")
        key_list: list[str | None] = list(keys) if keys is not None else [None] * len(descriptors)
        graphs: dict[str, ArchitectureGraph] = {}
        totals: dict[str, list[float]] = {}
        for d, s, k in zip(descriptors, scores, key_list):
            if not np.isfinite(s):
                continue
            g = ArchitectureGraph.from_descriptor(d, key=k)
            graphs.setdefault(g.key, g)
            totals.setdefault(g.key, []).append(s)
        order = list(graphs)
        return cls([graphs[k] for k in order], [float(np.mean(totals[k])) for k in order], **options)

    @classmethod
    def from_study(cls, study: Any, *, score: str = "fitness", status: str = "done", **options) -> ArchitectureDataset:
        """Build from a study of the experiment store (or its ``to_dataframe()`` frame).

        Rows need ``descriptor_json`` and the ``score`` column (default ``fitness``); only rows
        with ``status`` (default ``"done"``) are used when a ``status`` column exists.
        """
        from nasnb.descriptors import NeuralDescriptor

        frame = study.to_dataframe() if hasattr(study, "to_dataframe") else study
        for column in ("descriptor_json", score):
            if column not in frame.columns:
                raise DatasetError(f"The study frame has no {column!r} column (columns: {list(frame.columns)}).")
        if status is not None and "status" in frame.columns:
            frame = frame[frame["status"] == status]
        frame = frame.dropna(subset=["descriptor_json", score])
        descriptors = [
            NeuralDescriptor.from_json(j if isinstance(j, str) else json.dumps(j)) for j in frame["descriptor_json"]
        ]
        keys = list(frame["descriptor_hash"]) if "descriptor_hash" in frame.columns else None
        options.setdefault("name", getattr(study, "name", None))
        return cls.from_descriptors(descriptors, frame[score].astype(float), keys=keys, **options)

    @classmethod
    def from_benchmark(
        cls,
        benchmark: Any,
        *,
        n: int,
        seed: Any = None,
        max_draws: int | None = None,
        score: str = "fitness",
        **options,
    ) -> ArchitectureDataset:
        """Sample ``n`` distinct architectures of a benchmark (SearchSpace + evaluator).

        Works with any ``nasnb.benchmarks`` class (``NASBench101(path)``, ``NASBench201``,
        ``NASBenchGraph``): candidates come from ``benchmark.sample(rng)``, graphs from
        ``benchmark.to_descriptor``, scores from ``benchmark.evaluate_candidate(c).fitness`` (or the
        metric named by ``score``, e.g. ``"test_score"``).
        """
        n = check_positive_int(n, "n", "ArchitectureDataset.from_benchmark")
        rng = as_generator(seed)
        max_draws = max_draws or 50 * n
        graphs: list[ArchitectureGraph] = []
        scores: list[float] = []
        seen: set[str] = set()
        for _ in range(max_draws):
            if len(graphs) == n:
                break
            cand = benchmark.sample(rng)
            key = str(benchmark.key(cand))
            if key in seen:
                continue
            seen.add(key)
            result = benchmark.evaluate_candidate(cand)
            if not result.ok:
                continue
            graphs.append(ArchitectureGraph.from_descriptor(benchmark.to_descriptor(cand), key=key))
            scores.append(result.fitness if score == "fitness" else float(result.metrics[score]))
        if len(graphs) < n:
            raise DatasetError(
                f"from_benchmark found only {len(graphs)} distinct valid architectures "
                f"in {max_draws} draws (asked for {n})."
            )
        options.setdefault("name", type(benchmark).__name__)
        return cls(graphs, scores, **options)

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return len(self.graphs)

    @property
    def keys(self) -> list[str]:
        """Architecture keys in dataset order."""
        return [g.key for g in self.graphs]

    @property
    def num_features(self) -> int:
        """Length of a node feature vector."""
        return len(self.vocabulary) + len(self.feature_params)

    @property
    def max_nodes(self) -> int:
        """Largest node count."""
        return max(g.num_nodes for g in self.graphs)

    def subset(self, indices: Iterable[int], *, name: str | None = None) -> ArchitectureDataset:
        """A dataset of the given positions, sharing this dataset's vocabulary."""
        idx = [int(i) for i in indices]
        return ArchitectureDataset(
            [self.graphs[i] for i in idx],
            self.scores[idx],
            vocabulary=self.vocabulary,
            feature_params=self.feature_params,
            name=name or self.name,
        )

    def split(
        self, train: int | float, test: int | float | None = None, *, seed: Any = None
    ) -> tuple[ArchitectureDataset, ArchitectureDataset]:
        """Seeded disjoint train/test split (``int`` = count, ``float`` = fraction).

        Examples
        --------
        >>> from nasnb.descriptors import NeuralDescriptor
        >>> ds = ArchitectureDataset.from_descriptors(
        ...     [NeuralDescriptor.sequential(["input"] + ["maxpool3x3"] * k + ["output"]) for k in range(1, 6)],
        ...     [0.1, 0.2, 0.3, 0.4, 0.5])
        >>> tr, te = ds.split(3, seed=0)
        >>> len(tr), len(te), set(tr.keys) & set(te.keys)
        (3, 2, set())
        """
        total = len(self)
        n_train = self._count(train, "train", total)
        n_test = total - n_train if test is None else self._count(test, "test", total)
        if n_train + n_test > total:
            raise ParameterError(
                f"The split asks for {n_train} train + {n_test} test architectures but the dataset has only {total}."
            )
        perm = as_generator(seed).permutation(total)
        return (
            self.subset(sorted(perm[:n_train]), name=f"{self.name}-train"),
            self.subset(sorted(perm[n_train : n_train + n_test]), name=f"{self.name}-test"),
        )

    @staticmethod
    def _count(value, name, total) -> int:
        if isinstance(value, float) and 0.0 < value < 1.0:
            return int(round(value * total))
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0:
            return int(value)
        raise parameter_error(name, "ArchitectureDataset.split", "a positive int or a float in (0, 1)", value)

    def pairs(
        self, epsilon: float, *, max_pairs: int | None = None, seed: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ordered pairs ``(first, second, label)`` of distinct architectures.

        All ``n·(n-1)`` ordered pairs, or ``max_pairs`` of them drawn without replacement.
        """
        if not isinstance(epsilon, (int, float)) or epsilon < 0:
            raise parameter_error("epsilon", "ArchitectureDataset.pairs", "a non-negative float", epsilon)
        n = len(self)
        total = n * (n - 1)
        if max_pairs is None or max_pairs >= total:
            flat = np.arange(total)
        else:
            check_positive_int(max_pairs, "max_pairs", "ArchitectureDataset.pairs")
            flat = np.sort(as_generator(seed).choice(total, size=max_pairs, replace=False))
        first = flat // (n - 1)
        offset = flat % (n - 1)
        second = offset + (offset >= first)
        return first, second, pair_labels(self.scores[first], self.scores[second], epsilon)

    def node_features(self, graph: ArchitectureGraph) -> np.ndarray:
        """One-hot op features (+ scaled ``feature_params``) of one graph's nodes."""
        index = {op: i for i, op in enumerate(self.vocabulary)}
        x = np.zeros((graph.num_nodes, self.num_features), dtype=np.float32)
        for i, op in enumerate(graph.ops):
            x[i, index[op]] = 1.0
        for j, (pname, scale) in enumerate(zip(self.feature_params, self._scales)):
            col = len(self.vocabulary) + j
            for i, p in enumerate(graph.params):
                v = p.get(pname, 0)
                x[i, col] = float(v) / scale if isinstance(v, (int, float)) else 0.0
        return x

    def to_tensors(self):
        """Batched graph tensors ``(x, edge_index, batch)`` for torch_geometric layers.

        ``edge_index`` is sorted by destination node (needed by LSTM aggregation).
        """
        import torch

        xs, edges, batch, offset = [], [], [], 0
        for gi, g in enumerate(self.graphs):
            xs.append(self.node_features(g))
            edges.extend((u + offset, v + offset) for u, v in g.edges)
            batch.extend([gi] * g.num_nodes)
            offset += g.num_nodes
        edges.sort(key=lambda e: (e[1], e[0]))
        edge_index = (
            torch.tensor(edges, dtype=torch.long).t().contiguous() if edges else torch.zeros((2, 0), dtype=torch.long)
        )
        return torch.from_numpy(np.concatenate(xs)), edge_index, torch.tensor(batch, dtype=torch.long)

    def __repr__(self) -> str:
        return f"<ArchitectureDataset {self.name or ''}: {len(self)} architectures, {len(self.vocabulary)} ops>"
