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
  loss 0, every metric at its worst (accuracy 0), time 0, and an INFO log line.
* ``verbose=True`` prints what the original printed: the network, a status line per epoch
  (``Loss: ...``) and ``Metrics of the network on the test images:`` /
  ``Loss of the network on the test images:``.
* The original's steps are methods here too: ``load_data``, ``set_device``,
  ``get_optimizer``, ``descriptor_to_net``, ``train``, ``test``, ``print_status_bar`` and
  ``process_returns``; after ``load_data`` the evaluator holds ``trainloader``,
  ``testloader`` and ``classes``.

``LocalBatchEvaluator`` (several networks per call, ``descriptors_evaluate``) and
``DistributedEvaluator`` (the original's Horovod evaluator; here the same training, spread
over engines by :class:`~nasnb.nord.neural_nets.distributed.Environment`) are this class
with the original's names.

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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import torch

from nasnb._validation import as_seed, check_fraction, check_nonnegative_int, parameter_error
from nasnb.builders.randomness import GLOBAL_RNG_LOCK
from nasnb.data.batches import TensorBatches
from nasnb.data.metrics import ERROR_METRICS, resolve_loss
from nasnb.evaluators.local import LocalEvaluator as _NasnbLocalEvaluator
from nasnb.evaluators.train import evaluate, resolve_device, resolve_optimizer, train_epochs
from nasnb.exceptions import BuildError, DescriptorError
from nasnb.nord.configurations.all import shared_datasets

if TYPE_CHECKING:
    from nasnb.nord.neural_nets.neural_builder import NeuralNet

__all__ = ["LocalEvaluator", "LocalBatchEvaluator", "DistributedEvaluator"]

logger = logging.getLogger(__name__)
_FUNC = "descriptor_evaluate"


def _global_seed() -> int:
    """A seed drawn from torch's global generator (repeatable after ``assure_reproducibility``)."""
    return int(torch.randint(0, 2**31 - 1, ()).item())


def _non_functional(metrics: Any) -> tuple[float, dict[str, float], float]:
    """The original's answer for a network that cannot be built: loss 0, worst metrics, time 0."""
    return 0.0, {m: (math.inf if m in ERROR_METRICS else 0.0) for m in metrics}, 0.0


class LocalEvaluator:
    """Train networks on this machine and report ``(loss, metrics, total_time)``.

    Parameters
    ----------
    optimizer_class : torch.optim class or name, default ``"Adam"``
    optimizer_params : dict, optional
        Keyword arguments of the optimizer.
    verbose : bool, default False
        Print the network, per-epoch losses and the test result, as the original.
    batch_size : int, default 128
        Training and test batch size (keyword-only, a nasnb addition).
    device : str, optional
        ``None`` uses CUDA when available.
    """

    def __init__(
        self,
        optimizer_class: Any = "Adam",
        optimizer_params: Mapping[str, Any] | None = None,
        verbose: bool = False,
        *,
        batch_size: int = 128,
        device: Any = None,
    ) -> None:
        if optimizer_params is not None and not isinstance(optimizer_params, Mapping):
            raise parameter_error(
                "optimizer_params", type(self).__name__, "a dict of optimizer keyword arguments", optimizer_params
            )
        self.optimizer_class = optimizer_class
        self.optimizer_params = dict(optimizer_params or {})
        self.verbose = bool(verbose)
        self.dataset: str | None = None
        self.trainloader: Any = None
        self.testloader: Any = None
        self.classes: Any = None
        self.data_loaded = False
        self._config: Any = None
        self._seed: int | None = None
        #: nasnb's evaluator: owns the cached, seeded data splits (and checks the arguments)
        self.nasnb_evaluator = _NasnbLocalEvaluator(
            optimizer_class, self.optimizer_params, batch_size=batch_size, device=device, datasets=shared_datasets()
        )

    def __repr__(self) -> str:
        name = getattr(self.optimizer_class, "__name__", self.optimizer_class)
        return f"{type(self).__name__}({name!s}, {self.optimizer_params}, verbose={self.verbose})"

    def dataset_config(self, dataset: Any):
        """The configuration of ``dataset`` (``None``: the previous call's data set)."""
        if dataset is None:
            dataset = self.dataset
        if dataset is None:
            raise parameter_error("dataset", _FUNC, "a data set name (e.g. 'cifar10') on the first call", None)
        config = self.nasnb_evaluator.registry().get(dataset)
        self.dataset = config.name
        return config

    # ------------------------------------------------------------------ the original's steps
    def load_data(self, data_percentage: float = 1.0, dataset: str | None = None) -> None:
        """Load ``dataset`` (``None``: the previous one); sets ``trainloader``, ``testloader``, ``classes``."""
        config = self.dataset_config(dataset)
        percentage = check_fraction(data_percentage, "data_percentage", "load_data")
        splits = self.nasnb_evaluator.splits(config, percentage, resolve_device(self.nasnb_evaluator.device))
        self._config, self._splits = config, splits
        if splits.train_tensors is not None:
            self.trainloader = TensorBatches(
                *splits.train_tensors, self.nasnb_evaluator.batch_size, shuffle=True, seed=0
            )
        else:
            self.trainloader = splits.train
        self.testloader = splits.test
        self.classes = getattr(config, "classes", None)
        self.data_loaded = True

    def _require_data(self, func: str) -> Any:
        if not self.data_loaded:
            raise parameter_error("dataset", func, "data loaded first (call load_data or descriptor_evaluate)", None)
        return self._config

    def set_device(self) -> str:
        """The device that trains the networks (``'cpu'`` or ``'cuda:0'``)."""
        return str(resolve_device(self.nasnb_evaluator.device))

    def get_optimizer(self, net: torch.nn.Module) -> torch.optim.Optimizer:
        """A new optimizer of ``net``'s parameters (the evaluator's class and parameters)."""
        return resolve_optimizer(self.optimizer_class)(net.parameters(), **self.optimizer_params)

    def print_status_bar(self, batch_id: int, loss: float) -> None:
        """Print the mean loss so far (``loss`` summed over batches ``0..batch_id``) when verbose."""
        if self.verbose:
            total = len(self.trainloader) if self.trainloader is not None else batch_id + 1
            print(f"[{batch_id + 1}/{total}] Loss: {loss / (batch_id + 1):.2f}")

    def descriptor_to_net(self, descriptor: Any, untrained: bool = False) -> NeuralNet:
        """The :class:`~nasnb.nord.neural_nets.NeuralNet` of ``descriptor`` for the loaded data set.

        Raises :class:`~nasnb.exceptions.DescriptorError` or :class:`~nasnb.exceptions.BuildError`
        when it cannot be built (``descriptor_evaluate`` turns that into the non-functional answer).
        """
        from nasnb.nord.neural_nets.neural_builder import NeuralNet

        config = self._require_data("descriptor_to_net")
        return NeuralNet(
            descriptor,
            config.num_outputs,
            config.input_shape,
            None,
            untrained=untrained,
            keep_dimensions=config.fixed_channels,
            dense_part=config.head,
            merge=self.nasnb_evaluator.merge,
        )

    def train(self, net: torch.nn.Module, epochs: int) -> None:
        """Train ``net`` for ``epochs`` on the loaded training data."""
        config = self._require_data("train")
        epochs = check_nonnegative_int(epochs, "epochs", "train")
        if epochs == 0:
            return
        seed = _global_seed() if self._seed is None else self._seed
        batches = self.trainloader
        tensors = self._splits.train_tensors if self._splits is not None else None
        if isinstance(batches, TensorBatches) and tensors is not None:  # in memory: tensors are there
            batches = TensorBatches(tensors[0], tensors[1], self.nasnb_evaluator.batch_size, shuffle=True, seed=seed)
        else:
            batches.generator.manual_seed(seed)
        n = len(batches)

        def status(epoch: int, mean_loss: float) -> None:
            if self.verbose:
                print(f"Epoch {epoch + 1}/{epochs}")
                self.print_status_bar(n - 1, mean_loss * n)

        train_epochs(
            net,
            batches,
            self.get_optimizer(net),
            resolve_loss(config.loss),
            epochs,
            device=self.set_device(),
            on_epoch_end=status,
        )

    def test(self, net: torch.nn.Module) -> tuple[float, dict[str, float]]:
        """``(loss, metrics)`` of ``net`` on the loaded test data."""
        config = self._require_data("test")
        return evaluate(
            net, self.testloader, resolve_loss(config.loss), metrics=config.metrics, device=self.set_device()
        )

    def process_returns(self, loss: float, metrics: dict) -> tuple[float, dict]:
        """Print the test result when verbose (as the original); return it unchanged."""
        if self.verbose:
            print("Metrics of the network on the test images: ", metrics)
            print(f"Loss of the network on the test images: {loss:.4f} ")
        return loss, metrics

    # ------------------------------------------------------------------ evaluation
    def descriptor_evaluate(
        self,
        descriptor: Any,
        epochs: int,
        data_percentage: float = 1.0,
        untrained: bool = False,
        dataset: str | None = None,
        return_net: bool = False,
        *,
        seed: int | None = None,
    ) -> tuple:
        """Build ``descriptor``, train it for ``epochs`` (unless ``untrained``) and test it.

        Returns
        -------
        tuple
            ``(loss, metrics, total_time)``, plus the network when ``return_net`` (``None``
            for a descriptor that cannot be built).
        """
        self.load_data(data_percentage, dataset)
        seed = _global_seed() if seed is None else as_seed(seed, _FUNC)
        with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):  # the original's global generator, one
            torch.manual_seed(seed)  # training at a time across threads
            try:
                net = self.descriptor_to_net(descriptor, untrained)
            except (DescriptorError, BuildError) as exc:
                logger.info("non-functional network (%s: %s)", type(exc).__name__, exc)
                out = _non_functional(self._config.metrics)
                return out + (None,) if return_net else out
            if self.verbose:
                print(net)
            return self._train_test(net, epochs, untrained, return_net, seed)

    def net_evaluate(
        self,
        net: torch.nn.Module,
        epochs: int,
        data_percentage: float = 1.0,
        untrained: bool = False,
        dataset: str | None = None,
        return_net: bool = False,
        *,
        seed: int | None = None,
    ) -> tuple:
        """Train and test a ready network (the original's ``net_evaluate``); same returns."""
        self.load_data(data_percentage, dataset)
        seed = _global_seed() if seed is None else as_seed(seed, "net_evaluate")
        if getattr(net, "functional", True) is False:
            out = _non_functional(self._config.metrics)
            return out + (net,) if return_net else out
        with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):  # the original's global generator, one
            torch.manual_seed(seed)  # training at a time across threads
            return self._train_test(net, epochs, untrained, return_net, seed)

    def _train_test(self, net: torch.nn.Module, epochs: int, untrained: bool, return_net: bool, seed: int) -> tuple:
        epochs = check_nonnegative_int(epochs, "epochs", _FUNC)
        net = net.to(self.set_device())
        start = time.perf_counter()
        if not untrained:
            self._seed = seed
            try:
                self.train(net, epochs)
            finally:
                self._seed = None
        total_time = time.perf_counter() - start
        loss, metrics = self.process_returns(*self.test(net))
        out = (loss, metrics, total_time)
        return out + (net,) if return_net else out


class LocalBatchEvaluator(LocalEvaluator):
    """The original's batch evaluator: ``descriptors_evaluate`` trains several networks in turn.

    Returns ``(losses, metrics, total_time)``: one loss and one metrics dict per network (a
    non-functional one gets the non-functional answer) and the summed training time.

    Examples
    --------
    >>> import torch.nn as nn
    >>> from nasnb.nord.neural_nets import NeuralDescriptor
    >>> d = NeuralDescriptor()
    >>> _ = d.add_layer_sequential(nn.Conv2d, {'in_channels': 1, 'out_channels': 4, 'kernel_size': 3})
    >>> losses, metrics, t = LocalBatchEvaluator('Adam', {}).descriptors_evaluate([d, d], 1, dataset='digits')
    >>> len(losses), len(metrics)
    (2, 2)
    """

    def descriptors_evaluate(
        self,
        descriptors: Any,
        epochs: int,
        data_percentage: float = 1.0,
        untrained: bool = False,
        dataset: str | None = None,
    ) -> tuple[list, list, float]:
        """Evaluate each descriptor (see the class docs)."""
        if isinstance(descriptors, (str, bytes)) or not hasattr(descriptors, "__iter__"):
            raise parameter_error("descriptors", "descriptors_evaluate", "a list of descriptors", descriptors)
        losses, metrics, total = [], [], 0.0
        for descriptor in descriptors:
            loss, m, t = self.descriptor_evaluate(descriptor, epochs, data_percentage, untrained, dataset)
            dataset = None
            losses.append(loss)
            metrics.append(m)
            total += t
        return losses, metrics, total


class DistributedEvaluator(LocalEvaluator):
    """The original's Horovod evaluator, by name.

    nasnb spreads one training over engines with
    :class:`~nasnb.nord.neural_nets.distributed.Environment` (gradients all-reduced every
    step); called directly, this evaluator trains on this machine like :class:`LocalEvaluator`.
    """
