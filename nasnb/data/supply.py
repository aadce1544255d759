"""How to supply a file-based data set: the one sentence every "data not found" error ends with.

Examples
--------
>>> print(supply_hint("cifar10", "cifar-10-batches-py/ or cifar-10-batches-bin/"))  # doctest: +NORMALIZE_WHITESPACE
Supply it in any of these ways: set the environment variable NASNB_DATA_ROOT to a folder holding
cifar-10-batches-py/ or cifar-10-batches-bin/ (read by nasnb.nord's Configs and the notebooks); pass
root= to default_datasets(root=...) or to the loader; or call registry.configure('cifar10', root=...)
on your DatasetRegistry.
"""

from __future__ import annotations

__all__ = ["supply_hint", "DATA_ROOT_VARIABLE"]

#: The environment variable naming the folder of the original data sets.
DATA_ROOT_VARIABLE = "NASNB_DATA_ROOT"


def supply_hint(name: str, holding: str) -> str:
    """Every way to give data set ``name`` its files (``holding``: what the folder must contain)."""
    return (
        f"Supply it in any of these ways: set the environment variable {DATA_ROOT_VARIABLE} to a folder holding "
        f"{holding} (read by nasnb.nord's Configs and the notebooks); pass root= to "
        f"default_datasets(root=...) or to the loader; or call registry.configure({name!r}, root=...) "
        f"on your DatasetRegistry."
    )
