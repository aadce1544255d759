"""JSON serialization of descriptors: data only, a schema version, strict reading.

The document::

    {"format": "nasnb.descriptor", "schema_version": 1, "name": null,
     "layers": [{"name": "conv", "type": "nn.Conv2d", "params": {...}}, ...],
     "connections": [["conv", "pool"], ...], "input": null, "output": null}

Reading never evaluates code: layer types are plain strings that builders resolve
through the layer registry.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
>>> NeuralDescriptor.from_json(d.to_json()) == d
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeGuard

from nasnb.exceptions import DescriptorError, SerializationError

__all__ = ["SCHEMA_VERSION", "descriptor_to_dict", "descriptor_from_dict", "descriptor_to_json", "descriptor_from_json"]

SCHEMA_VERSION = 1
FORMAT = "nasnb.descriptor"
MAX_DOCUMENT_BYTES = 50_000_000
MAX_LAYERS = 100_000
MAX_CONNECTIONS = 1_000_000
_LAYER_KEYS = {"name", "type", "params"}
_KEYS = {"format", "schema_version", "name", "layers", "connections", "input", "output"}


def descriptor_to_dict(descriptor) -> dict[str, Any]:
    """Plain dict of a descriptor; layers in insertion order, connections sorted."""
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "name": descriptor.name,
        "layers": [{"name": n, **spec.to_dict()} for n, spec in descriptor.layers.items()],
        "connections": sorted([list(e) for e in descriptor.connections]),
        "input": descriptor._input,
        "output": descriptor._output,
    }


def _fail(where: str, problem: str) -> SerializationError:
    return SerializationError(f"Malformed descriptor document{where}: {problem}")


def _is_text(value: Any) -> TypeGuard[str]:
    """A non-empty str that is valid Unicode (no lone surrogates from ``\\ud800`` escapes)."""
    if not isinstance(value, str) or not value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _layer_entry(i: int, layer: Any, where: str) -> tuple[str, str, dict]:
    if not isinstance(layer, Mapping):
        raise _fail(where, f"layer #{i} must be an object with keys name, type, params; got {_show(layer)}.")
    unknown = set(layer) - _LAYER_KEYS
    if unknown:
        raise _fail(
            where,
            f"layer #{i} has unknown keys {sorted(map(str, unknown))} (allowed: {', '.join(sorted(_LAYER_KEYS))}).",
        )
    lname, ltype = layer.get("name"), layer.get("type")
    if not _is_text(lname):
        raise _fail(where, f"layer #{i} needs a non-empty string 'name', got {_show(lname)}.")
    if not _is_text(ltype):
        raise _fail(where, f"layer #{i} ({lname!r}) needs a non-empty string 'type', got {_show(ltype)}.")
    params = layer.get("params", {})
    if not isinstance(params, Mapping):
        raise _fail(
            where,
            f"layer #{i} ({lname!r}): 'params' must be an object of parameter values, "
            f"got {_show(params)} (write {{}} for a layer without parameters).",
        )
    for key, value in params.items():
        if not _is_text(key):
            raise _fail(where, f"layer #{i} ({lname!r}): parameter name {_show(key)} is not valid text.")
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and item and not _is_text(item):
                raise _fail(
                    where,
                    f"layer #{i} ({lname!r}): parameter {key!r} holds a string that is not valid "
                    "Unicode (a lone surrogate escape).",
                )
    return lname, ltype, dict(params)


def _show(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (bool, type(None), int, float)) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def descriptor_from_dict(data: Mapping[str, Any], *, where: str = ""):
    """Build a descriptor from :func:`descriptor_to_dict` output, checking every field.

    Raises
    ------
    SerializationError
        Naming the key, the layer (index and name) or the connection that is wrong.
    """
    from nasnb.descriptors.descriptor import NeuralDescriptor

    if not isinstance(data, Mapping):
        raise _fail(where, f"the top level must be an object, got {type(data).__name__}.")
    unknown = set(data) - _KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(map(str, unknown))} (allowed: {', '.join(sorted(_KEYS))}).")
    if data.get("format") != FORMAT:
        raise _fail(where, f"'format' must be {FORMAT!r}, got {_show(data.get('format'))}.")
    version = data.get("schema_version")
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        raise _fail(
            where,
            f"unsupported schema_version {_show(version)} (this nasnb reads {SCHEMA_VERSION}); "
            "write it with a matching nasnb version.",
        )
    layers, connections = data.get("layers"), data.get("connections", [])
    if not isinstance(layers, list):
        raise _fail(where, f"'layers' must be a list, got {_show(layers)}.")
    if len(layers) > MAX_LAYERS:
        raise _fail(where, f"{len(layers)} layers exceed the limit of {MAX_LAYERS}.")
    if not isinstance(connections, list):
        raise _fail(where, f"'connections' must be a list, got {_show(connections)}.")
    if len(connections) > MAX_CONNECTIONS:
        raise _fail(where, f"{len(connections)} connections exceed the limit of {MAX_CONNECTIONS}.")
    name = data.get("name")
    if name is not None and not (isinstance(name, str) and (name == "" or _is_text(name))):
        raise _fail(where, f"'name' must be a string or null, got {_show(name)}.")
    for role in ("input", "output"):
        value = data.get(role)
        if value is not None and not _is_text(value):
            raise _fail(where, f"'{role}' must be a layer name or null, got {_show(value)}.")
    out = NeuralDescriptor(name)
    i = -1
    try:
        for i, layer in enumerate(layers):
            lname, ltype, params = _layer_entry(i, layer, where)
            out.add_layer(ltype, params, name=lname)
        seen: set[tuple[str, str]] = set()
        for i, edge in enumerate(connections):
            if not (isinstance(edge, list) and len(edge) == 2 and all(_is_text(e) for e in edge)):
                raise _fail(
                    where, f"connection #{i} must be a [source, destination] pair of layer names, got {_show(edge)}."
                )
            pair = (edge[0], edge[1])
            if pair in seen:
                raise _fail(where, f"connection #{i} {list(pair)} is listed twice.")
            seen.add(pair)
            try:
                out.connect_layers(*pair)
            except DescriptorError as exc:
                raise _fail(where, f"connection #{i}: {exc}") from exc
        for role in ("input", "output"):
            value = data.get(role)
            if value is not None:
                getattr(out, f"set_{role}")(value)
    except DescriptorError as exc:
        if isinstance(exc, SerializationError):
            raise
        raise _fail(
            where, f"layer #{i}: {exc}" if 0 <= i < len(layers) and "connection" not in str(exc) else str(exc)
        ) from exc
    except RecursionError:
        raise _fail(where, f"layer #{i}: parameter values are nested too deeply.") from None
    return out


def descriptor_to_json(descriptor, path: Any = None, *, indent: int | None = None) -> str:
    """Stable JSON text (sorted keys); written to ``path`` too when given."""
    text = json.dumps(descriptor_to_dict(descriptor), sort_keys=True, indent=indent)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def descriptor_from_json(source: Any):
    """Read a descriptor from JSON text (str or bytes) or from a file path.

    Reading is bounded: files and texts above :data:`MAX_DOCUMENT_BYTES`, more than
    :data:`MAX_LAYERS` layers, integers of more than 64 digits, NaN / Infinity, duplicate
    keys, invalid UTF-8 and documents whose parsed form would take more than
    ``max(32 MiB, 32 x their size)`` are refused.

    Raises
    ------
    SerializationError
        Naming the file, and the line and column, key, layer or connection at fault.
    """
    from nasnb._safeio import load_json, read_file

    where = ""
    text: bytes | bytearray | str
    if isinstance(source, str):
        source = source.lstrip("\ufeff")
    if isinstance(source, os.PathLike) or (isinstance(source, str) and source.lstrip()[:1] not in ("{", "[", '"')):
        where = f" in file {os.fspath(source)!r}" if isinstance(source, (str, os.PathLike)) else ""
        text = read_file(source, what="descriptor file", error=SerializationError, max_bytes=MAX_DOCUMENT_BYTES)
    elif isinstance(source, (bytes, bytearray, str)):
        text = source
        if len(text) > MAX_DOCUMENT_BYTES:
            raise _fail(where, f"the document is larger than {MAX_DOCUMENT_BYTES} bytes.")
    else:
        raise SerializationError(f"from_json takes JSON text or a file path, got {type(source).__name__}.")
    data = load_json(text, name=f"Malformed descriptor document{where}", error=SerializationError)
    return descriptor_from_dict(data, where=where)
