"""Zero-cost proxies as an evaluator: :class:`ProxyEvaluator`, and the minibatch it scores: :func:`proxy_batch`.

A :class:`ProxyEvaluator` is an evaluator like any other: ``descriptor_evaluate(descriptor,
seed=...)`` builds the descriptor (seeded), scores it with its proxies on one minibatch and
returns an :class:`~nasnb.results.EvaluationResult` whose metrics are the scores (with
``<proxy>_seconds`` each and ``proxy_seconds`` in all), whose fitness is the score of ``fitness`` and whose
``total_time`` is the
proxy's cost. It goes through :func:`~nasnb.evaluators.run_evaluation` like every evaluator, so
a search runs it inline, on a thread pool or on cluster engines and records the scores as metrics
of the study. :meth:`ProxyEvaluator.for_candidates` gives one that scores a search space's native
candidates through a function candidate → network (e.g. ``NASBench201.network``).

A network that the ``fitness`` proxy cannot score (no trainable weights, a score that overflows or
is NaN) is a ``failed`` result naming the reason -- never a NaN in a ranking; another proxy that
fails leaves its metric out and says why in the result's ``message``; a descriptor that cannot be
built is ``invalid``; a batch that does not fit the network raises
:class:`~nasnb.exceptions.ParameterError` (a misconfigured run, not a bad candidate).

Examples
--------
>>> from nasnb import NeuralDescriptor
>>> ev = ProxyEvaluator(("synflow", "params"), input_shape=(3, 8, 8))  # no head: the descriptor alone
>>> d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 8, "kernel_size": 3}), "nn.ReLU"])
>>> r = ev.descriptor_evaluate(d, seed=0)
>>> r.status, sorted(r.metrics), r.fitness == r.metrics["synflow"]
('done', ['params', 'params_seconds', 'proxy_seconds', 'synflow', 'synflow_seconds'], True)
>>> ev.descriptor_evaluate(NeuralDescriptor.sequential(["nn.ReLU"]), seed=0).status  # nothing to score
'failed'
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from nasnb._validation import as_seed, check_positive_int, parameter_error
from nasnb.exceptions import BuildError, DescriptorError, ParameterError
from nasnb.proxies.base import ProxyError, as_network
from nasnb.proxies.registry import DATA_FREE, check_proxies, score_proxies
from nasnb.results import EvaluationResult

__all__ = ["ProxyEvaluator", "proxy_batch"]

logger = logging.getLogger(__name__)
_FUNC = "ProxyEvaluator"


def proxy_batch(data: Any, batch_size: int, seed: Any = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """One minibatch drawn without replacement (seeded) from a data set's training part.

    Parameters
    ----------
    data : str, DatasetConfig or (inputs, targets) tensors
        A name of :func:`nasnb.data.default_datasets`, a config, or tensors.
    batch_size : int
    seed : int >= 0 or numpy Generator

    Examples
    --------
    >>> x, y = proxy_batch("digits", 16, seed=0)
    >>> tuple(x.shape), tuple(y.shape)
    ((16, 1, 8, 8), (16,))
    >>> bool((proxy_batch("digits", 16, seed=0)[0] == x).all())
    True
    """
    batch_size = check_positive_int(batch_size, "batch_size", "proxy_batch")
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        x, y = data
    else:
        from nasnb.data.builtin import default_datasets
        from nasnb.data.splits import load_data

        config = default_datasets().get(data) if isinstance(data, str) else data
        loaded = load_data(config)
        if not loaded.in_memory:
            raise ParameterError(
                f"The 'data' parameter of proxy_batch names {config.name!r}, which is not held in "
                "memory; pass (inputs, targets) tensors instead."
            )
        x, y = loaded.train
    if len(x) < batch_size:
        raise ParameterError(
            f"The 'batch_size' parameter of proxy_batch is {batch_size}, but the data have only {len(x)} examples."
        )
    rng = np.random.default_rng(as_seed(seed, "proxy_batch")) if not isinstance(seed, np.random.Generator) else seed
    idx = torch.as_tensor(np.sort(rng.choice(len(x), batch_size, replace=False)))
    return x[idx], y[idx]


class ProxyEvaluator:
    """Score candidates with zero-cost proxies instead of training them.

    Parameters
    ----------
    proxies : str or sequence of str, default "synflow"
        Names of :data:`~nasnb.proxies.PROXIES`.
    fitness : str, optional
        The proxy whose score is the fitness (default the first of ``proxies``).
    dataset : str or DatasetConfig, optional
        Where the minibatch of the data-dependent proxies comes from; also gives the input
        shape, the class count and the builder's head. Required unless every proxy is data-free.
    input_shape : tuple of int, optional
        Example shape for data-free proxies without a ``dataset``.
    num_outputs : int, optional
        Outputs of the builder's head (``None`` builds without one unless ``build`` says otherwise).
    batch_size : int, default 64
        Examples in the minibatch (the data-free proxies use only its shape).
    batch_seed : int, default 0
        Seed of the minibatch draw; fixed per evaluator, so every candidate sees the same batch.
    build : mapping, optional
        Further arguments of :func:`~nasnb.builders.build_network` (``head``, ``merge``...).
    threads : int or None, default 1
        Torch threads of each evaluation (see :func:`~nasnb.evaluators.run_evaluation`).
    """

    def __init__(
        self,
        proxies: Sequence[str] | str = "synflow",
        *,
        fitness: str | None = None,
        dataset: Any = None,
        input_shape: Sequence[int] | None = None,
        num_outputs: int | None = None,
        batch_size: int = 64,
        batch_seed: int = 0,
        build: Mapping[str, Any] | None = None,
        threads: int | None = 1,
    ) -> None:
        self.proxies = check_proxies(proxies, _FUNC)
        self.fitness = self.proxies[0] if fitness is None else fitness
        if self.fitness not in self.proxies:
            raise parameter_error("fitness", _FUNC, f"one of the proxies {self.proxies}", fitness)
        self.dataset = dataset
        self.batch_size = check_positive_int(batch_size, "batch_size", _FUNC)
        self.batch_seed = as_seed(batch_seed, _FUNC, "batch_seed")
        self.build = dict(build or {})
        self.threads = None if threads is None else check_positive_int(threads, "threads", _FUNC)
        if dataset is None:
            needs_data = [p for p in self.proxies if p not in DATA_FREE]
            if needs_data:
                raise ParameterError(
                    f"The 'dataset' parameter of {_FUNC} is required by {', '.join(needs_data)} "
                    "(they score a minibatch of real examples)."
                )
            if input_shape is None:
                raise ParameterError(f"The 'input_shape' parameter of {_FUNC} is required without a dataset.")
            self.input_shape = tuple(int(s) for s in input_shape)
            self.num_outputs = num_outputs
        else:
            config = self._config()
            self.input_shape = tuple(config.input_shape) if input_shape is None else tuple(input_shape)
            self.num_outputs = config.num_outputs if num_outputs is None else num_outputs
            self.build.setdefault("head", config.head)
            self.build.setdefault("fixed_channels", config.fixed_channels)
        self._batch: tuple[torch.Tensor, Any] | None = None
        self._network: Callable[[Any], Any] | None = None

    @classmethod
    def for_candidates(
        cls, network: Callable[[Any], Any], proxies: Sequence[str] | str = "synflow", **kwargs: Any
    ) -> ProxyEvaluator:
        """An evaluator of a space's native candidates: ``network(candidate)`` gives the descriptor
        (or torch module) to score, e.g. ``ProxyEvaluator.for_candidates(nb201.network,
        input_shape=nb201.input_shape)``. Searches call its ``evaluate_candidate``.
        """
        if not callable(network):
            raise parameter_error(
                "network", "ProxyEvaluator.for_candidates", "a callable candidate -> network", network
            )
        self = _CandidateProxyEvaluator(proxies, **kwargs)
        self._network = network
        return self

    def _config(self) -> Any:
        from nasnb.data.builtin import default_datasets

        return default_datasets().get(self.dataset) if isinstance(self.dataset, str) else self.dataset

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_batch"] = None  # drawn again (the same batch) where the evaluator runs
        return state

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.proxies}, fitness={self.fitness!r}, input_shape={self.input_shape})"

    def settings(self) -> dict[str, Any]:
        """JSON-friendly description (recorded with every row of a study)."""
        return {
            "evaluator": "ProxyEvaluator",
            "proxies": list(self.proxies),
            "fitness": self.fitness,
            "dataset": getattr(self.dataset, "name", self.dataset),
            "input_shape": list(self.input_shape),
            "num_outputs": self.num_outputs,
            "batch_size": self.batch_size,
            "batch_seed": self.batch_seed,
            "threads": self.threads,
        }

    def batch(self) -> tuple[torch.Tensor, Any]:
        """The minibatch every candidate is scored on (drawn once, seeded by ``batch_seed``)."""
        if self._batch is None:
            if self.dataset is None:
                self._batch = (torch.zeros((self.batch_size, *self.input_shape)), None)
            else:
                self._batch = proxy_batch(self._config(), self.batch_size, self.batch_seed)
        return self._batch

    def score(self, model: Any, seed: Any = 0) -> EvaluationResult:
        """Score a descriptor or torch module; the :class:`~nasnb.results.EvaluationResult` of it."""
        start = time.perf_counter()
        seed = as_seed(seed, "descriptor_evaluate")
        inputs, targets = self.batch()
        try:
            net = as_network(
                model, self.input_shape, self.num_outputs, seed=seed, func="descriptor_evaluate", **self.build
            )
        except (DescriptorError, BuildError) as exc:
            logger.info("invalid candidate: %s", exc)
            return EvaluationResult.invalid(f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
        scores: dict[str, float] = {}
        failures: list[str] = []
        times: dict[str, float] = {}
        for name in self.proxies:  # each proxy on its own copy; one proxy's failure leaves the others
            try:
                scores.update(score_proxies(net, inputs, targets, proxies=name, seed=seed, times=times))
            except ProxyError as exc:
                failures.append(f"{name}: {exc}")
        seconds = time.perf_counter() - start
        if self.fitness not in scores:
            logger.info("proxy failed: %s", failures[0])
            return EvaluationResult.failed("ProxyError: " + "; ".join(failures), seconds)
        metrics = dict(scores, proxy_seconds=seconds, **{f"{n}_seconds": t for n, t in times.items() if n in scores})
        return EvaluationResult(float("nan"), metrics, seconds, scores[self.fitness], message="; ".join(failures))

    def descriptor_evaluate(
        self, descriptor: Any, epochs: Any = None, dataset: Any = None, percentage: float = 1.0, seed: Any = 0
    ) -> EvaluationResult:
        """Build ``descriptor`` (seeded) and score it; ``epochs``, ``dataset`` and ``percentage`` are
        accepted for the common evaluator call and ignored (a proxy does not train)."""
        return self.score(descriptor, seed)


class _CandidateProxyEvaluator(ProxyEvaluator):
    """A :class:`ProxyEvaluator` of native candidates (see :meth:`ProxyEvaluator.for_candidates`)."""

    def evaluate_candidate(self, candidate: Any, *, seed: Any = 0, **ignored: Any) -> EvaluationResult:
        """Score ``self._network(candidate)`` (the seed seeds its weights; other arguments are ignored)."""
        assert self._network is not None  # set by for_candidates, which makes this class
        return self.score(self._network(candidate), 0 if seed is None else seed)
