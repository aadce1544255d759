"""Lazy public names for packages: import a submodule only when one of its names is used.

Examples
--------
>>> getattr_, dir_ = lazy_exports("demo", {"dumps": "json"}, ["dumps"])
>>> getattr_("dumps").__name__, dir_()
('dumps', ['dumps'])
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for a package whose names live in ``exports``.

    ``exports`` maps a public name to the module defining it (or a subpackage name to the
    subpackage itself); the first access imports that module and caches the value in the
    package's namespace.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        if module == f"{package}.{name}":  # a subpackage: ``nasnb.viz`` works after ``import nasnb``
            value = importlib.import_module(module)
        else:
            value = getattr(importlib.import_module(module), name)
        namespace = sys.modules.get(package)
        if namespace is not None:
            setattr(namespace, name, value)
        return value

    def __dir__() -> list[str]:
        return list(public)

    return __getattr__, __dir__
