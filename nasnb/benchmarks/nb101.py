"""NAS-Bench-101 (Ying et al., 2019) read from the official data file, without TensorFlow.

Give the path of ``nasbench_only108.tfrecord`` (epochs 108) or ``nasbench_full.tfrecord``
(epochs 4, 12, 36, 108); see :mod:`nasnb.benchmarks.nb101_format` for the format. The
native candidate is ``(matrix, ops)``: a tuple of row tuples (upper-triangular 0/1, at
most 7 vertices) and the op labels including ``"input"`` first and ``"output"`` last.
Candidates are pruned (vertices on no input → output path removed) and identified by the
official module hash, so isomorphic cells share a record.

Each architecture has 3 recorded runs per epoch budget; the reported run is chosen from
``seed`` (see :func:`nasnb.benchmarks.base.choose_run`): ``seed=None`` gives a choice fixed
per architecture by the benchmark's own ``seed``, as if the first query were cached.

Examples
--------
>>> nb = NASBench101("nasbench_only108.tfrecord")          # doctest: +SKIP
>>> cell = ((( 0, 1, 1), (0, 0, 1), (0, 0, 0))), ("input", "conv3x3-bn-relu", "output")  # doctest: +SKIP
>>> nb.evaluate_candidate(cell, seed=0).fitness           # doctest: +SKIP
"""

from __future__ import annotations

import base64
import binascii
import logging
import numbers
import os
from typing import Any

import numpy as np

from nasnb._validation import as_generator, check_choice, check_positive_int, parameter_error
from nasnb.benchmarks.base import TabularBenchmark
from nasnb.benchmarks.cellspace import CellSpace
from nasnb.benchmarks.nb101_format import hash_module, iter_tfrecords, parse_model_metrics, prune_spec
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import BenchmarkError, DescriptorError, ParameterError, SerializationError
from nasnb.results import EvaluationResult

__all__ = ["NASBench101", "NB101_OPS"]

logger = logging.getLogger(__name__)

#: Hidden-vertex ops in the official canonical order (their index is the hash label).
NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
MAX_VERTICES = 7
MAX_EDGES = 9
_RUN_FIELDS = ("training_time", "train_accuracy", "validation_accuracy", "test_accuracy")


def _parse_record(data: bytes, where: str, bench: Any) -> tuple:
    """Check one record: ``[module_hash, epochs, adjacency, operations, metrics]``."""
    from nasnb._safeio import load_json

    fields = load_json(
        data, name=f"{where}: expected JSON [module_hash, epochs, adjacency, operations, metrics]", error=BenchmarkError
    )
    if not isinstance(fields, list) or len(fields) != 5:
        raise BenchmarkError(f"{where}: expected JSON [module_hash, epochs, adjacency, operations, metrics].")
    module_hash, epochs, raw_adj, raw_ops, raw_metrics = fields
    if not isinstance(module_hash, str) or not 0 < len(module_hash) <= 128:
        raise BenchmarkError(f"{where}: module_hash must be a string (32 hex digits); got {module_hash!r:.50}.")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 10_000:
        raise BenchmarkError(f"{where}: epochs must be a positive integer; got {epochs!r:.50}.")
    if not isinstance(raw_adj, str) or not isinstance(raw_ops, str) or not isinstance(raw_metrics, str):
        raise BenchmarkError(f"{where}: adjacency, operations and metrics must be strings.")
    dim = int(round(len(raw_adj) ** 0.5))
    if dim * dim != len(raw_adj) or set(raw_adj) - {"0", "1"} or not 2 <= dim <= MAX_VERTICES:
        raise BenchmarkError(
            f"{where}: adjacency {raw_adj[:60]!r} is not a square 0/1 matrix of 2 to {MAX_VERTICES} vertices."
        )
    ops = raw_ops.split(",")
    if len(ops) != dim:
        raise BenchmarkError(f"{where}: {len(ops)} operations for a {dim}x{dim} matrix.")
    if ops[0] != "input" or ops[-1] != "output":
        raise BenchmarkError(
            f"{where}: operations must start with 'input' and end with 'output'; got {raw_ops[:80]!r}."
        )
    for pos, op in enumerate(ops[1:-1], start=1):
        bench._check_unknown_op(op, NB101_OPS, f"{where} vertex {pos}")
    try:
        metrics = base64.b64decode(raw_metrics, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise BenchmarkError(f"{where}: metrics are not valid base64 ({exc}).") from None
    parsed = parse_model_metrics(metrics, where)
    evals = parsed["evaluation_data"]
    if len(evals) < 3 or any(f not in evals[k] for k in (1, 2) for f in _RUN_FIELDS):
        raise BenchmarkError(
            f"{where}: ModelMetrics needs 3 evaluation_data entries with {', '.join(_RUN_FIELDS)} (half-way and final)."
        )
    for k in (1, 2):
        for f in _RUN_FIELDS:
            value = evals[k][f]
            if value != value or value in (float("inf"), float("-inf")):
                raise BenchmarkError(f"{where}: evaluation_data[{k}].{f} is {value}, not a finite number.")
    return module_hash, epochs, raw_adj, ops, evals, int(parsed["trainable_parameters"])


class NASBench101(TabularBenchmark):
    """NAS-Bench-101 as a search space and an evaluator.

    Parameters
    ----------
    path : str or PathLike
        The official ``.tfrecord`` file (read lazily, on first use).
    seed : int
        Base seed of the per-architecture run choice when a query gives no seed.
    verify_checksums : bool
        Also verify every record's data CRC32C (slow in pure Python; the length checksums
        are always verified).
    """

    def __init__(self, path: str | os.PathLike, *, seed: int = 0, verify_checksums: bool = False) -> None:
        try:
            self.path = os.fspath(path)
        except TypeError:
            raise parameter_error("path", "NASBench101", "a file or directory path", path) from None
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise parameter_error("seed", "NASBench101", "an int", seed)
        self.seed = int(seed)
        self.verify_checksums: bool = bool(verify_checksums)
        self._fixed: dict[str, tuple] | None = None
        self._runs: dict[str, dict[int, list[tuple]]] = {}
        self._epochs: tuple[int, ...] = ()
        self._keys: tuple[str, ...] = ()
        self._hash_memo: dict[Any, str] = {}
        self._init_memo()

    _MEMO_ATTRS = ("_run_memo", "_memo", "_by_run")

    def _init_memo(self) -> None:
        super()._init_memo()
        self._memo: dict[Any, EvaluationResult] = {}  # candidate -> result of a default query
        self._by_run: dict[tuple, EvaluationResult] = {}  # (hash, epochs, run) -> result

    # ------------------------------------------------------------ data
    def _data(self) -> dict[str, tuple]:
        return self._load() if self._fixed is None else self._fixed

    def _load(self) -> dict[str, tuple]:
        fixed: dict[str, tuple] = {}
        runs: dict[str, dict[int, list[tuple]]] = {}
        epochs_seen = set()
        if os.path.isdir(self.path):
            raise BenchmarkError(
                f"Cannot read the NAS-Bench-101 file {self.path!r}: it is a directory; give the "
                "path of nasbench_only108.tfrecord or nasbench_full.tfrecord."
            )
        try:
            fh = open(self.path, "rb")
        except OSError as exc:
            raise BenchmarkError(f"Cannot read the NAS-Bench-101 file {self.path!r}: {exc.strerror or exc}.") from exc
        with fh:
            for index, data in iter_tfrecords(fh, self.path, verify_data=self.verify_checksums):
                where = f"{self.path}: record {index}"
                module_hash, epochs, raw_adj, ops, evals, params = _parse_record(data, where, self)
                if module_hash not in fixed:
                    dim = len(ops)
                    matrix = tuple(tuple(int(raw_adj[r * dim + c]) for c in range(dim)) for r in range(dim))
                    fixed[module_hash] = (matrix, tuple(ops), params)
                    runs[module_hash] = {}
                run = tuple(evals[2][f] for f in _RUN_FIELDS) + tuple(evals[1][f] for f in _RUN_FIELDS)
                runs[module_hash].setdefault(epochs, []).append(run)
                epochs_seen.add(epochs)
        if not fixed:
            raise BenchmarkError(f"{self.path}: the file holds no NAS-Bench-101 records.")
        self._fixed, self._runs, self._epochs = fixed, runs, tuple(sorted(epochs_seen))
        self._keys = tuple(fixed)
        logger.info("loaded %d NAS-Bench-101 architectures from %s", len(fixed), self.path)
        return fixed

    @property
    def valid_epochs(self) -> tuple[int, ...]:
        """Epoch budgets present in the file (4, 12, 36, 108 for the full file)."""
        self._data()
        return self._epochs

    def get_available_ops(self) -> list[str]:
        """The three hidden-vertex ops."""
        return list(NB101_OPS)

    def __len__(self) -> int:
        return len(self._data())

    def hashes(self) -> list[str]:
        """Module hashes of every recorded architecture (file order)."""
        self._data()
        return list(self._keys)

    # ------------------------------------------------------------ candidates
    @staticmethod
    def _as_arrays(candidate: Any) -> tuple[np.ndarray, list[str]]:
        matrix, ops = candidate
        return np.asarray(matrix, dtype=np.int64), list(ops)

    def invalid_reason(self, candidate: Any) -> str | None:
        """``None`` for a cell inside the NAS-Bench-101 space, else why not."""
        try:
            matrix, ops = self._as_arrays(candidate)
        except (TypeError, ValueError):
            return f"A NAS-Bench-101 candidate is a pair (matrix, ops); got {candidate!r}."
        n = len(ops)
        if matrix.shape != (n, n):
            return f"The matrix must be {n}x{n} to match {n} ops; got shape {matrix.shape}."
        if np.any((matrix != 0) & (matrix != 1)) or np.any(np.tril(matrix)):
            return "The matrix must be an upper-triangular 0/1 matrix."
        if n < 2 or ops[0] != self.INPUT_OP or ops[-1] != self.OUTPUT_OP:
            return "The first op must be 'input' and the last 'output'."
        for i, op in enumerate(ops[1:-1], start=1):
            if op not in NB101_OPS:
                return f"Unknown op {op!r} at vertex {i}; the ops of NAS-Bench-101 are {', '.join(NB101_OPS)}."
        pruned = prune_spec(matrix, ops)
        if pruned is None:
            return "There is no path from the input vertex to the output vertex."
        pm, pops = pruned
        if len(pops) > MAX_VERTICES:
            return f"{len(pops)} vertices after pruning; NAS-Bench-101 allows at most {MAX_VERTICES}."
        if int(pm.sum()) > MAX_EDGES:
            return f"{int(pm.sum())} edges after pruning; NAS-Bench-101 allows at most {MAX_EDGES}."
        return None

    def module_hash(self, candidate: Any) -> str:
        """Official module hash of the pruned cell (memoised); BenchmarkError if outside the space."""
        try:
            return self._hash_memo[candidate]
        except (KeyError, TypeError):
            pass
        reason = self.invalid_reason(candidate)
        if reason is not None:
            raise BenchmarkError(reason)
        matrix, ops = self._as_arrays(candidate)
        pruned = prune_spec(matrix, ops)
        if pruned is None:  # invalid_reason refuses such a cell above
            raise BenchmarkError("There is no path from the input vertex to the output vertex.")
        pm, pops = pruned
        labels = [-1] + [NB101_OPS.index(op) for op in pops[1:-1]] + [-2]
        value = hash_module(pm, labels)
        try:
            self._hash_memo[candidate] = value
        except TypeError:  # unhashable (lists): no memo
            pass
        return value

    def key(self, candidate: Any) -> str:
        """The official module hash."""
        return self.module_hash(candidate)

    def candidate_of_hash(self, module_hash: str) -> tuple:
        """The recorded ``(matrix, ops)`` of a module hash."""
        try:
            matrix, ops, _ = self._data()[module_hash]
        except KeyError as exc:
            raise BenchmarkError(f"Module hash {module_hash!r} is not in {self.path}.") from exc
        return matrix, ops

    def sample(self, rng: Any) -> tuple:
        """A recorded architecture drawn uniformly (so every sample is in the table)."""
        if type(rng) is not np.random.Generator:
            rng = as_generator(rng)
        self._data()
        keys = self._keys
        return self.candidate_of_hash(keys[int(rng.integers(len(keys)))])

    def mutate(self, candidate: Any, rng: Any) -> tuple:
        """Thesis mutation: add a random forward connection, or insert a new vertex (random op)
        on an existing connection (src → new → dst, the old connection removed); at most 5
        hidden vertices. When neither applies, one op changes. The child may fall outside
        the table (then it evaluates as ``invalid``, fitness 0)."""
        if type(rng) is not np.random.Generator:
            rng = as_generator(rng)
        rows, ops = candidate
        matrix = [[int(x) for x in row] for row in rows]
        ops = list(ops)
        n = len(ops)
        free: list[tuple[int, int]] = []
        edges: list[tuple[int, int]] = []
        for i in range(n):
            row = matrix[i]
            for j in range(i + 1, n):
                (edges if row[j] else free).append((i, j))
        moves = (["connect"] if free else []) + (["insert"] if edges and n < MAX_VERTICES else [])
        u_move, u_where, u_op = rng.random(3).tolist()  # one generator call per mutation
        move = moves[int(u_move * len(moves))] if moves else "op"
        if move == "connect":
            i, j = free[int(u_where * len(free))]
            matrix[i][j] = 1
        elif move == "insert":
            i, j = edges[int(u_where * len(edges))]
            for row in matrix:  # new vertex at position j; the old vertex j moves to j + 1
                row.insert(j, 0)
            matrix.insert(j, [0] * (n + 1))
            matrix[i][j + 1] = 0
            matrix[i][j] = 1
            matrix[j][j + 1] = 1
            ops.insert(j, NB101_OPS[int(u_op * len(NB101_OPS))])
        elif n > 2:
            k = 1 + int(u_where * (n - 2))
            others = [o for o in NB101_OPS if o != ops[k]]
            ops[k] = others[int(u_op * len(others))]
        return tuple(tuple(row) for row in matrix), tuple(ops)

    def candidate_to_json(self, candidate: Any) -> dict:
        """``{"matrix": [[...]], "ops": [...]}``."""
        matrix, ops = candidate
        return {"matrix": [[int(x) for x in row] for row in matrix], "ops": list(ops)}

    def candidate_from_json(self, value: Any) -> tuple:
        """Inverse of :meth:`candidate_to_json`."""
        if not isinstance(value, dict) or set(value) != {"matrix", "ops"}:
            raise SerializationError(f"A NAS-Bench-101 candidate must be {{'matrix': ..., 'ops': ...}}; got {value!r}.")
        return tuple(tuple(int(x) for x in row) for row in value["matrix"]), tuple(str(x) for x in value["ops"])

    # ------------------------------------------------------------ descriptors
    def to_descriptor(self, candidate: Any) -> NeuralDescriptor:
        """Cell as a descriptor named ``input``, ``node_1`` ... ``output`` (op strings as types)."""
        matrix, ops = self._as_arrays(candidate)
        n = len(ops)
        if matrix.shape != (n, n) or n < 2:
            raise DescriptorError(f"A {matrix.shape} matrix does not fit {n} ops.")
        names = ["input"] + [f"node_{i}" for i in range(1, n - 1)] + ["output"]
        d = NeuralDescriptor(name="nasbench-101 cell")
        for name, op in zip(names, ops):
            d.add_layer(op, name=name)
        for i in range(n):
            for j in range(n):
                if matrix[i, j]:
                    d.connect_layers(names[i], names[j])
        d.set_input("input")
        d.set_output("output")
        return d

    def descriptor_to_candidate(self, descriptor: NeuralDescriptor) -> tuple:
        """``(matrix, ops)`` in topological order; BenchmarkError for an unknown op."""
        matrix, ops = self._matrix_of(descriptor)
        if ops[0] != self.INPUT_OP or ops[-1] != self.OUTPUT_OP:
            raise DescriptorError(
                f"A NAS-Bench-101 cell starts with 'input' and ends with 'output'; got {ops[0]!r}, {ops[-1]!r}."
            )
        for name, op in zip(self._one_hot_order(descriptor)[1:-1], ops[1:-1]):
            self._check_unknown_op(op, NB101_OPS, f"layer {name!r}")
        return tuple(tuple(int(x) for x in row) for row in matrix), tuple(ops)

    # ------------------------------------------------------------ look-up
    def _epochs_of(self, epochs: Any, func: str) -> int:
        valid = self.valid_epochs
        if epochs is None:
            return valid[-1]
        if epochs not in valid:
            raise ParameterError(
                f"The 'epochs' parameter of {func} must be one of {list(valid)} "
                f"(the budgets in {self.path}). Got {epochs!r} instead."
            )
        return int(epochs)

    def _lookup(self, candidate: Any, *, epochs: Any, dataset: Any, seed: Any, run: Any) -> tuple[float, dict, float]:
        func = "NASBench101.query"
        if dataset not in (None, "cifar10"):
            raise ParameterError(
                f"The 'dataset' parameter of {func} must be None or 'cifar10'. Got {dataset!r} instead."
            )
        epochs = self._epochs_of(epochs, func)
        h = self.module_hash(candidate)
        entry = self._data().get(h)
        if entry is None:
            raise BenchmarkError(f"Architecture {h} is not in {self.path}.")
        runs = self._runs[h].get(epochs)
        if not runs:
            raise BenchmarkError(f"Architecture {h} has no runs at {epochs} epochs in {self.path}.")
        if run is None:
            run = self._pick_run(len(runs), seed, f"{h}:{epochs}")
        elif run >= len(runs):
            raise BenchmarkError(f"Architecture {h} has {len(runs)} runs at {epochs} epochs; run {run} does not exist.")
        return self._record(h, entry, epochs, run, runs[run])

    @staticmethod
    def _record(h: str, entry: tuple, epochs: int, run: int, rec: tuple) -> tuple[float, dict, float]:
        metrics = dict(zip(_RUN_FIELDS, rec[:4]))
        metrics.update({f"halfway_{f}": v for f, v in zip(_RUN_FIELDS, rec[4:])})
        metrics["trainable_parameters"] = float(entry[2])
        metrics["epochs"] = float(epochs)
        metrics["run"] = float(run)
        return rec[2], metrics, rec[0]

    def evaluate_candidate(
        self, candidate: Any, *, seed: Any = None, epochs: int | None = None, dataset: str | None = None
    ) -> EvaluationResult:
        """Look a cell up (the strategies' fast path); ``invalid`` result if it is not in the table.

        Memoised: the result of a recorded run is built once and then returned as the same
        (immutable; treat ``metrics`` as read-only) object. A default query (no seed, epochs or
        dataset) of a cell seen before is one dict access; with an int seed the run drawn
        from it is memoised per ``(seed, number of runs)``; a Generator seed is drawn from on
        every call, as documented in :func:`~nasnb.benchmarks.base.choose_run`.
        """
        if seed is None and epochs is None and dataset is None:  # hot path
            try:
                return self._memo[candidate]
            except (KeyError, TypeError):
                pass
        func = "NASBench101.evaluate_candidate"
        if epochs is not None:
            check_positive_int(epochs, "epochs", func)
        if dataset not in (None, "cifar10"):
            raise ParameterError(
                f"The 'dataset' parameter of {func} must be None or 'cifar10'. Got {dataset!r} instead."
            )
        try:
            data = self._data()
        except BenchmarkError as exc:  # unreadable file: not memoised, the next query tries again
            return EvaluationResult.invalid(str(exc))
        budget = self._epochs_of(epochs, func)
        try:
            h = self.module_hash(candidate)
            entry = data.get(h)
            if entry is None:
                raise BenchmarkError(f"Architecture {h} is not in {self.path}.")
            runs = self._runs[h].get(budget)
            if not runs:
                raise BenchmarkError(f"Architecture {h} has no runs at {budget} epochs in {self.path}.")
            run = self._pick_run(len(runs), seed, f"{h}:{budget}")
            result = self._by_run.get((h, budget, run))
            if result is None:
                fitness, metrics, total_time = self._record(h, entry, budget, run, runs[run])
                result = self._by_run[(h, budget, run)] = EvaluationResult(float("nan"), metrics, total_time, fitness)
        except (BenchmarkError, DescriptorError) as exc:
            result = EvaluationResult.invalid(str(exc))
        if seed is None and epochs is None and dataset is None:
            try:
                self._memo[candidate] = result
            except TypeError:  # unhashable candidate (lists): not memoised
                pass
        return result

    def records(self, metric: str = "validation_accuracy"):
        """Long pandas frame ``(arch, budget, run, score)`` -- every hash × epochs × run.

        ``metric`` is one of training_time, train_accuracy, validation_accuracy,
        test_accuracy (final values of each run).
        """
        import pandas as pd

        col = _RUN_FIELDS.index(check_choice(metric, _RUN_FIELDS, "metric", "NASBench101.records"))
        rows = [
            (h, e, r, rec[col]) for h in self._data() for e, runs in self._runs[h].items() for r, rec in enumerate(runs)
        ]
        return pd.DataFrame(rows, columns=["arch", "budget", "run", "score"])

    # ------------------------------------------------------------ DQN
    def cell_space(self) -> CellSpace:
        """Thesis ch. 3 cell: up to 5 layers, 3 ops + stop, each layer reads up to 2 earlier vertices.

        Layers that feed no other layer are connected to the output.
        """

        def build(layer_ops, layer_inputs):
            n = len(layer_ops) + 2
            matrix = np.zeros((n, n), dtype=np.int64)
            for i, inputs in enumerate(layer_inputs, start=1):
                for src in inputs:
                    matrix[src, i] = 1
            for i in range(1, n - 1):
                if not matrix[i, :].any():
                    matrix[i, n - 1] = 1
            cand = (
                tuple(tuple(int(x) for x in row) for row in matrix),
                ("input",) + tuple(NB101_OPS[k] for k in layer_ops) + ("output",),
            )
            return None if self.invalid_reason(cand) else cand

        return CellSpace("nasbench-101", NB101_OPS, max_layers=MAX_VERTICES - 2, max_inputs=2, build=build)

    def __repr__(self) -> str:
        return f"NASBench101({self.path!r})"
