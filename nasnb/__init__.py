"""nasnb: notebook-first neural architecture search.

Public names are imported lazily: ``import nasnb`` stays cheap, and heavy parts
(torch, plotly, ipyparallel) load only when first used.

Examples
--------
>>> import nasnb
>>> d = nasnb.NeuralDescriptor()
>>> _ = d.add_layer_sequential("nn.Flatten")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "NeuralDescriptor": "nasnb.descriptors",
    "LayerSpec": "nasnb.descriptors",
    "canonical_hash": "nasnb.descriptors",
    "EvaluationResult": "nasnb.results",
}
_EXPORTS.update({name: "nasnb.exceptions" for name in importlib.import_module("nasnb.exceptions").__all__})

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nasnb' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
