"""Train and test a descriptor on one machine: :class:`LocalEvaluator`.

Examples
--------
>>> from nasnb import NeuralDescriptor
>>> d = NeuralDescriptor()
>>> _ = d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3})
>>> _ = d.add_layer_sequential("nn.ReLU")
>>> ev = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=64, device="cpu")
>>> loss, metrics, total_time = ev.descriptor_evaluate(d, 1, "digits", seed=0)
>>> 0.0 <= metrics["accuracy"] <= 1.0
True
"""

from __future__ import annotations

import logging
import math
import time
import traceback
from collections.abc import Mapping
from typing import Any

import torch

from nasnb._validation import (
    as_seed,
    check_choice,
    check_fraction,
    check_positive_int,
    check_probability,
    parameter_error,
)
from nasnb.data.augment import AugmentedBatches, as_augment
from nasnb.data.batches import TensorBatches
from nasnb.data.config import DatasetConfig, DatasetRegistry
from nasnb.data.metrics import ERROR_METRICS, resolve_loss
from nasnb.data.splits import DataSplits, LoadedData, load_data, make_splits
from nasnb.evaluators.train import evaluate, resolve_device, resolve_optimizer, train_epochs
from nasnb.exceptions import BuildError, DatasetError, DescriptorError, ParameterError
from nasnb.results import EvaluationResult

__all__ = ["LocalEvaluator", "fitness_from_metrics", "check_optimizer"]

logger = logging.getLogger(__name__)

_FUNC = "descriptor_evaluate"


def fitness_from_metrics(config: DatasetConfig, metrics: Mapping[str, float]) -> float:
    """The number a search maximises: the first metric, negated for error metrics (MSE, MAE)."""
    value = float(metrics[config.fitness_metric])
    return -value if config.fitness_metric in ERROR_METRICS else value


def check_optimizer(optimizer_class: Any, optimizer_params: Any, func: str = "LocalEvaluator") -> None:
    """Check an optimizer and its parameters now, not at the first evaluation.

    The names must be parameters the optimizer takes, and the optimizer is built (and
    stepped once) on a one-element probe tensor so that a bad value fails here.

    Raises
    ------
    ParameterError
        Naming the parameter, what the optimizer takes or why the value was refused.

    Examples
    --------
    >>> check_optimizer("Adam", {"lr": "fast"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nasnb.exceptions.ParameterError: The 'optimizer_params' parameter of LocalEvaluator has a bad value for 'lr': ...
    """
    import inspect

    factory = resolve_optimizer(optimizer_class, func)
    if optimizer_params is None:
        optimizer_params = {}
    if not isinstance(optimizer_params, Mapping):
        raise parameter_error("optimizer_params", func, "a dict or None", optimizer_params)
    params = dict(optimizer_params)
    label = getattr(factory, "__name__", repr(factory))
    for key in params:
        if not isinstance(key, str) or not key.isidentifier():
            raise ParameterError(
                f"The 'optimizer_params' parameter of {func} must have parameter names as keys; got {key!r}."
            )
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        signature = None
    if signature is not None and not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        takes = [
            n
            for i, (n, p) in enumerate(signature.parameters.items())
            if i > 0 and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
        for key in params:
            if key not in takes:
                raise ParameterError(
                    f"The 'optimizer_params' parameter of {func} names {key!r}, which {label} does "
                    f"not take; {label} takes {', '.join(takes) or 'no parameters'}."
                )

    def probe(kwargs: dict) -> None:
        weight = torch.nn.Parameter(torch.zeros(1))
        optimizer = factory([weight], **kwargs)
        weight.grad = torch.ones(1)
        optimizer.step()

    try:
        probe(params)
    except Exception as exc:  # noqa: BLE001 - any failure of the user's settings becomes a ParameterError
        culprit = None
        for key in params:
            try:
                probe({key: params[key]})
            except Exception:  # noqa: BLE001
                culprit = key
                break
        if culprit is None:
            raise ParameterError(
                f"The 'optimizer_params' parameter of {func} does not fit {label}: {params!r} "
                f"({type(exc).__name__}: {exc})."
            ) from exc
        raise ParameterError(
            f"The 'optimizer_params' parameter of {func} has a bad value for {culprit!r}: "
            f"{params[culprit]!r} ({label} refused it: {type(exc).__name__}: {exc})."
        ) from exc


class LocalEvaluator:
    """Train a descriptor's network on one device and report test loss and metrics.

    Parameters
    ----------
    optimizer_class : torch.optim class, factory or str, default "Adam"
        Optimizer; names (``"Adam"``, ``"SGD"``, ``"Adamax"``, ``"RMSprop"``...,
        case-insensitive) are resolved through an explicit table.
    optimizer_params : dict, optional
        Keyword arguments of the optimizer (e.g. ``{"lr": 1e-3}``).
    batch_size : int, default 128
        Training batch size.
    eval_batch_size : int, optional
        Batch size for validation/test (default ``batch_size``).
    device : str or torch.device, optional
        ``None`` uses CUDA when available (resolved at evaluation time, so a
        pickled evaluator uses the GPU of the machine it runs on).
    merge : {"mvs", "fixed"}
        Merge policy passed to the builder.
    datasets : DatasetRegistry, optional
        Where ``dataset`` names are looked up (default: a fresh
        :func:`~nasnb.data.default_datasets` registry).
    layer_registry : LayerRegistry, optional
        Layer registry for the builder (default: the built-in one).
    validation : float in [0, 1), default 0.0
        Share of the training set held out as validation split.
    evaluate_on : {"test", "validation"}
        Which split the reported loss and metrics come from.
    split_seed : int, default 0
        Seed of the data split and ``percentage`` subset; fixed per evaluator so
        that all candidates of a study train on the same data.
    threads : int or None, default 1
        Torch intra-op threads of each evaluation when it runs through a search or a
        cluster (:func:`~nasnb.evaluators.run_evaluation`); recorded with every row. A fixed
        count makes a seed give the same result bit for bit wherever it runs; ``None``
        leaves the process' setting (faster for large networks, not reproducible across
        machines with different thread counts).
    augment : Augment, list of transforms or None, default None
        Data augmentation of the *training* batches only (validation and test batches are
        never augmented), e.g. :func:`nasnb.data.augment.thesis_augment` (horizontal flips +
        random erasing, the thesis' final training). Seeded from each evaluation's seed and
        recorded in :meth:`settings`, so every study row says how its network was trained.

    Notes
    -----
    Each evaluation draws from generators of its own, all seeded from ``seed``: weight
    initialisation (a forked global generator, under
    :data:`~nasnb.builders.randomness.GLOBAL_RNG_LOCK`), dropout (the network's private
    generator, :func:`~nasnb.builders.randomness.private_randomness`), batch order and
    augmentation. The same seed therefore gives bit-identical results on the CPU serially, on a
    thread pool or on an engine, and the caller's global random state is left as it was. Loaded
    data sets are cached on the instance and dropped when it is pickled.
    """

    def __init__(
        self,
        optimizer_class: Any = "Adam",
        optimizer_params: Mapping[str, Any] | None = None,
        *,
        batch_size: int = 128,
        eval_batch_size: int | None = None,
        device: Any = None,
        merge: str = "mvs",
        datasets: DatasetRegistry | None = None,
        layer_registry: Any = None,
        validation: float = 0.0,
        evaluate_on: str = "test",
        split_seed: int = 0,
        threads: int | None = 1,
        augment: Any = None,
    ) -> None:
        func = "LocalEvaluator"
        check_optimizer(optimizer_class, optimizer_params, func)
        if datasets is not None and not isinstance(datasets, DatasetRegistry):
            raise parameter_error("datasets", func, "a DatasetRegistry or None", datasets)
        self.optimizer_class = optimizer_class
        self.optimizer_params = dict(optimizer_params or {})
        self.batch_size = check_positive_int(batch_size, "batch_size", func)
        self.eval_batch_size = (
            None if eval_batch_size is None else check_positive_int(eval_batch_size, "eval_batch_size", func)
        )
        self.device = device
        self.merge = check_choice(merge, ("mvs", "fixed"), "merge", func)
        self.datasets = datasets
        self.layer_registry = layer_registry
        self.validation = check_probability(validation, "validation", func)
        self.evaluate_on = check_choice(evaluate_on, ("test", "validation"), "evaluate_on", func)
        if evaluate_on == "validation" and not 0.0 < self.validation < 1.0:
            raise parameter_error("validation", func, "in (0, 1) when evaluate_on='validation'", validation)
        self.split_seed = int(split_seed)
        self.threads = None if threads is None else check_positive_int(threads, "threads", func)
        self.augment = as_augment(augment, func)
        self._cache: dict[str, tuple[DatasetConfig, LoadedData, dict]] = {}

    # -- pickling: ship arguments only ----------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_cache"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        name = getattr(self.optimizer_class, "__name__", self.optimizer_class)
        return (
            f"LocalEvaluator({name!s}, {self.optimizer_params}, batch_size={self.batch_size}, "
            f"device={self.device!r}, merge={self.merge!r})"
        )

    def settings(self) -> dict[str, Any]:
        """JSON-friendly description of the evaluator (for experiment stores)."""
        return {
            "evaluator": "LocalEvaluator",
            "optimizer": getattr(self.optimizer_class, "__name__", str(self.optimizer_class)),
            "optimizer_params": self.optimizer_params,
            "batch_size": self.batch_size,
            "merge": self.merge,
            "validation": self.validation,
            "evaluate_on": self.evaluate_on,
            "split_seed": self.split_seed,
            "threads": self.threads,
            "augment": None if self.augment is None else self.augment.settings(),
        }

    # -- data --------------------------------------------------------------------------
    def registry(self) -> DatasetRegistry:
        """The dataset registry in use (created on first use when none was given)."""
        if self.datasets is None:
            from nasnb.data.builtin import default_datasets

            self.datasets = default_datasets()
        return self.datasets

    def splits(self, dataset: Any, percentage: float = 1.0, device: Any = None) -> DataSplits:
        """Seeded, cached splits of ``dataset`` (loaded once per evaluator)."""
        config = self.registry().get(dataset)
        if config.organisation != "matrix":
            raise DatasetError(
                f"LocalEvaluator trains on tensor ('matrix') data; dataset {config.name!r} "
                f"is organised as {config.organisation!r}."
            )
        entry = self._cache.get(config.name)
        if entry is None or entry[0] is not config:
            entry = (config, load_data(config), {})
            self._cache[config.name] = entry
        dev = resolve_device(self.device if device is None else device)
        key = (percentage, str(dev))
        if key not in entry[2]:
            entry[2][key] = make_splits(
                entry[1],
                percentage=percentage,
                seed=self.split_seed,
                validation=self.validation,
                batch_size=self.batch_size,
                eval_batch_size=self.eval_batch_size,
                device=dev,
            )
        return entry[2][key]

    # -- evaluation --------------------------------------------------------------------
    def descriptor_evaluate(
        self, descriptor: Any, epochs: int, dataset: Any, percentage: float = 1.0, seed: int | None = None
    ) -> EvaluationResult:
        """Build, train for ``epochs`` and test ``descriptor`` on ``dataset``.

        Parameters
        ----------
        descriptor : NeuralDescriptor
        epochs : int
            Positive number of training epochs.
        dataset : str or DatasetConfig
            A name in the evaluator's dataset registry.
        percentage : float in (0, 1]
            Share of the training set to train on.
        seed : int >= 0, numpy Generator or None
            Seed of weight initialisation, dropout and batch order (a Generator or ``None``
            gives a drawn int seed).

        Returns
        -------
        EvaluationResult
            Unpacks as ``(loss, metrics, total_time)``; ``status`` is ``"invalid"``
            for a descriptor that cannot be built, ``"diverged"`` when the loss
            became NaN/inf, ``"failed"`` when training raised.

        Raises
        ------
        ParameterError, DatasetError
            For bad arguments (not for bad candidates).
        """
        epochs = check_positive_int(epochs, "epochs", _FUNC)
        percentage = check_fraction(percentage, "percentage", _FUNC)
        seed = as_seed(seed, _FUNC)  # an int >= 0 as is; a numpy Generator or None is drawn from
        config = self.registry().get(dataset)
        device = resolve_device(self.device)
        splits = self.splits(config, percentage, device)
        return self._run(descriptor, epochs, config, splits, int(seed), device, time.perf_counter())

    def _run(
        self,
        descriptor: Any,
        epochs: int,
        config: DatasetConfig,
        splits: DataSplits,
        seed: int,
        device: torch.device,
        start: float,
    ) -> EvaluationResult:
        from nasnb.builders import build_network
        from nasnb.builders.randomness import GLOBAL_RNG_LOCK, private_randomness

        try:
            model = build_network(
                descriptor,
                config.input_shape,
                config.num_outputs,
                merge=self.merge,
                fixed_channels=config.fixed_channels,
                head=config.head,
                registry=self.layer_registry,
                seed=seed,
            )
        except (DescriptorError, BuildError) as exc:
            logger.info("invalid candidate: %s", exc)
            return EvaluationResult.invalid(f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
        # Dropout draws from the network's own generator, so evaluations on a thread pool give
        # the same result as serial ones; the rare layers without a private version (alpha
        # dropout, RReLU) train one network at a time on the seeded global generator.
        if private_randomness(model, seed, device):
            devices = [device.index or 0] if device.type == "cuda" else []
            with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=devices):
                torch.manual_seed(seed)
                return self._train(model, epochs, config, splits, seed, device, start)
        return self._train(model, epochs, config, splits, seed, device, start)

    def _train(
        self,
        model: Any,
        epochs: int,
        config: DatasetConfig,
        splits: DataSplits,
        seed: int,
        device: torch.device,
        start: float,
    ) -> EvaluationResult:
        loss_fn = resolve_loss(config.loss)
        try:
            model = model.to(device)
            optimizer = resolve_optimizer(self.optimizer_class)(model.parameters(), **self.optimizer_params)
            train: TensorBatches | AugmentedBatches
            if splits.train_tensors is not None:
                train = TensorBatches(*splits.train_tensors, self.batch_size, shuffle=True, seed=seed)
            else:
                train = splits.train
                train.generator.manual_seed(seed)
            if self.augment is not None:  # training batches only; test/validation stay as they are
                train = AugmentedBatches(train, self.augment, seed)
            losses = train_epochs(model, train, optimizer, loss_fn, epochs, device=device)
            if not math.isfinite(losses[-1]):
                return EvaluationResult.diverged(
                    f"training loss became {losses[-1]} in epoch {len(losses)} of {epochs}", time.perf_counter() - start
                )
            target = splits.test if self.evaluate_on == "test" else splits.validation
            loss, metrics = evaluate(model, target, loss_fn, metrics=config.metrics, device=device)
        except (RuntimeError, ValueError, ArithmeticError) as exc:
            logger.warning("evaluation failed: %s", exc)
            return EvaluationResult.failed(traceback.format_exc(), time.perf_counter() - start)
        total_time = time.perf_counter() - start
        if not math.isfinite(loss) or not all(math.isfinite(v) for v in metrics.values()):
            return EvaluationResult.diverged(f"{self.evaluate_on} loss is {loss}", total_time)
        return EvaluationResult(loss, metrics, total_time, fitness_from_metrics(config, metrics))
