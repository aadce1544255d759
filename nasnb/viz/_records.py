"""Turn the records viz reads (descriptors, JSON, DataFrames, histories) into plain forms.

viz works from *records* so that it runs on a laptop against a store produced on a cluster.
The record format every widget and chart understands is a :class:`pandas.DataFrame` with
(any subset of) these columns, the columns of ``Study.to_dataframe()``:

``seq``             ask index (falls back to ``index`` / ``id`` / the row position)
``fitness``         the number the search maximises
``status``          done / failed / invalid / diverged (only ``done`` rows count as results)
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
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import ParameterError

__all__ = ["as_descriptor", "as_frame", "genome_document", "natural_key", "SEQ_COLUMNS"]

SEQ_COLUMNS = ("seq", "index", "id")
_GENOME_COLUMNS = ("genome_json", "candidate_json", "genome")


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
        frame["fitness"] = pd.to_numeric(frame["fitness"], errors="coerce")
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
