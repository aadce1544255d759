"""First-order DARTS search, serial or data-parallel (thesis ch. 2 and 8).

Each step takes one batch of the search-training half and one of the search-validation half
(the thesis uses 50 % of the training set as the validation half) and computes, at the current
weights w and architecture parameters α, the α gradient of the validation loss and the w
gradient of the training loss (DARTS' first-order approximation); then an **architecture
step** (Adam on α) and a **weight step** (SGD + momentum 0.9, gradient norm clipped at 5).
Both gradients are taken at the same point (simultaneous updates, rather than the original
code's α-then-w order), so the serial and the data-parallel algorithms run the same update and
differ only in how workers communicate. The weight learning rate is cosine-annealed from ``lr`` to
``lr_min`` over the epochs. After every epoch the supernet's accuracy on the held-out
validation split is recorded (the curve the chapter-8 analysis compares), together with the
running accuracy on the epoch's training batches (``train_accuracy``, Table 8.2's "train acc").
With ``augment=True`` the search-training batches (both halves; never the held-out validation
split) get the thesis' horizontal flips and random erasing
(:func:`nasnb.data.augment.thesis_augment`), seeded by ``seed`` and the worker's rank.

Data parallelism (``world > 1``, inside an initialised ``torch.distributed`` process group):

* **Algorithm 1** — every worker trains on its own shard (``batch_size`` per worker, so each
  worker takes ``1/world`` of the steps); once per epoch the workers average weights, BatchNorm
  statistics and α with **one** all-reduce of a flattened vector.
* **Algorithm 2** — the global batch ``batch_size`` is split over the workers; every step the
  α and weight gradients are averaged with **one** all-reduce of a flattened vector, before
  the two optimizer steps.

Examples
--------
>>> cfg = DartsConfig(channels=4, layers=2, nodes=2, epochs=1, percentage=0.2, batch_size=32)
>>> result = darts_search(cfg)
>>> result.epochs, result.algorithm, len(result.genotype.normal)
(1, 'serial', 4)
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from nasnb._validation import check_choice, check_fraction, check_positive_int
from nasnb.builders.randomness import GLOBAL_RNG_LOCK
from nasnb.darts.checkpoint import decode_state, encode_state
from nasnb.darts.derive import Genotype, derive_genotype
from nasnb.darts.supernet import Supernet
from nasnb.exceptions import ClusterError

__all__ = [
    "DartsConfig",
    "DartsResult",
    "darts_search",
    "run_search",
    "run_in_process",
    "load_search_data",
    "ALGORITHMS",
]

logger = logging.getLogger(__name__)

ALGORITHMS = ("serial", "algorithm1", "algorithm2")


@dataclass(frozen=True)
class DartsConfig:
    """Settings of a DARTS search (defaults: the thesis' chapter-8 search, except the data set).

    ``percentage`` uses that fraction of the training set; ``validation_half`` is the share of
    it used for architecture steps; ``data_seed`` fixes the data split, ``seed`` the supernet
    initialisation and batch order.
    """

    dataset: str = "digits"
    channels: int = 16
    layers: int = 8
    nodes: int = 4
    epochs: int = 50
    batch_size: int = 64
    lr: float = 0.025
    lr_min: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 3e-4
    arch_lr: float = 3e-4
    arch_weight_decay: float = 1e-3
    grad_clip: float = 5.0
    validation_half: float = 0.5
    percentage: float = 1.0
    data_seed: int = 0
    seed: int = 0
    augment: bool = False

    def __post_init__(self) -> None:
        for name in ("channels", "layers", "nodes", "epochs", "batch_size"):
            check_positive_int(getattr(self, name), name, "DartsConfig")
        check_fraction(self.percentage, "percentage", "DartsConfig")
        check_fraction(self.validation_half, "validation_half", "DartsConfig")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON dict."""
        return asdict(self)


@dataclass
class DartsResult:
    """Outcome of one search: the derived cells, curves, times and communication counts."""

    genotype: Genotype
    algorithm: str
    workers: int
    val_accuracy: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)
    steps_per_epoch: int = 0
    allreduce_calls: int = 0
    allreduce_per_epoch: list = field(default_factory=list)
    alphas_normal: list = field(default_factory=list)
    alphas_reduce: list = field(default_factory=list)
    config: dict = field(default_factory=dict)
    rank: int = 0

    @property
    def epochs(self) -> int:
        """Epochs run."""
        return len(self.val_accuracy)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the genotype as its JSON text)."""
        d = asdict(self)
        d["genotype"] = self.genotype.to_json()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DartsResult:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["genotype"] = Genotype.from_json(d["genotype"])
        return cls(**d)


def load_search_data(config: DartsConfig):
    """``(x_train, y_train, x_arch, y_arch, x_eval, y_eval, input_shape, classes)`` tensors.

    The training split of ``config.dataset`` is divided (seeded by ``data_seed``) into the
    weight half and the architecture half; the held-out validation split scores the epochs.
    """
    from nasnb.data import default_datasets, load_splits

    ds = default_datasets().get(config.dataset)
    splits = load_splits(ds, percentage=config.percentage, seed=config.data_seed, validation=0.1)
    x, y = splits.train_tensors
    x_eval, y_eval = splits.validation_tensors
    perm = torch.from_numpy(np.random.default_rng(config.data_seed).permutation(len(x)))
    n_arch = max(1, int(round(config.validation_half * len(x))))
    arch, train = perm[:n_arch], perm[n_arch:]
    f = torch.float32
    return (
        x[train].to(f),
        y[train],
        x[arch].to(f),
        y[arch],
        x_eval.to(f),
        y_eval,
        tuple(ds.input_shape),
        int(ds.num_outputs),
    )


class _Communicator:
    """What a search needs from ``torch.distributed``: rank, world size, averaging all-reduce."""

    def __init__(self, all_reduce: Callable | None = None, rank: int = 0, world: int = 1) -> None:
        self.all_reduce = all_reduce
        self.rank, self.world = rank, world

    def average(self, tensors) -> None:
        tensors = [t for t in tensors if t is not None]
        if self.world == 1 or not tensors:
            return
        if self.all_reduce is None:
            raise ClusterError(f"DARTS worker {self.rank} of {self.world} was given no all-reduce to average with.")
        flat = torch.cat([t.detach().reshape(-1).to(torch.float32) for t in tensors])
        self.all_reduce(flat)
        flat /= self.world
        offset = 0
        for t in tensors:
            n = t.numel()
            t.data.copy_(flat[offset : offset + n].view_as(t).to(t.dtype))
            offset += n


def _accuracy(model, x, y, batch=512) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for lo in range(0, len(x), batch):
            correct += int((model(x[lo : lo + batch]).argmax(1) == y[lo : lo + batch]).sum())
    model.train()
    return correct / max(1, len(x))


def run_search(
    config: DartsConfig,
    data,
    *,
    algorithm: str = "serial",
    comm: _Communicator | None = None,
    resume: dict | None = None,
    stop: int | None = None,
    on_epoch: Callable[[int, dict], None] | None = None,
) -> DartsResult:
    """The search loop on given tensors (see the module docstring); used by every entry point.

    ``resume`` is this worker's encoded state from :mod:`nasnb.darts.checkpoint` (the search
    continues after the epochs it holds); ``on_epoch(epoch, state)`` receives the encoded state
    after every epoch (``epoch`` counts from 1); ``stop`` ends the loop after that many epochs
    (default ``config.epochs``; the learning-rate schedule still spans ``config.epochs``).
    """
    check_choice(algorithm, ALGORITHMS, "algorithm", "run_search")
    comm = comm or _Communicator()
    rank, world = comm.rank, comm.world
    x_tr, y_tr, x_ar, y_ar, x_ev, y_ev, input_shape, classes = data
    # equal-sized shards so that every worker takes the same number of steps
    n_tr, n_ar = (len(x_tr) // world) * world, (len(x_ar) // world) * world
    x_tr, y_tr = x_tr[rank:n_tr:world], y_tr[rank:n_tr:world]
    x_ar, y_ar = x_ar[rank:n_ar:world], y_ar[rank:n_ar:world]
    batch = max(1, config.batch_size // world) if algorithm == "algorithm2" else config.batch_size
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):  # other threads may seed it too
        torch.manual_seed(config.seed)
        model = Supernet(input_shape, classes, channels=config.channels, layers=config.layers, nodes=config.nodes)
    weights = model.weight_parameters()
    w_opt = torch.optim.SGD(weights, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    a_opt = torch.optim.Adam(
        model.arch_parameters(), lr=config.arch_lr, betas=(0.5, 0.999), weight_decay=config.arch_weight_decay
    )
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(w_opt, config.epochs, eta_min=config.lr_min)
    loss_fn = torch.nn.CrossEntropyLoss()
    counter = getattr(comm.all_reduce, "calls", None)
    result = DartsResult(Genotype((), ()), algorithm, world, config=config.to_dict(), rank=rank)
    steps = max(1, math.ceil(len(x_tr) / batch))
    result.steps_per_epoch = steps
    rng = np.random.default_rng([config.seed, rank])
    augment, aug_gen = None, None
    if config.augment:
        from nasnb.data.augment import thesis_augment

        augment = thesis_augment()
        aug_gen = torch.Generator().manual_seed(int(rng.integers(2**62)))
    first, calls_before_resume = 0, 0
    if resume is not None:
        first, calls_before_resume = _restore(decode_state(resume), model, w_opt, a_opt, sched, rng, aug_gen, result)
    last = config.epochs if stop is None else min(int(stop), config.epochs)
    for epoch in range(first, last):
        start = time.perf_counter()
        calls_before = counter() if counter else 0
        order = torch.from_numpy(rng.permutation(len(x_tr)))
        arch_order = torch.from_numpy(rng.permutation(len(x_ar)))
        total, seen, correct = 0.0, 0, 0
        for step in range(steps):
            idx = order[step * batch : (step + 1) * batch]
            a_idx = arch_order[(step * batch) % len(x_ar) :][:batch]
            xb, xa = x_tr[idx], x_ar[a_idx]
            if augment is not None and aug_gen is not None:
                xb, xa = augment(xb, aug_gen), augment(xa, aug_gen)
            # first order, simultaneous: α gradient on the validation batch and weight gradient
            # on the training batch, both at the current (w, α); then both optimizer steps
            arch_params = model.arch_parameters()
            a_grads = torch.autograd.grad(loss_fn(model(xa), y_ar[a_idx]), arch_params)
            logits = model(xb)
            loss = loss_fn(logits, y_tr[idx])
            correct += int((logits.detach().argmax(1) == y_tr[idx]).sum())
            w_grads = torch.autograd.grad(loss, weights, allow_unused=True)
            for p, g in zip(arch_params, a_grads):
                p.grad = g
            for p, g in zip(weights, w_grads):
                p.grad = torch.zeros_like(p) if g is None else g
            if algorithm == "algorithm2":  # one all-reduce of every gradient per step
                comm.average([p.grad for p in arch_params] + [p.grad for p in weights])
            a_opt.step()
            torch.nn.utils.clip_grad_norm_(weights, config.grad_clip)
            w_opt.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        sched.step()
        if algorithm == "algorithm1":
            floats = [b for b in model.buffers() if b.is_floating_point()]
            comm.average(list(model.parameters()) + floats)
        result.epoch_seconds.append(time.perf_counter() - start)
        result.allreduce_per_epoch.append((counter() if counter else 0) - calls_before)
        result.train_loss.append(total / max(1, seen))
        result.train_accuracy.append(correct / max(1, seen))
        result.val_accuracy.append(_accuracy(model, x_ev, y_ev))
        logger.debug(
            "DARTS %s rank %d epoch %d: loss %.4f val %.4f (%.2fs)",
            algorithm,
            rank,
            epoch,
            result.train_loss[-1],
            result.val_accuracy[-1],
            result.epoch_seconds[-1],
        )
        if on_epoch is not None:
            calls = calls_before_resume + (counter() if counter else 0)
            on_epoch(
                epoch + 1, encode_state(_snapshot(epoch + 1, calls, model, w_opt, a_opt, sched, rng, aug_gen, result))
            )
    result.allreduce_calls = calls_before_resume + (counter() if counter else 0)
    result.genotype = derive_genotype(model)
    result.alphas_normal = model.alphas_normal.detach().tolist()
    result.alphas_reduce = model.alphas_reduce.detach().tolist()
    return result


_CURVES = ("val_accuracy", "train_loss", "train_accuracy", "epoch_seconds", "allreduce_per_epoch")


def _snapshot(epoch, calls, model, w_opt, a_opt, sched, rng, aug_gen, result) -> dict[str, Any]:
    """Everything the next epoch depends on, plus the curves so far."""
    return {
        "epoch": epoch,
        "allreduce_calls": calls,
        "model": model.state_dict(),
        "w_opt": w_opt.state_dict(),
        "a_opt": a_opt.state_dict(),
        "sched": sched.state_dict(),
        "rng": rng.bit_generator.state,
        "aug_gen": None if aug_gen is None else aug_gen.get_state(),
        "curves": {name: list(getattr(result, name)) for name in _CURVES},
    }


def _restore(state, model, w_opt, a_opt, sched, rng, aug_gen, result) -> tuple[int, int]:
    """Load a :func:`_snapshot` into a freshly built search; ``(epochs done, all-reduce calls)``."""
    model.load_state_dict(state["model"])
    w_opt.load_state_dict(state["w_opt"])
    a_opt.load_state_dict(state["a_opt"])
    sched.load_state_dict(state["sched"])
    rng.bit_generator.state = state["rng"]
    if aug_gen is not None:
        aug_gen.set_state(state["aug_gen"])
    for name in _CURVES:
        setattr(result, name, list(state["curves"][name]))
    return int(state["epoch"]), int(state["allreduce_calls"])


def run_in_process(config: DartsConfig, data, algorithm: str = "serial", study: Any = None) -> DartsResult:
    """:func:`run_search` on one worker, checkpointed in ``study`` after every epoch and resumed from it."""
    if study is None:
        return run_search(config, data, algorithm=algorithm)
    from nasnb.darts.checkpoint import load_search_checkpoint, save_search_checkpoint

    _, states = load_search_checkpoint(study, config, algorithm, 1)

    def save(epoch: int, state: dict) -> None:
        save_search_checkpoint(study, config, algorithm, 1, epoch, [state])

    return run_search(config, data, algorithm=algorithm, resume=None if states is None else states[0], on_epoch=save)


def darts_search(config: DartsConfig | None = None, *, study: Any = None, **overrides) -> DartsResult:
    """Serial DARTS search on ``config.dataset`` (keyword overrides replace config fields).

    Parameters
    ----------
    config : DartsConfig, optional
        The settings (default: :class:`DartsConfig`'s defaults).
    study : nasnb.store.Study, optional
        Checkpoint the search in this study after every epoch (see
        :mod:`nasnb.darts.checkpoint`) and resume from the checkpoint it holds: a search that
        was killed, run again with the same study, continues after its last finished epoch
        and ends bit-identical to an uninterrupted search (a finished one is derived again
        without training). A checkpoint of other settings raises
        :class:`~nasnb.exceptions.StudyConfigError`.
    **overrides
        :class:`DartsConfig` fields to replace.

    Returns
    -------
    DartsResult

    Examples
    --------
    >>> import tempfile, os, torch
    >>> from nasnb.store import ExperimentStore
    >>> cfg = DartsConfig(channels=2, layers=2, nodes=1, epochs=2, percentage=0.1, batch_size=64)
    >>> folder = tempfile.mkdtemp()
    >>> store = ExperimentStore(os.path.join(folder, "darts.sqlite"))
    >>> study = store.create_study("darts", {"darts": cfg.to_dict()})
    >>> first = darts_search(cfg, study=study)
    >>> study.load_checkpoint("darts:seed=0")["epoch"]
    2
    >>> again = darts_search(cfg, study=study)            # resumed: nothing left to train
    >>> again.genotype == first.genotype, again.alphas_normal == first.alphas_normal
    (True, True)
    >>> store.close()

    For the data-parallel algorithms see :func:`nasnb.darts.distributed.darts_parallel`.
    """
    config = DartsConfig(**{**(config.to_dict() if config else {}), **overrides})
    return run_in_process(config, load_search_data(config), "serial", study)
