"""Files of NAS-Bench-201 / NATS-Bench (topology) and nasnb's own JSON form of them.

Supported sources (all give the same per-architecture records):

* a NATS-Bench ``NATS-tss-v1_0-3ffb9-simple`` directory: ``meta.pickle.pbz2`` (the list
  ``meta_archs`` of arch strings) and one ``{index:06d}.pickle.pbz2`` per architecture,
  a bz2-compressed pickle of ``{"12": ArchResults state, "200": ...}``. They are pickles
  of plain values, read with a restricted unpickler
  (:mod:`nasnb._safe_pickle`) -- never ``pickle.load``; a ``.pbz2`` file may decompress to
  at most ``min(MAX_NATS_BYTES, 32 x its size)`` (at least 32 MiB);
* nasnb's JSON (optionally gzip-compressed) written by :func:`write_nb201_json`:
  ``{"format": "nasnb-nb201", "version": 1, "archs": {arch_str: {hp: {dataset: [run, ...]}}}}``
  with each run ``{"seed", "epochs", "params", "flops", "latency", "train_accuracy",
  "valid_accuracy" (or null), "test_accuracy", "train_time"}`` -- accuracies in percent as
  in the official files, ``train_time`` the summed per-epoch training seconds;
* the official ``NAS-Bench-201-v1_*.pth`` through ``torch.load(weights_only=True)`` with
  only numpy scalars allow-listed. If your torch refuses it, convert once with the official
  API into the JSON above (see :class:`~nasnb.benchmarks.nb201.NASBench201`).

Examples
--------
>>> run = arch_results_to_runs({"all_results": {("cifar10-valid", 777): {
...     "epochs": 2, "params": 0.1, "flop": 10.0, "latency": [0.01], "seed": 777,
...     "train_acc1es": {0: 40.0, 1: 50.0}, "train_times": {0: 3.0, 1: 3.0},
...     "eval_acc1es": {"x-valid@1": 45.0, "ori-test@1": 44.0}}}}, "demo")
>>> run["cifar10-valid"][0]["valid_accuracy"], run["cifar10-valid"][0]["train_time"]
(45.0, 6.0)
"""

from __future__ import annotations

import gzip
import json
import os
from typing import Any

from nasnb.exceptions import BenchmarkError

__all__ = [
    "NB201_OPS",
    "NB201_DATASETS",
    "parse_arch_string",
    "arch_string",
    "arch_results_to_runs",
    "read_nats_meta",
    "read_nats_arch",
    "read_nb201_json",
    "write_nb201_json",
    "read_nb201_pth",
    "MAX_NATS_BYTES",
    "MAX_NB201_JSON_BYTES",
]

#: Edge ops in the official order.
NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: Data sets recorded by NAS-Bench-201 / NATS-Bench.
NB201_DATASETS = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")
#: (target node, source node) of the six edges, in arch-string order.
EDGES = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
_FORMAT = "nasnb-nb201"


def parse_arch_string(text: str) -> tuple[str, ...]:
    """``'|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'`` → the six ops in :data:`EDGES` order.

    Examples
    --------
    >>> parse_arch_string('|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|')
    ('nor_conv_3x3', 'none', 'skip_connect', 'avg_pool_3x3', 'nor_conv_1x1', 'none')
    """
    if not isinstance(text, str):
        raise BenchmarkError(f"An arch string must be a str; got {text!r}.")
    nodes = text.split("+")
    if len(nodes) != 3:
        raise BenchmarkError(f"Arch string {text!r} must have 3 node groups separated by '+'.")
    ops = []
    for target, group in enumerate(nodes, start=1):
        if not (group.startswith("|") and group.endswith("|")):
            raise BenchmarkError(f"Arch string {text!r}: node group {group!r} must be written '|op~k|...|'.")
        items = group[1:-1].split("|")
        if len(items) != target:
            raise BenchmarkError(f"Arch string {text!r}: node {target} must have {target} inputs, got {len(items)}.")
        for source, item in enumerate(items):
            op, sep, src = item.partition("~")
            if not sep or src != str(source):
                raise BenchmarkError(f"Arch string {text!r}: expected '<op>~{source}', got {item!r}.")
            if op not in NB201_OPS:
                raise BenchmarkError(f"Unknown op {op!r} in arch string {text!r}; the ops are {', '.join(NB201_OPS)}.")
            ops.append(op)
    return tuple(ops)


def arch_string(ops: Any) -> str:
    """Inverse of :func:`parse_arch_string`.

    Examples
    --------
    >>> arch_string(("nor_conv_3x3",) * 6)
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'
    """
    ops = tuple(ops)
    if len(ops) != 6:
        raise BenchmarkError(f"A NAS-Bench-201 cell has 6 edge ops; got {len(ops)}.")
    for op in ops:
        if op not in NB201_OPS:
            raise BenchmarkError(f"Unknown op {op!r}; the ops of NAS-Bench-201 are {', '.join(NB201_OPS)}.")
    return "+".join(
        "|" + "|".join(f"{ops[k]}~{s}" for k, (t, s) in enumerate(EDGES) if t == node) + "|" for node in (1, 2, 3)
    )


def _series_key(dataset: str, kind: str) -> str | None:
    if kind == "valid":
        return None if dataset == "cifar10" else "x-valid"
    return "ori-test" if dataset in ("cifar10-valid", "cifar10") else "x-test"


def arch_results_to_runs(state: Any, where: str) -> dict[str, list[dict]]:
    """An official ``ArchResults`` state dict → ``{dataset: [run, ...]}`` (runs by seed)."""
    try:
        results = state["all_results"]
        out: dict[str, list[dict]] = {}
        for (dataset, seed), res in sorted(results.items(), key=lambda kv: (str(kv[0][0]), int(kv[0][1]))):
            last = int(res["epochs"]) - 1
            evals = res["eval_acc1es"]
            vkey, tkey = _series_key(dataset, "valid"), _series_key(dataset, "test")
            latency = res.get("latency")
            if isinstance(latency, (list, tuple)):
                latency = sum(latency) / len(latency) if latency else None
            out.setdefault(str(dataset), []).append(
                {
                    "seed": int(seed),
                    "epochs": last + 1,
                    "params": float(res["params"]),
                    "flops": float(res["flop"]),
                    "latency": None if latency is None else float(latency),
                    "train_accuracy": float(res["train_acc1es"][last]),
                    "valid_accuracy": None if vkey is None else float(evals[f"{vkey}@{last}"]),
                    "test_accuracy": float(evals[f"{tkey}@{last}"]),
                    "train_time": float(sum(float(res["train_times"][e]) for e in range(last + 1))),
                }
            )
            _check_run(out[str(dataset)][-1], f"{where}: {dataset} seed {seed}")
        return out
    except BenchmarkError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, ZeroDivisionError) as exc:
        raise BenchmarkError(f"{where}: malformed ArchResults record ({type(exc).__name__}: {exc}).") from exc


#: Largest decompressed NATS-Bench pickle (bytes); the real files are far smaller.
MAX_NATS_BYTES = 256 * 2**20
#: Largest nasnb NB-201 JSON file (bytes, decompressed).
MAX_NB201_JSON_BYTES = 2 * 2**30


def _read_pbz2(path: str) -> Any:
    from nasnb._safe_pickle import safe_load
    from nasnb._safeio import decompress, read_file

    compressed = read_file(path, what="NATS-Bench file", error=BenchmarkError, max_bytes=MAX_NATS_BYTES)
    data = decompress(compressed, "bz2", name=path, error=BenchmarkError, limit=MAX_NATS_BYTES)
    return safe_load(data, name=path, error=BenchmarkError, source_bytes=len(compressed))


def read_nats_meta(directory: str) -> list[str]:
    """The ``meta_archs`` list of a NATS ``*-simple`` directory."""
    path = os.path.join(directory, "meta.pickle.pbz2")
    meta = _read_pbz2(path)
    if not isinstance(meta, dict) or not isinstance(meta.get("meta_archs"), list):
        raise BenchmarkError(f"{path}: expected a dict with a 'meta_archs' list.")
    for i, s in enumerate(meta["meta_archs"]):
        if not isinstance(s, str):
            raise BenchmarkError(f"{path}: meta_archs[{i}] is not an arch string.")
        try:
            parse_arch_string(s)
        except BenchmarkError as exc:
            raise BenchmarkError(f"{path}: meta_archs[{i}]: {exc}") from None
    return meta["meta_archs"]


def read_nats_arch(directory: str, index: int) -> dict[str, dict[str, list[dict]]]:
    """``{hp: {dataset: [run, ...]}}`` of architecture ``index`` of a NATS directory."""
    path = os.path.join(directory, f"{index:06d}.pickle.pbz2")
    data = _read_pbz2(path)
    if not isinstance(data, dict) or not data:
        raise BenchmarkError(f"{path}: expected a dict of hyper-parameter set -> ArchResults.")
    return {str(hp): arch_results_to_runs(state, f"{path} [{hp}]") for hp, state in data.items()}


_RUN_REQUIRED = ("seed", "epochs", "train_accuracy", "test_accuracy", "train_time")
_RUN_OPTIONAL = ("valid_accuracy", "params", "flops", "latency")


def _number(value: Any, *, integer: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if integer:
        return isinstance(value, int) or float(value).is_integer()
    return value == value and value not in (float("inf"), float("-inf"))


def _check_run(run: Any, where: str) -> None:
    if not isinstance(run, dict):
        raise BenchmarkError(
            f"{where}: a run must be an object with the fields {', '.join(_RUN_REQUIRED)}; got {type(run).__name__}."
        )
    missing = [f for f in _RUN_REQUIRED if f not in run]
    if missing:
        raise BenchmarkError(
            f"{where}: the run lacks the field(s) {', '.join(missing)} (each run needs {', '.join(_RUN_REQUIRED)})."
        )
    for field in _RUN_REQUIRED + _RUN_OPTIONAL:
        value = run.get(field)
        if value is None and field in _RUN_OPTIONAL:
            continue
        integer = field in ("seed", "epochs")
        if not _number(value, integer=integer):
            kind = "an integer" if integer else "a finite number" + (" or null" if field in _RUN_OPTIONAL else "")
            raise BenchmarkError(f"{where}: field {field!r} must be {kind}; got {value!r:.60}.")
    if run["epochs"] < 1:
        raise BenchmarkError(f"{where}: field 'epochs' must be at least 1; got {run['epochs']!r}.")


def read_nb201_json(path: str) -> dict[str, dict]:
    """Records of a nasnb NB-201 JSON file (``.json`` or ``.json.gz``), every field checked.

    Hyper-parameter sets must be ``"12"`` or ``"200"``, data sets those of
    :data:`NB201_DATASETS`, and each run must hold numbers where numbers belong, so a bad
    file fails here, naming the architecture, set, data set and run, not at query time.
    A ``.json.gz`` may decompress to at most 32 times its size (at least 32 MiB): decompress
    a larger file you trust first.
    """
    from nasnb._safeio import decompress, load_json, memory_budget, read_file

    path = os.fspath(path)
    raw = read_file(path, what="NAS-Bench-201 JSON file", error=BenchmarkError, max_bytes=MAX_NB201_JSON_BYTES)
    budget = memory_budget(len(raw))
    if path.endswith(".gz"):
        raw = decompress(raw, "gzip", name=path, error=BenchmarkError, limit=MAX_NB201_JSON_BYTES)
    doc = load_json(raw, name=path, error=BenchmarkError, budget=budget)
    if (
        not isinstance(doc, dict)
        or doc.get("format") != _FORMAT
        or doc.get("version") != 1
        or isinstance(doc.get("version"), bool)
        or not isinstance(doc.get("archs"), dict)
    ):
        raise BenchmarkError(
            f"{path}: not a nasnb NAS-Bench-201 file (expected an object with format {_FORMAT!r}, "
            "version 1 and an 'archs' object)."
        )
    for arch, hps in doc["archs"].items():
        try:
            parse_arch_string(arch)
        except BenchmarkError as exc:
            raise BenchmarkError(f"{path}: {exc}") from None
        if not isinstance(hps, dict):
            raise BenchmarkError(
                f"{path}: architecture {arch!r} must map hp -> dataset -> runs; got {type(hps).__name__}."
            )
        for hp, datasets in hps.items():
            if hp not in ("12", "200"):
                raise BenchmarkError(f"{path}: architecture {arch!r}: hyper-parameter set {hp!r} is not '12' or '200'.")
            if not isinstance(datasets, dict):
                raise BenchmarkError(
                    f"{path}: architecture {arch!r}, hp {hp!r} must map dataset -> runs; got {type(datasets).__name__}."
                )
            for dataset, runs in datasets.items():
                if dataset not in NB201_DATASETS:
                    raise BenchmarkError(
                        f"{path}: architecture {arch!r}, hp {hp!r}: unknown data set {dataset!r} "
                        f"(known: {', '.join(NB201_DATASETS)})."
                    )
                if not isinstance(runs, list):
                    raise BenchmarkError(
                        f"{path}: architecture {arch!r}, hp {hp!r}, dataset {dataset!r}: expected "
                        f"a list of runs; got {type(runs).__name__}."
                    )
                for r, run in enumerate(runs):
                    _check_run(run, f"{path}: architecture {arch!r}, hp {hp!r}, dataset {dataset!r}, run {r}")
    return doc["archs"]


def write_nb201_json(path: str, archs: dict[str, dict]) -> None:
    """Write ``{arch_str: {hp: {dataset: [run, ...]}}}`` in nasnb's NB-201 JSON format."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as fh:
        json.dump({"format": _FORMAT, "version": 1, "archs": archs}, fh)


def read_nb201_pth(path: str) -> dict[str, dict]:
    """Records of the official ``NAS-Bench-201-v1_*.pth`` via ``torch.load(weights_only=True)``.

    Only numpy scalars are allow-listed besides torch's own safe types; the 12- and
    200-epoch sets (``'less'`` / ``'full'``) become hp ``'12'`` / ``'200'``.
    """
    from nasnb._optional import require

    torch = require("torch", extra="torch", purpose="read the NAS-Bench-201 .pth file")
    import numpy as np

    allowed = [np.dtype, type(np.dtype("f8")), type(np.dtype("i8"))]
    for mod in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            allowed.append(__import__(mod, fromlist=["scalar"]).scalar)
            break
        except (ImportError, AttributeError):
            continue
    try:
        with torch.serialization.safe_globals(allowed):
            data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError / RuntimeError / OSError variants
        raise BenchmarkError(
            f"{path}: cannot be read safely with torch.load(weights_only=True) ({type(exc).__name__}: {exc}). "
            "Convert it once with the official API into nasnb's JSON (see NASBench201's docstring)."
        ) from exc
    try:
        meta, infos = data["meta_archs"], data["arch2infos"]
        out = {}
        for index, entry in infos.items():
            hps = {}
            for name, hp in (("less", "12"), ("full", "200")):
                if name in entry:
                    hps[hp] = arch_results_to_runs(entry[name], f"{path} arch {index} [{name}]")
            out[meta[int(index)]] = hps
        return out
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise BenchmarkError(f"{path}: expected 'meta_archs' and 'arch2infos' ({type(exc).__name__}: {exc}).") from exc
