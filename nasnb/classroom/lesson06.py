"""Lesson 6 (zero-cost proxies against reduced training): its exercise checks and constants.

The checks are registered in :data:`nasnb.classroom.checks.EXERCISES` under ``"06.*"``.

Examples
--------
>>> from nasnb.classroom import check
>>> check("06.data_free", "synflow").passed
True
>>> check("06.chain", 54.0).passed
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CHAIN_W1", "CHAIN_W2", "EXERCISES_06", "HINTS_06"]

#: weights of the two linear layers (no bias) of exercise 6.1: 3 inputs → 2 units → 1 output
CHAIN_W1 = ((1.0, -2.0, 0.5), (0.0, 3.0, -1.0))
CHAIN_W2 = ((2.0, -5.0),)


def _synflow_of_chain() -> float:
    import torch

    from nasnb.proxies import synflow

    first, second = torch.nn.Linear(3, 2, bias=False), torch.nn.Linear(2, 1, bias=False)
    net = torch.nn.Sequential(first, torch.nn.ReLU(), second)
    with torch.no_grad():
        first.weight.copy_(torch.tensor(CHAIN_W1))
        second.weight.copy_(torch.tensor(CHAIN_W2))
    return synflow(net, torch.zeros(1, 3))


def _check_chain(answer: Any):
    from nasnb.classroom.checks import _number

    return _number("06.chain", answer, _synflow_of_chain(), tol=1e-6, what="The synflow score of the chain")


def _check_data_free(answer: Any):
    from nasnb.classroom.checks import _choice

    return _choice(
        "06.data_free",
        answer,
        "synflow",
        ("synflow", "snip", "grasp", "naswot", "jacob_cov"),
        "synflow scores an input of ones: it needs the input's shape, not a single image or label",
    )


def _check_baseline(answer: Any):
    from nasnb.classroom.checks import _choice

    return _choice(
        "06.baseline",
        answer,
        "params",
        ("params", "synflow", "accuracy", "epochs"),
        "the number of parameters costs nothing and already ranks NAS-Bench-201 cells with "
        "Spearman rho about 0.7; a zero-cost proxy earns its place only by beating it",
    )


EXERCISES_06: dict[str, Callable[[Any], Any]] = {
    "06.chain": _check_chain,
    "06.data_free": _check_data_free,
    "06.baseline": _check_baseline,
}

HINTS_06: dict[str, str] = {
    "06.chain": "make every weight positive (abs), feed ones: R = sum of |W2| |W1| 1; each layer contributes "
    "sum |theta * dR/dtheta|, which for a layer every path crosses once equals R.",
    "06.data_free": "which proxy never looks at an image or a label, only at the input's shape?",
    "06.baseline": "the cheapest ranking there is: count something in the network.",
}
