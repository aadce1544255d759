"""Argument validation with one message template (after scikit-learn).

Examples
--------
>>> check_positive_int(3, "epochs", "descriptor_evaluate")
3
>>> check_positive_int(-1, "epochs", "descriptor_evaluate")
Traceback (most recent call last):
...
nasnb.exceptions.ParameterError: The 'epochs' parameter of descriptor_evaluate must be a positive int. Got -1 instead.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from nasnb.exceptions import ParameterError

__all__ = [
    "parameter_error",
    "check_positive_int",
    "check_nonnegative_int",
    "check_fraction",
    "check_probability",
    "check_choice",
    "as_generator",
    "as_seed",
]


def parameter_error(name: str, func: str, expected: str, got: Any) -> ParameterError:
    """Build the standard error: ``The 'name' parameter of func must be expected. Got got instead.``"""
    return ParameterError(f"The {name!r} parameter of {func} must be {expected}. Got {got!r} instead.")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive_int(value: Any, name: str, func: str) -> int:
    """Return ``int(value)`` if it is an int > 0, else raise :class:`ParameterError`."""
    if not _is_int(value) or value <= 0:
        raise parameter_error(name, func, "a positive int", value)
    return int(value)


def check_nonnegative_int(value: Any, name: str, func: str) -> int:
    """Return ``int(value)`` if it is an int >= 0, else raise :class:`ParameterError`."""
    if not _is_int(value) or value < 0:
        raise parameter_error(name, func, "a non-negative int", value)
    return int(value)


def check_fraction(value: Any, name: str, func: str) -> float:
    """Return ``float(value)`` if it is a real number in (0, 1], else raise."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not (0.0 < float(value) <= 1.0):
        raise parameter_error(name, func, "a float in the range (0, 1]", value)
    return float(value)


def check_probability(value: Any, name: str, func: str) -> float:
    """Return ``float(value)`` if it is a real number in [0, 1], else raise."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not (0.0 <= float(value) <= 1.0):
        raise parameter_error(name, func, "a float in the range [0, 1]", value)
    return float(value)


def check_choice(value: Any, choices, name: str, func: str):
    """Return ``value`` if it is one of ``choices``, else raise listing the choices."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise parameter_error(name, func, f"one of {listed}", value)
    return value


def as_generator(seed: Any, func: str = "as_generator", name: str = "seed") -> np.random.Generator:
    """Turn ``None``, an int >= 0, a ``SeedSequence`` or a ``Generator`` into a ``Generator``.

    ``func`` and ``name`` name the caller's function and argument in the error message.

    Examples
    --------
    >>> g = as_generator(0); float(g.random()) == float(as_generator(0).random())
    True
    >>> as_generator(-1, "RandomSearch")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nasnb.exceptions.ParameterError: The 'seed' parameter of RandomSearch must be None, an int >= 0, ... Got -1 instead.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, np.random.SeedSequence) or (_is_int(seed) and seed >= 0):
        return np.random.default_rng(seed)
    raise parameter_error(name, func, "None, an int >= 0, a SeedSequence or a numpy Generator", seed)


def as_seed(seed: Any, func: str, name: str = "seed") -> int:
    """An int seed for APIs that record it (stores, torch): ints pass, a Generator is drawn from.

    ``None`` draws a fresh seed.

    Examples
    --------
    >>> as_seed(7, "f"), as_seed(np.random.default_rng(0), "f") == as_seed(np.random.default_rng(0), "f")
    (7, True)
    """
    if _is_int(seed) and seed >= 0:
        return int(seed)
    return int(as_generator(seed, func, name).integers(2**31 - 1))
