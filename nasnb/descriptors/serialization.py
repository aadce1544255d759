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
from pathlib import Path
from typing import Any, Mapping

from nasnb.exceptions import DescriptorError, SerializationError

__all__ = ["SCHEMA_VERSION", "descriptor_to_dict", "descriptor_from_dict", "descriptor_to_json",
           "descriptor_from_json"]

SCHEMA_VERSION = 1
FORMAT = "nasnb.descriptor"
MAX_DOCUMENT_BYTES = 50_000_000
MAX_LAYERS = 100_000
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


def descriptor_from_dict(data: Mapping[str, Any], *, where: str = ""):
    """Build a descriptor from :func:`descriptor_to_dict` output, checking every field."""
    from nasnb.descriptors.descriptor import NeuralDescriptor

    if not isinstance(data, Mapping):
        raise _fail(where, f"the top level must be an object, got {type(data).__name__}.")
    unknown = set(data) - _KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}.")
    if data.get("format") != FORMAT:
        raise _fail(where, f"'format' must be {FORMAT!r}, got {data.get('format')!r}.")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise _fail(where, f"unsupported schema_version {version!r} (this nasnb reads {SCHEMA_VERSION}).")
    layers, connections = data.get("layers"), data.get("connections", [])
    if not isinstance(layers, list):
        raise _fail(where, "'layers' must be a list.")
    if len(layers) > MAX_LAYERS:
        raise _fail(where, f"{len(layers)} layers exceed the limit of {MAX_LAYERS}.")
    if not isinstance(connections, list):
        raise _fail(where, "'connections' must be a list.")
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise _fail(where, "'name' must be a string or null.")
    out = NeuralDescriptor(name)
    try:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Mapping) or set(layer) - {"name", "type", "params"}:
                raise _fail(where, f"layer #{i} must be an object with keys name, type, params.")
            lname, ltype = layer.get("name"), layer.get("type")
            if not isinstance(lname, str) or not isinstance(ltype, str):
                raise _fail(where, f"layer #{i} needs string 'name' and 'type', got {lname!r}, {ltype!r}.")
            out.add_layer(ltype, layer.get("params") or {}, name=lname)
        for i, edge in enumerate(connections):
            if not (isinstance(edge, list) and len(edge) == 2 and all(isinstance(e, str) for e in edge)):
                raise _fail(where, f"connection #{i} must be a [source, destination] pair of names, got {edge!r}.")
            out.connect_layers(edge[0], edge[1])
        for role in ("input", "output"):
            value = data.get(role)
            if value is not None:
                if not isinstance(value, str):
                    raise _fail(where, f"'{role}' must be a layer name or null.")
                getattr(out, f"set_{role}")(value)
    except DescriptorError as exc:
        if isinstance(exc, SerializationError):
            raise
        raise _fail(where, str(exc)) from exc
    return out


def descriptor_to_json(descriptor, path: Any = None, *, indent: int | None = None) -> str:
    """Stable JSON text (sorted keys); written to ``path`` too when given."""
    text = json.dumps(descriptor_to_dict(descriptor), sort_keys=True, indent=indent)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def descriptor_from_json(source: Any):
    """Read a descriptor from JSON text or from a file path.

    Raises
    ------
    SerializationError
        Naming the file and, for syntax errors, the line and column.
    """
    where = ""
    if isinstance(source, str):
        source = source.lstrip("\ufeff")
    if isinstance(source, os.PathLike) or (isinstance(source, str) and source.lstrip()[:1] not in ("{", "[", '"')):
        path = Path(source)
        where = f" in file {str(path)!r}"
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise _fail(where, f"the file is larger than {MAX_DOCUMENT_BYTES} bytes.")
            text = path.read_text(encoding="utf-8").lstrip("\ufeff")
        except OSError as exc:
            raise SerializationError(f"Cannot read descriptor file {str(path)!r}: {exc.strerror or exc}.") from exc
        except UnicodeDecodeError as exc:
            raise _fail(where, f"not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    elif isinstance(source, (bytes, str)):
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        if len(text) > MAX_DOCUMENT_BYTES:
            raise _fail(where, f"the document is larger than {MAX_DOCUMENT_BYTES} bytes.")
    else:
        raise SerializationError(f"from_json takes JSON text or a file path, got {type(source).__name__}.")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _fail(where, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from exc
    except RecursionError as exc:
        raise _fail(where, "nesting is too deep.") from exc
    except SerializationError as exc:  # a NaN/Infinity constant
        raise _fail(where, str(exc).split(": ", 1)[-1]) from exc
    return descriptor_from_dict(data, where=where)


def _reject_constant(name: str):
    raise SerializationError(f"Malformed descriptor document: non-standard JSON constant {name!r}.")
