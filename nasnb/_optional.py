"""Import optional dependencies when they are used, with an install hint."""

from __future__ import annotations

import importlib
from types import ModuleType

from nasnb.exceptions import OptionalDependencyError

__all__ = ["require"]


def require(module: str, *, extra: str, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise :class:`OptionalDependencyError` with an install hint.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"plotly.graph_objects"``.
    extra : str
        The ``pip install nasnb[extra]`` extra that provides it.
    purpose : str, optional
        What the caller wanted to do, for the message.

    Examples
    --------
    >>> require("json", extra="core").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        what = f" to {purpose}" if purpose else ""
        raise OptionalDependencyError(
            f"The optional dependency {top!r} is needed{what}. "
            f"Install it with: pip install 'nasnb[{extra}]' (or pip install {top})."
        ) from exc
