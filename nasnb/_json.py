"""JSON with a documented nesting limit: :data:`MAX_DEPTH` levels, checked without recursion.

Python's ``json`` recurses once per level, so a 100,000-deep document (``[[[[...]]]]``) or
value raises a raw ``RecursionError`` -- on input (a study configuration, evaluator settings, a
checkpoint) and on reading a crafted store alike. nasnb checks the depth first, by an
iterative walk, and refuses anything deeper than :data:`MAX_DEPTH` with the caller's
:class:`~nasnb.exceptions.NasnbError` naming what was read: ``ParameterError`` for input
(:func:`check_depth`), ``StoreError`` naming the study for a stored document (:func:`loads`).

Examples
--------
>>> loads('{"a": [1, {"b": 2}]}', what="doc", error=ValueError)
{'a': [1, {'b': 2}]}
>>> loads("[" * 1000 + "]" * 1000, what="study 'x' configuration", error=ValueError)
Traceback (most recent call last):
...
ValueError: study 'x' configuration: JSON nested deeper than 100 levels, nasnb's limit for JSON documents.
>>> check_depth({"a": {"b": {}}}, what="config", error=ValueError)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["MAX_DEPTH", "check_depth", "loads", "nesting_exceeds"]

#: Deepest nesting of lists and objects nasnb reads or writes as JSON (configs, settings,
#: checkpoints, stored documents). Real documents use a handful of levels.
MAX_DEPTH = 100

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)
_BTOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def _text_exceeds(text: str | bytes | bytearray, max_depth: int) -> bool:
    if isinstance(text, (bytes, bytearray)):
        if text.count(b"[") + text.count(b"{") <= max_depth:
            return False
        return _scan_exceeds(_BTOKENS.finditer(text), (b"[", b"{"), max_depth)
    if text.count("[") + text.count("{") <= max_depth:  # the common case: nothing to scan
        return False
    return _scan_exceeds(_TOKENS.finditer(text), ("[", "{"), max_depth)


def _scan_exceeds(matches: Iterator[re.Match[Any]], opening: tuple[Any, Any], max_depth: int) -> bool:
    depth = 0
    for match in matches:
        token = match.group()
        if token in opening:
            depth += 1
            if depth > max_depth:
                return True
        elif len(token) == 1:  # a closing bracket (strings are longer than one character)
            depth -= 1
    return False


def _value_exceeds(value: Any, max_depth: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth >= max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list, tuple)))
    return False


def nesting_exceeds(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """True when JSON text, or a value of dicts / lists / tuples, nests deeper than ``max_depth``.

    Examples
    --------
    >>> nesting_exceeds("[[1]]", 1), nesting_exceeds('["[[[["]', 1), nesting_exceeds([[1]], 2)
    (True, False, False)
    """
    if isinstance(value, (str, bytes, bytearray)):
        return _text_exceeds(value, max_depth)
    return _value_exceeds(value, max_depth)


def _message(what: str, max_depth: int) -> str:
    return f"{what}: JSON nested deeper than {max_depth} levels, nasnb's limit for JSON documents."


def check_depth(value: Any, *, what: str, error: type, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``error`` naming ``what`` when ``value`` (JSON text or data) nests deeper than ``max_depth``."""
    if nesting_exceeds(value, max_depth):
        raise error(_message(what, max_depth))


def loads(text: str | bytes, *, what: str, error: type, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` and malformed text with ``error``.

    ``what`` names the document in the message (e.g. ``"study 'x': configuration"``).
    """
    check_depth(text, what=what, error=error, max_depth=max_depth)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{what}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    except (ValueError, RecursionError) as exc:
        raise error(f"{what}: invalid JSON ({type(exc).__name__}: {exc}).") from None
