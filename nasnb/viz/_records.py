"""Turn the records viz reads (descriptors, JSON, DataFrames, histories) into plain forms.

viz works from *records* so that it runs on a laptop against a store produced on a cluster.
The record format every widget and chart understands is a :class:`pandas.DataFrame` with
(any subset of) these columns, the columns of ``Study.to_dataframe()``:

``seq``             ask index (falls back to ``index`` / ``id`` / the row position)
``fitness``         the number the search maximises (NaN in the frame for a row that did not finish)
``status``          done / failed / invalid / diverged (only ``done`` rows count as results: the
                    placeholder fitness of the others is replaced by NaN, so it is never ranked)
``descriptor_json`` the evaluated architecture (``NeuralDescriptor.to_json()``)
``genome_json``     optional genome / candidate document (``candidate_json`` also accepted)
``metrics``         optional JSON object (or dict) of named metrics
``cycle``           optional cycle number of a (distributed) evolution
``label``           optional search name (e.g. ``"evolution"`` / ``"random"``)

Objects with a ``to_dataframe()`` method (a ``Study``, a ``SearchHistory``), a list of
dicts or a list of :class:`~nasnb.results.EvaluationResult` are converted to that frame.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import ParameterError
from nasnb.results import competes

__all__ = [
    "as_descriptor",
    "as_frame",
    "genome_document",
    "natural_key",
    "gene_frame",
    "SEQ_COLUMNS",
    "CANDIDATE_COLUMNS",
]

SEQ_COLUMNS = ("seq", "index", "id")
_GENOME_COLUMNS = ("genome_json", "candidate_json", "genome")
#: Columns that may hold an evaluation's candidate (genome, op list, hyper-parameter dict).
CANDIDATE_COLUMNS = ("candidate_json", "genome_json", "genome", "candidate")


def natural_key(text: Any) -> tuple:
    """Sort key that orders ``"n2"`` before ``"n10"`` and numbers numerically.

    Examples
    --------
    >>> sorted(["n10", "n2", "-2", "99", "3"], key=natural_key)
    ['-2', '3', '99', 'n2', 'n10']
    """
    s = str(text)
    if re.fullmatch(r"-?\d+", s):
        return (0, int(s), "")
    parts = re.split(r"(\d+)", s)
    return (1, 0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p))


def as_descriptor(obj: Any, *, func: str = "as_descriptor") -> NeuralDescriptor:
    """Return a :class:`NeuralDescriptor` from a descriptor, its dict, its JSON or a genome.

    Anything with a ``to_descriptor()`` method is converted through it; a genome (object or
    JSON document) becomes its whole graph, inactive nodes included
    (:func:`nasnb.viz.genome.genome_descriptor`).

    Examples
    --------
    >>> d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    >>> as_descriptor(d.to_json()) == d
    True
    """
    from nasnb.viz.genome import genome_descriptor, is_genome

    if isinstance(obj, NeuralDescriptor):
        return obj
    if hasattr(obj, "to_descriptor") and callable(obj.to_descriptor):
        return obj.to_descriptor()
    if isinstance(obj, str):
        if not obj.lstrip().startswith("{"):
            raise ParameterError(
                f"The 'descriptor' parameter of {func} must be a NeuralDescriptor, its dict or its JSON "
                f"text. Got a string that is not a JSON object ({obj[:40]!r}) instead."
            )
        obj = json.loads(obj)
    if is_genome(obj):
        return genome_descriptor(obj)
    if isinstance(obj, Mapping):
        return NeuralDescriptor.from_dict(obj)
    raise ParameterError(
        f"The 'descriptor' parameter of {func} must be a NeuralDescriptor, its dict or its JSON text. "
        f"Got {type(obj).__name__} instead."
    )


def _row_from_result(i: int, r: Any) -> dict[str, Any]:
    d = r.to_dict() if hasattr(r, "to_dict") else dict(r)
    d.setdefault("seq", i)
    return d


def as_frame(records: Any, *, func: str = "as_frame") -> pd.DataFrame:
    """A DataFrame of evaluation records with a ``seq`` column, sorted by ``seq``.

    Examples
    --------
    >>> as_frame([{"fitness": 0.5}, {"fitness": 0.7}])[["seq", "fitness"]].values.tolist()
    [[0.0, 0.5], [1.0, 0.7]]
    >>> as_frame([{"fitness": -0.5, "status": "done"}, {"fitness": 0.0, "status": "failed"}])["fitness"].tolist()
    [-0.5, nan]
    """
    if hasattr(records, "to_dataframe") and callable(records.to_dataframe):
        frame = records.to_dataframe()
    elif isinstance(records, pd.DataFrame):
        frame = records
    elif isinstance(records, Iterable) and not isinstance(records, (str, bytes, Mapping)):
        frame = pd.DataFrame([_row_from_result(i, r) for i, r in enumerate(records)])
    else:
        raise ParameterError(
            f"The 'records' parameter of {func} must be a DataFrame, an object with to_dataframe() "
            f"(Study, SearchHistory) or a list of records. Got {type(records).__name__} instead."
        )
    frame = frame.copy()
    if "seq" not in frame.columns:
        for col in SEQ_COLUMNS[1:]:
            if col in frame.columns and pd.api.types.is_numeric_dtype(frame[col]):
                frame["seq"] = frame[col]
                break
        else:
            frame["seq"] = np.arange(len(frame))
    if "status" not in frame.columns:
        frame["status"] = "done"
    if "fitness" in frame.columns:
        fitness = pd.to_numeric(frame["fitness"], errors="coerce")
        finished = frame["status"].map(competes).astype(bool)
        frame["fitness"] = fitness.where(finished)  # a failed row's placeholder is never ranked
    return frame.sort_values("seq", kind="stable").reset_index(drop=True)


def genome_document(obj: Any) -> dict[str, Any] | None:
    """A genome as a plain dict (``to_dict()``, ``to_json()``, JSON text or dict), else ``None``.

    Examples
    --------
    >>> genome_document('{"connections": [{"innovation": 1, "src": -2, "dst": 99}]}')["connections"][0]["dst"]
    99
    """
    if obj is None or (isinstance(obj, float) and math.isnan(obj)):
        return None
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return dict(obj.to_dict())
    if hasattr(obj, "to_json") and callable(obj.to_json):
        return json.loads(obj.to_json())
    if isinstance(obj, str):
        value = json.loads(obj)
        return value if isinstance(value, dict) else {"candidate": value}
    if isinstance(obj, (list, tuple)):
        return {"candidate": list(obj)}
    return None


def genome_of_row(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """The genome document stored in a record row, if any column holds one."""
    for col in _GENOME_COLUMNS:
        if col in row and row[col] is not None:
            doc = genome_document(row[col])
            if doc is not None:
                return doc
    return None


def metrics_of_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """The metrics of a record row as a dict (parsed from JSON text if needed)."""
    value = row.get("metrics")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {"metrics": value}
    return dict(value) if isinstance(value, Mapping) else {}


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, bool, int, float, np.integer, np.floating)) or value is None


def candidate_genes(doc: Mapping[str, Any] | None) -> dict[str, Any]:
    """Named genes of one candidate document (see :func:`gene_frame`).

    Examples
    --------
    >>> candidate_genes({"candidate": ["conv3x3", "skip"]})
    {'gene 0': 'conv3x3', 'gene 1': 'skip'}
    """
    if not doc:
        return {}
    if doc.get("format") == "nasnb.genome":
        from nasnb.viz.genome import genome_descriptor

        active = genome_descriptor(doc).active_layers()
        genes: dict[str, Any] = {}
        for name, value in ((h[1], h[2]) for h in doc.get("hyperparameters", [])):
            genes[str(name)] = value if _scalar(value) else json.dumps(value)
        layers = [g for g in doc.get("layers", []) if f"node_{int(g['innovation'])}" in active]
        genes["active layers"] = len(layers)
        genes["enabled connections"] = sum(1 for c in doc.get("connections", []) if c[3])
        for g in layers:
            key = f"# {g['type']}"
            genes[key] = genes.get(key, 0) + 1
        return genes
    if set(doc) == {"candidate"}:
        value = doc["candidate"]
        if isinstance(value, (list, tuple)):
            return _flatten(value, "gene")
        return {"candidate": value if _scalar(value) else json.dumps(value)}
    return _flatten({k: v for k, v in doc.items() if k not in ("format", "schema_version")}, "")


def _flatten(value: Any, prefix: str, depth: int = 0) -> dict[str, Any]:
    """Scalars of nested lists / dicts as ``"<prefix> <key or index> ..."`` entries (two levels deep)."""
    if _scalar(value):
        return {prefix or "value": value}
    if depth >= 2 or not isinstance(value, (list, tuple, Mapping)):
        return {prefix or "value": json.dumps(value, sort_keys=True, default=str)}
    items = value.items() if isinstance(value, Mapping) else enumerate(value)
    out: dict[str, Any] = {}
    for k, v in items:
        out.update(_flatten(v, f"{prefix} {k}".strip(), depth + 1))
    return out


def _flat_settings(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, Any] = {}
    for k, v in value.items():
        if isinstance(v, Mapping):
            out.update(_flat_settings(v, f"{prefix}{k}."))
        elif _scalar(v):
            out[f"{prefix}{k}"] = v
    return out


def gene_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Genes and hyper-parameters of each record row as columns (same index as ``frame``).

    Read from the first candidate column present (``candidate_json``, ``genome_json``, ...): a
    genome gives its hyper-parameter genes, ``active layers``, ``enabled connections`` and
    ``# <type>`` counts; a list candidate ``gene 0``, ``gene 1``, ...; a dict candidate its
    keys. Scalar evaluator settings (``settings`` / ``settings_json``, flattened with dots) are
    added as ``setting <key>``. Missing counts are 0.

    Examples
    --------
    >>> f = pd.DataFrame({"candidate_json": ['{"lr": 0.1}', '{"lr": 0.2}']})
    >>> gene_frame(f)["lr"].tolist()
    [0.1, 0.2]
    """
    rows: list[dict[str, Any]] = [{} for _ in range(len(frame))]
    col = next((c for c in CANDIDATE_COLUMNS if c in frame.columns), None)
    if col is not None:
        for i, value in enumerate(frame[col].tolist()):
            try:
                rows[i].update(candidate_genes(genome_document(value)))
            except (ValueError, TypeError, KeyError):
                continue
    scol = next((c for c in ("settings", "settings_json") if c in frame.columns), None)
    if scol is not None:
        for i, value in enumerate(frame[scol].tolist()):
            rows[i].update({f"setting {k}": v for k, v in _flat_settings(value).items()})
    out = pd.DataFrame(rows, index=frame.index)
    for c in out.columns:
        if str(c).startswith("# "):
            out[c] = out[c].fillna(0).astype(int)
    return out
