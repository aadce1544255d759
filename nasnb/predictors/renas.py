"""ReNAS baseline in its simplest form (thesis ch. 7; Xu et al., 2021).

Each architecture becomes a ``1 × N × N`` tensor holding its adjacency matrix and op types:
entry ``(i, j)`` is ``t_j`` when there is an edge ``i → j`` and the diagonal holds ``t_i``,
where ``t`` = (op index + 1) / number of ops. A LeNet-like network (two 3×3 convolutions,
then dense 120 → 84 → 1; a 2×2 max pool after each convolution when ``N ≥ 8``) predicts one
score per architecture and is trained with a margin ranking loss (Adam, lr 1e-3, wd 5e-4).

That single channel (``encoding="scalar"``, the thesis' form) tells ops apart only by one
number, which works for NAS-Bench-101's three ops but hardly for spaces with many ops (the
nine of NAS-Bench-Graph). ``encoding="onehot"`` gives one channel per op label instead:
channel ``k`` holds the adjacency columns of the nodes whose op is ``k`` and a 1 on their
diagonal (a ``V × N × N`` tensor for ``V`` op labels).

Examples
--------
>>> from nasnb.predictors.sources import nas_bench_graph_dataset
>>> ds = nas_bench_graph_dataset("cora", n=30, seed=0)
>>> renas_tensors(ds).shape
torch.Size([30, 1, 6, 6])
>>> model = ReNAS(ds.max_nodes)
>>> tuple(model.score(model.embed(renas_tensors(ds), 30)).shape)
(30,)
>>> renas_tensors(ds, encoding="onehot").shape
torch.Size([30, 11, 6, 6])
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

from nasnb._validation import check_choice, check_positive_int
from nasnb.predictors.datasets import ArchitectureDataset
from nasnb.predictors.training import TrainingReport, model_scores, seeded, train_margin

__all__ = ["ReNAS", "renas_tensors", "train_renas", "renas_scores", "ENCODINGS"]

#: Architecture tensor encodings: the thesis' one channel, or one channel per op label.
ENCODINGS = ("scalar", "onehot")

logger = logging.getLogger(__name__)


def renas_tensors(dataset: ArchitectureDataset, size: int | None = None, *, encoding: str = "scalar") -> torch.Tensor:
    """The ``(architectures, C, N, N)`` adjacency + op-type tensor of a dataset.

    ``C`` is 1 for ``encoding="scalar"`` (the thesis) and the vocabulary size for ``"onehot"``.
    """
    n = dataset.max_nodes if size is None else check_positive_int(size, "size", "renas_tensors")
    check_choice(encoding, ENCODINGS, "encoding", "renas_tensors")
    index = {op: i for i, op in enumerate(dataset.vocabulary)}
    if encoding == "onehot":
        out = np.zeros((len(dataset), len(index), n, n), dtype=np.float32)
        for k, g in enumerate(dataset.graphs):
            a = g.adjacency(n)
            for j, op in enumerate(g.ops):
                out[k, index[op], :, j] = a[:, j]
                out[k, index[op], j, j] = 1.0
        return torch.from_numpy(out)
    out = np.zeros((len(dataset), 1, n, n), dtype=np.float32)
    for k, g in enumerate(dataset.graphs):
        t = np.array([(index[op] + 1) / len(index) for op in g.ops], dtype=np.float32)
        a = g.adjacency(n)
        a[: g.num_nodes, : g.num_nodes] *= t[None, :]
        a[np.arange(g.num_nodes), np.arange(g.num_nodes)] = t
        out[k, 0] = a
    return torch.from_numpy(out)


class ReNAS(torch.nn.Module):
    """LeNet-like scorer of ``1 × N × N`` architecture tensors.

    Parameters
    ----------
    size : int
        ``N``, the (padded) node count.
    channels : int, default 1
        Input channels (1 for the scalar encoding, the vocabulary size for one-hot).
    encoding : {"scalar", "onehot"}, optional
        The encoding the model is trained on (default: ``"scalar"`` for one channel, else
        ``"onehot"``); :func:`renas_scores` encodes new architectures the same way.
    """

    def __init__(self, size: int, channels: int = 1, encoding: str | None = None) -> None:
        super().__init__()
        size = check_positive_int(size, "size", "ReNAS")
        channels = check_positive_int(channels, "channels", "ReNAS")
        self.size = size
        self.encoding = check_choice(
            encoding or ("scalar" if channels == 1 else "onehot"), ENCODINGS, "encoding", "ReNAS"
        )
        pool = size >= 8
        layers = [torch.nn.Conv2d(channels, 6, 3, padding=1), torch.nn.ReLU()]
        if pool:
            layers.append(torch.nn.MaxPool2d(2))
        layers += [torch.nn.Conv2d(6, 16, 3, padding=1), torch.nn.ReLU()]
        if pool:
            layers.append(torch.nn.MaxPool2d(2))
        self.features = torch.nn.Sequential(*layers, torch.nn.Flatten())
        side = size // 4 if pool else size
        self.head = torch.nn.Sequential(
            torch.nn.Linear(16 * side * side, 120),
            torch.nn.ReLU(),
            torch.nn.Linear(120, 84),
            torch.nn.ReLU(),
            torch.nn.Linear(84, 1),
        )

    def embed(self, tensors: torch.Tensor, num_graphs: int | None = None) -> torch.Tensor:
        """Convolutional features of the architecture tensors."""
        return self.features(tensors)

    def score(self, emb: torch.Tensor) -> torch.Tensor:
        """One score per architecture."""
        return self.head(emb).squeeze(-1)


def train_renas(
    dataset: ArchitectureDataset,
    *,
    epochs: int = 200,
    batch_size: int = 1024,
    lr: float = 1e-3,
    weight_decay: float = 5e-4,
    margin: float = 0.1,
    epsilon: float = 0.0,
    pairs_per_epoch: int | None = None,
    size: int | None = None,
    seed: Any = None,
    encoding: str = "scalar",
) -> tuple[ReNAS, TrainingReport]:
    """Train a ReNAS scorer with margin ranking loss on the dataset's unequal pairs.

    Returns ``(model, report)``; score other architectures with :func:`renas_scores`.
    ``encoding`` is ``"scalar"`` (the thesis' 1 × N × N tensor) or ``"onehot"`` (one channel
    per op label, see the module docstring); thesis: 200 epochs, batch 1024 or 32.

    Examples
    --------
    >>> from nasnb.predictors.sources import nas_bench_graph_dataset
    >>> tr = nas_bench_graph_dataset("cora", n=40, seed=1)
    >>> model, report = train_renas(tr, epochs=2, pairs_per_epoch=200, seed=0)
    >>> len(report.losses)
    2
    """
    size = dataset.max_nodes if size is None else size
    tensors = renas_tensors(dataset, size, encoding=encoding)
    with seeded(0 if seed is None else seed):
        model = ReNAS(size, tensors.shape[1], encoding)
    report = train_margin(
        model,
        dataset,
        epsilon=epsilon,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        weight_decay=weight_decay,
        margin=margin,
        pairs_per_epoch=pairs_per_epoch,
        optimizer="adam",
        seed=seed,
        inputs=(tensors,),
    )
    return model, report


def renas_scores(model: ReNAS, dataset: ArchitectureDataset) -> np.ndarray:
    """Scores of a trained ReNAS model on a dataset (padded to the model's size, same encoding)."""
    encoding = getattr(model, "encoding", "scalar")
    return model_scores(model, dataset, inputs=(renas_tensors(dataset, model.size, encoding=encoding),))
