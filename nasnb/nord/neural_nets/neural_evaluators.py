"""``nord.neural_nets.LocalEvaluator``: train and test a descriptor, the original way.

Coming from the original framework
----------------------------------
``LocalEvaluator(optimizer_class, optimizer_params, verbose)`` and
``descriptor_evaluate(descriptor, epochs, data_percentage=1.0, untrained=False, dataset=None)``
keep their order and meaning and return ``(loss, metrics, total_time)`` (a tuple; ``metrics``
a dict such as ``{'accuracy': 0.93}``; ``total_time`` the training seconds). nasnb adds
``return_net=True`` (the trained network is appended, as the original ``net_evaluate`` did)
and a keyword-only ``seed``.

* Data come from the shared configuration (:class:`~nasnb.nord.configurations.all.Configs`),
  loaded once per evaluator and data set; ``data_percentage`` keeps a seeded share of the
  training set. ``dataset=None`` reuses the previous call's data set (the original kept the
  first one it loaded, whatever was asked later; here each call may change it).
* Without ``seed``, each evaluation draws its seed from torch's global generator, so
  ``assure_reproducibility()`` makes a script repeat; weights, dropout and batch order come
  from a forked generator seeded with it.
* A descriptor that cannot become a network gives the original's "non-functional" answer:
  loss ``nan``, every metric at its worst (accuracy 0), time 0, and an INFO log line.
* ``verbose=True`` logs per-epoch losses and the test result instead of printing them.

Examples
--------
>>> import torch.nn as nn, torch.optim as opt
>>> from nasnb.nord.neural_nets import NeuralDescriptor
>>> d = NeuralDescriptor()
>>> _ = d.add_layer_sequential(nn.Conv2d, {'in_channels': 1, 'out_channels': 4, 'kernel_size': 3})
>>> evaluator = LocalEvaluator(optimizer_class=opt.Adam, optimizer_params={'lr': 0.01})
>>> loss, metrics, total_time = evaluator.descriptor_evaluate(descriptor=d, epochs=1, dataset='digits', seed=0)
>>> sorted(metrics), total_time > 0
(['accuracy'], True)
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Mapping

import torch

from nasnb._validation import as_seed, check_fraction, check_nonnegative_int, parameter_error
from nasnb.builders.randomness import GLOBAL_RNG_LOCK
from nasnb.data.batches import TensorBatches
from nasnb.data.metrics import ERROR_METRICS, resolve_loss
from nasnb.evaluators.local import LocalEvaluator as _NasnbLocalEvaluator
from nasnb.evaluators.train import evaluate, resolve_device, resolve_optimizer, train_epochs
from nasnb.exceptions import BuildError, DescriptorError
from nasnb.nord.configurations.all import shared_datasets

__all__ = ["LocalEvaluator"]

logger = logging.getLogger(__name__)
_FUNC = "descriptor_evaluate"


def _global_seed() -> int:
    """A seed drawn from torch's global generator (repeatable after ``assure_reproducibility``)."""
    return int(torch.randint(0, 2**31 - 1, ()).item())


def _non_functional(metrics: Any) -> tuple[float, dict[str, float], float]:
    return float("nan"), {m: (math.inf if m in ERROR_METRICS else 0.0) for m in metrics}, 0.0


class LocalEvaluator:
    """Train networks on this machine and report ``(loss, metrics, total_time)``.

    Parameters
    ----------
    optimizer_class : torch.optim class or name, default ``"Adam"``
    optimizer_params : dict, optional
        Keyword arguments of the optimizer.
    verbose : bool, default False
        Log per-epoch losses and the test result (INFO level).
    batch_size : int, default 128
        Training and test batch size (keyword-only, a nasnb addition).
    device : str, optional
        ``None`` uses CUDA when available.
    """

    def __init__(self, optimizer_class: Any = "Adam", optimizer_params: Mapping[str, Any] | None = None,
                 verbose: bool = False, *, batch_size: int = 128, device: Any = None) -> None:
        self.optimizer_class = optimizer_class
        self.optimizer_params = dict(optimizer_params or {})
        self.verbose = bool(verbose)
        self.dataset: str | None = None
        #: nasnb's evaluator: owns the cached, seeded data splits (and checks the arguments)
        self.nasnb_evaluator = _NasnbLocalEvaluator(optimizer_class, self.optimizer_params, batch_size=batch_size,
                                                    device=device, datasets=shared_datasets())

    def __repr__(self) -> str:
        name = getattr(self.optimizer_class, "__name__", self.optimizer_class)
        return f"LocalEvaluator({name!s}, {self.optimizer_params}, verbose={self.verbose})"

    def dataset_config(self, dataset: Any):
        """The configuration of ``dataset`` (``None``: the previous call's data set)."""
        if dataset is None:
            dataset = self.dataset
        if dataset is None:
            raise parameter_error("dataset", _FUNC, "a data set name (e.g. 'cifar10') on the first call", None)
        config = self.nasnb_evaluator.registry().get(dataset)
        self.dataset = config.name
        return config

    def descriptor_evaluate(self, descriptor: Any, epochs: int, data_percentage: float = 1.0,
                            untrained: bool = False, dataset: str | None = None, return_net: bool = False, *,
                            seed: int | None = None) -> tuple:
        """Build ``descriptor``, train it for ``epochs`` (unless ``untrained``) and test it.

        Returns
        -------
        tuple
            ``(loss, metrics, total_time)``, plus the network when ``return_net`` (``None``
            for a descriptor that cannot be built).
        """
        from nasnb.builders import build_network

        config = self.dataset_config(dataset)
        seed = _global_seed() if seed is None else as_seed(seed, _FUNC)
        with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):   # the original's global generator, one
            torch.manual_seed(seed)                                # training at a time across threads
            try:
                net = build_network(descriptor, config.input_shape, config.num_outputs,
                                    merge=self.nasnb_evaluator.merge, fixed_channels=config.fixed_channels,
                                    head=config.head)
            except (DescriptorError, BuildError) as exc:
                logger.info("non-functional network (%s: %s)", type(exc).__name__, exc)
                out = _non_functional(config.metrics)
                return out + (None,) if return_net else out
            return self._train_test(net, epochs, data_percentage, untrained, config, return_net, seed)

    def net_evaluate(self, net: torch.nn.Module, epochs: int, data_percentage: float = 1.0, untrained: bool = False,
                     dataset: str | None = None, return_net: bool = False, *, seed: int | None = None) -> tuple:
        """Train and test a ready network (the original's ``net_evaluate``); same returns."""
        config = self.dataset_config(dataset)
        seed = _global_seed() if seed is None else as_seed(seed, "net_evaluate")
        with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):   # the original's global generator, one
            torch.manual_seed(seed)                                # training at a time across threads
            return self._train_test(net, epochs, data_percentage, untrained, config, return_net, seed)

    def _train_test(self, net: torch.nn.Module, epochs: int, percentage: float, untrained: bool, config: Any,
                    return_net: bool, seed: int) -> tuple:
        epochs = check_nonnegative_int(epochs, "epochs", _FUNC)
        percentage = check_fraction(percentage, "data_percentage", _FUNC)
        device = resolve_device(self.nasnb_evaluator.device)
        splits = self.nasnb_evaluator.splits(config, percentage, device)
        loss_fn = resolve_loss(config.loss)
        net = net.to(device)
        start = time.perf_counter()
        if not untrained and epochs > 0:
            optimizer = resolve_optimizer(self.optimizer_class)(net.parameters(), **self.optimizer_params)
            if splits.train_tensors is not None:
                batches = TensorBatches(*splits.train_tensors, self.nasnb_evaluator.batch_size, shuffle=True,
                                        seed=seed)
            else:
                batches = splits.train
                batches.generator.manual_seed(seed)
            log = (lambda e, v: logger.info("epoch %d/%d: training loss %.4f", e + 1, epochs, v)) \
                if self.verbose else None
            train_epochs(net, batches, optimizer, loss_fn, epochs, device=device, on_epoch_end=log)
        total_time = time.perf_counter() - start
        loss, metrics = evaluate(net, splits.test, loss_fn, metrics=config.metrics, device=device)
        if self.verbose:
            logger.info("metrics of the network on the test set: %s; loss %.4f", metrics, loss)
        out = (loss, metrics, total_time)
        return out + (net,) if return_net else out
