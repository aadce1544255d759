"""What every tabular benchmark of nasnb shares: it is a search space *and* an evaluator.

A subclass implements the benchmark-specific parts (``_lookup``, ``descriptor_to_candidate``,
``to_descriptor``, ``key``, ``sample``, ``mutate``, JSON conversion, ``records``); this base
adds the common evaluator API:

* ``descriptor_evaluate(descriptor, epochs=None, dataset=None, percentage=1.0, seed=None)``
  -- same call as every nasnb evaluator; a descriptor outside the benchmark becomes an
  ``invalid`` :class:`~nasnb.results.EvaluationResult` (fitness 0), never an exception;
* ``evaluate_candidate(candidate, *, seed=None, epochs=None, dataset=None)`` -- the fast
  path strategies use (no descriptor is built);
* ``query(candidate_or_descriptor, ...)`` -- the raw record, raising
  :class:`~nasnb.exceptions.BenchmarkError` when the architecture is not in the table.

Benchmark descriptors use the benchmark's op strings as layer types. They describe cells
that the benchmark's *table* evaluates; they are not meant to be compiled into torch
modules, so validate them with ``descriptor.validate(check_layers=False)``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nasnb._validation import as_generator, check_fraction, check_positive_int, parameter_error
from nasnb.exceptions import BenchmarkError, DescriptorError, ParameterError
from nasnb.results import EvaluationResult

__all__ = ["TabularBenchmark", "choose_run"]

#: the memo of run choices is cleared when it holds this many entries (int seeds are many)
_RUN_MEMO_LIMIT = 1 << 16


def choose_run(num_runs: int, seed: Any, base_seed: int, key: str) -> int:
    """Index of the recorded run to report for architecture ``key``.

    ``seed=None`` gives a choice that depends only on ``(base_seed, key)``: repeated
    queries of one architecture return the same run, whatever the query order (so a
    search is deterministic for the benchmark's seed). An int or a numpy Generator draws
    the run from ``as_generator(seed)``.

    Examples
    --------
    >>> choose_run(3, None, 0, "abc") == choose_run(3, None, 0, "abc")
    True
    >>> choose_run(3, 7, 0, "abc") == choose_run(3, 7, 0, "xyz")
    True
    """
    if num_runs <= 1:
        return 0
    if seed is None:
        digest = hashlib.md5(f"{base_seed}:{key}".encode()).digest()
        return int.from_bytes(digest[:8], "little") % num_runs
    return int(as_generator(seed).integers(num_runs))


class TabularBenchmark:
    """Base class of :class:`NASBenchGraph`, :class:`NASBench101` and :class:`NASBench201`.

    Subclasses set ``_func`` (a name for messages) and implement the abstract hooks.
    """

    #: op strings of the input and output vertices of this benchmark's descriptors
    INPUT_OP = "input"
    OUTPUT_OP = "output"
    #: base seed of the run choice when a query gives no seed (subclasses with runs set it)
    seed = 0
    #: attributes that only memoise (dropped when pickled, rebuilt by ``_init_memo``)
    _MEMO_ATTRS: tuple[str, ...] = ("_run_memo",)

    # ------------------------------------------------------------ memos
    def _init_memo(self) -> None:
        """(Re)create the empty memo attributes; subclasses extend it."""
        self._run_memo: dict = {}

    def __getstate__(self) -> dict:
        # memoised results are rebuilt on demand: shipping them to engines would only cost time
        return {k: v for k, v in self.__dict__.items() if k not in self._MEMO_ATTRS}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._init_memo()

    def _pick_run(self, num_runs: int, seed: Any, key: str) -> int:
        """:func:`choose_run` with this benchmark's base seed, memoised where it is a pure
        function of its arguments (``seed`` None or an int); a Generator is drawn from."""
        if num_runs <= 1:
            return 0
        if seed is None:
            memo_key: Any = (self.seed, key)
        elif type(seed) is int:
            memo_key = (seed, num_runs)
        else:
            return choose_run(num_runs, seed, self.seed, key)
        memo = self._run_memo
        run = memo.get(memo_key)
        if run is None:
            if len(memo) >= _RUN_MEMO_LIMIT:
                memo.clear()
            run = memo[memo_key] = choose_run(num_runs, seed, self.seed, key)
        return run

    # ------------------------------------------------------------ subclass hooks
    def get_available_ops(self) -> list[str]:  # pragma: no cover - abstract
        """The operations a hidden vertex can take."""
        raise NotImplementedError

    def descriptor_to_candidate(self, descriptor: Any) -> Any:  # pragma: no cover - abstract
        """The native candidate a descriptor describes (raises DescriptorError/BenchmarkError)."""
        raise NotImplementedError

    def key(self, candidate: Any) -> str:  # pragma: no cover - abstract
        """The candidate's identity in the table (its hash or arch string)."""
        raise NotImplementedError

    def _lookup(self, candidate: Any, *, epochs: Any, dataset: Any, seed: Any, run: Any) -> tuple[float, dict, float]:
        """``(fitness, metrics, total_time)`` of a candidate; BenchmarkError if absent."""
        raise NotImplementedError  # pragma: no cover - abstract

    def invalid_reason(self, candidate: Any) -> str | None:  # pragma: no cover - overridden
        """``None`` if the candidate is in the space, else why not."""
        return None

    # ------------------------------------------------------------ evaluator API
    def _check_common(self, epochs: Any, percentage: Any, func: str) -> None:
        if epochs is not None:
            check_positive_int(epochs, "epochs", func)
        check_fraction(percentage, "percentage", func)
        if percentage != 1.0:
            raise ParameterError(
                f"The 'percentage' parameter of {func} must be 1.0 for a tabular benchmark "
                f"(it records training on the full training set only). Got {percentage!r} instead."
            )

    def evaluate_candidate(
        self, candidate: Any, *, seed: Any = None, epochs: int | None = None, dataset: str | None = None
    ) -> EvaluationResult:
        """Look a native candidate up in the table (the strategies' fast path).

        A candidate outside the space or missing from the table gives an ``invalid`` result
        (fitness 0); bad ``epochs`` / ``dataset`` arguments raise ``ParameterError``.
        """
        func = f"{type(self).__name__}.evaluate_candidate"
        if epochs is not None:
            check_positive_int(epochs, "epochs", func)
        try:
            fitness, metrics, total_time = self._lookup(candidate, epochs=epochs, dataset=dataset, seed=seed, run=None)
        except (BenchmarkError, DescriptorError) as exc:
            return EvaluationResult.invalid(str(exc))
        return EvaluationResult(float("nan"), metrics, total_time, fitness)

    def descriptor_evaluate(
        self,
        descriptor: Any,
        epochs: int | None = None,
        dataset: str | None = None,
        percentage: float = 1.0,
        seed: Any = None,
    ) -> EvaluationResult:
        """Evaluate a descriptor by table look-up, like every nasnb evaluator.

        Parameters
        ----------
        descriptor : NeuralDescriptor
            A cell written with this benchmark's op strings.
        epochs : int, optional
            Training budget, where the benchmark records several (see the subclass).
        dataset : str, optional
            One of the benchmark's data sets (default: the one given to the constructor).
        percentage : float
            Must be 1.0 (tabular benchmarks record full-data training only).
        seed : int, numpy Generator or None
            Picks one of the recorded runs (see :func:`choose_run`).

        Returns
        -------
        EvaluationResult
            fitness = validation accuracy (or score); metrics hold every recorded metric;
            total_time = recorded training time where the benchmark has one, else 0.
            A descriptor outside the benchmark gives status ``invalid`` and fitness 0.
        """
        func = f"{type(self).__name__}.descriptor_evaluate"
        self._check_common(epochs, percentage, func)
        try:
            candidate = self.descriptor_to_candidate(descriptor)
        except (DescriptorError, BenchmarkError) as exc:
            return EvaluationResult.invalid(str(exc))
        return self.evaluate_candidate(candidate, seed=seed, epochs=epochs, dataset=dataset)

    def query(
        self,
        architecture: Any,
        *,
        epochs: int | None = None,
        dataset: str | None = None,
        seed: Any = None,
        run: int | None = None,
    ) -> dict[str, Any]:
        """Every recorded metric of one architecture (a candidate or a descriptor).

        ``run`` picks a recorded run explicitly; otherwise ``seed`` does (see
        :func:`choose_run`). Raises :class:`BenchmarkError` if the architecture is not in
        the table.
        """
        func = f"{type(self).__name__}.query"
        if epochs is not None:
            check_positive_int(epochs, "epochs", func)
        if run is not None and (isinstance(run, bool) or not isinstance(run, (int, np.integer)) or run < 0):
            raise parameter_error("run", func, "a non-negative int", run)
        candidate = architecture
        if hasattr(architecture, "connections") and hasattr(architecture, "layers"):
            candidate = self.descriptor_to_candidate(architecture)
        fitness, metrics, total_time = self._lookup(candidate, epochs=epochs, dataset=dataset, seed=seed, run=run)
        out = dict(metrics)
        out["fitness"] = fitness
        out["total_time"] = total_time
        out["key"] = self.key(candidate)
        return out

    # ------------------------------------------------------------ helpers for subclasses
    @staticmethod
    def _one_hot_order(descriptor: Any) -> list[str]:
        """Topological order with input first and output last (raises DescriptorError)."""
        descriptor.validate(check_layers=False)
        order = descriptor.topological_order()
        src, dst = descriptor.input_layer, descriptor.output_layer
        return [src] + [n for n in order if n not in (src, dst)] + [dst]

    def _matrix_of(self, descriptor: Any) -> tuple[np.ndarray, list[str]]:
        order = self._one_hot_order(descriptor)
        index = {n: i for i, n in enumerate(order)}
        matrix = np.zeros((len(order), len(order)), dtype=np.int8)
        for u, v in descriptor.connections:
            matrix[index[u], index[v]] = 1
        return matrix, [descriptor.layer(n).type for n in order]

    def descriptor_to_matrix(self, descriptor: Any) -> tuple[np.ndarray, list[str]]:
        """Adjacency matrix (input first, output last, topological order) and op list.

        Examples
        --------
        >>> from nasnb.benchmarks import NASBenchGraph
        >>> nb = NASBenchGraph("cora")
        >>> m, ops = nb.descriptor_to_matrix(nb.to_descriptor(((0, 0, 1, 2), ("gcn", "gat", "sage", "fc"))))
        >>> ops
        ['input', 'gcn', 'gat', 'sage', 'fc', 'output']
        """
        return self._matrix_of(descriptor)

    @staticmethod
    def _check_unknown_op(op: Any, known: Sequence[str], where: str) -> None:
        if op not in known:
            raise BenchmarkError(f"Unknown op {op!r} at {where}; the ops of this benchmark are {', '.join(known)}.")

    @staticmethod
    def _finite(value: Any) -> float:
        v = float(value)
        return v if math.isfinite(v) else float("nan")
