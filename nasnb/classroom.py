"""Exercise checkers for the classroom notebooks (``notebooks/classroom/``).

Each exercise has an id such as ``"01.sequential"``; :func:`check` takes the id and the
student's answer and returns a :class:`CheckResult` (``.passed``, ``.message``) that shows
itself as a coloured verdict in Jupyter. Nothing is printed: the notebook displays the result.

Checkers recompute what they compare against (from the embedded data), so an answer is judged
on what it is, not against a stored number.

Examples
--------
>>> from nasnb.classroom import check
>>> check("03.kendall", 0.8).passed
True
>>> check("03.kendall", 0.5).passed
False
>>> sorted(exercises())[:2]
['01.choices', '01.sequential']
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any, Callable

from nasnb.exceptions import ParameterError

__all__ = ["CheckResult", "check", "exercises", "hint", "EXERCISES"]


@dataclass(frozen=True)
class CheckResult:
    """Verdict of one exercise check.

    Attributes
    ----------
    exercise : str
        The exercise id.
    passed : bool
        Whether the answer is right.
    message : str
        A friendly explanation (what was expected when the answer is wrong).
    """

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "correct" if self.passed else "not yet"
        return f"[{self.exercise}] {mark}: {self.message}"

    def _repr_html_(self) -> str:
        colour, mark = ("#1b7f3b", "&#10004; Correct") if self.passed else ("#b3261e", "&#10008; Not yet")
        return (f'<div style="border-left:4px solid {colour};padding:4px 8px">'
                f'<b style="color:{colour}">{mark}</b> <code>{html.escape(self.exercise)}</code>: '
                f"{html.escape(self.message)}</div>")


# ----------------------------------------------------------------------------- helpers

def _ok(exercise: str, message: str) -> CheckResult:
    return CheckResult(exercise, True, message)


def _no(exercise: str, message: str) -> CheckResult:
    return CheckResult(exercise, False, message)


def _as_float(answer: Any) -> float | None:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _number(exercise: str, answer: Any, expected: float, *, tol: float, what: str) -> CheckResult:
    value = _as_float(answer)
    if value is None:
        return _no(exercise, f"The answer should be a number ({what}); got {answer!r}.")
    if abs(value - expected) <= tol:
        return _ok(exercise, f"{what} is {expected:.4g}.")
    return _no(exercise, f"{value:.4g} is not {what}. Check your computation and try again.")


def _choice(exercise: str, answer: Any, expected: str, options: tuple[str, ...], why: str) -> CheckResult:
    text = str(answer).strip().lower()
    if text not in options:
        return _no(exercise, f"Answer with one of {list(options)}; got {answer!r}.")
    if text == expected:
        return _ok(exercise, why)
    return _no(exercise, f"{answer!r} is not it. Hint: {_HINTS[exercise]}")


def _descriptor(exercise: str, answer: Any):
    from nasnb.descriptors import NeuralDescriptor

    if not isinstance(answer, NeuralDescriptor):
        return None, _no(exercise, f"The answer should be a NeuralDescriptor; got {type(answer).__name__}.")
    try:
        answer.validate()
    except (ValueError, TypeError, KeyError) as exc:
        return None, _no(exercise, f"The descriptor does not validate: {exc}")
    return answer, None


# ----------------------------------------------------------------------------- lesson 1

_SEQUENTIAL_TYPES = ("nn.Conv2d", "nn.ReLU", "nn.MaxPool2d")


def _check_sequential(answer: Any) -> CheckResult:
    ex = "01.sequential"
    d, err = _descriptor(ex, answer)
    if err is not None:
        return err
    order = d.topological_order()
    types = tuple(d.layers[name].type for name in order)
    if types != _SEQUENTIAL_TYPES:
        return _no(ex, f"Expected the layer types {list(_SEQUENTIAL_TYPES)} in order; got {list(types)}.")
    if len(d.connections) != 2:
        return _no(ex, f"A chain of 3 layers has 2 connections; yours has {len(d.connections)}.")
    return _ok(ex, "A Conv2d -> ReLU -> MaxPool2d chain: 3 layers, 2 connections.")


def _check_skip(answer: Any) -> CheckResult:
    ex = "01.skip"
    d, err = _descriptor(ex, answer)
    if err is not None:
        return err
    merging = [name for name in d.layers if len(d.incoming(name)) >= 2]
    if not merging:
        return _no(ex, "No layer has two inputs: add a connection that skips over a layer.")
    from nasnb.builders import build_network
    from nasnb.exceptions import NasnbError

    try:
        net = build_network(d, (1, 8, 8), 10)
    except (NasnbError, ValueError, RuntimeError) as exc:
        return _no(ex, f"It has a skip connection but does not build for 1x8x8 digits: {exc}")
    return _ok(ex, f"Layer {merging[0]!r} merges {len(d.incoming(merging[0]))} inputs; "
                   f"the built network has {net.num_parameters()} parameters.")


def _check_choices(answer: Any) -> CheckResult:
    from nasnb.genomes import LAYER_CHOICES

    return _number("01.choices", answer, len(LAYER_CHOICES), tol=0,
                   what="the number of layer choices in the chapter-6 global space")


# ----------------------------------------------------------------------------- lesson 2

def _check_random_sample_size(answer: Any) -> CheckResult:
    return _number("02.random_is_s1", answer, 1, tol=0,
                   what="the tournament size S that turns regularized evolution into random search")


def _check_removed(answer: Any) -> CheckResult:
    return _choice("02.removed", answer, "oldest", ("oldest", "worst", "best", "random"),
                   "Regularized (aging) evolution removes the oldest individual, however good it is.")


def _check_global_best(answer: Any) -> CheckResult:
    from nasnb.benchmarks import NASBenchGraph

    records = NASBenchGraph("cora").records()
    return _number("02.global_best", answer, float(records["score"].max()), tol=1e-6,
                   what="the best validation score in the NAS-Bench-Graph Cora table")


# ----------------------------------------------------------------------------- lesson 3

KENDALL_X = (0.61, 0.72, 0.55, 0.80, 0.68)
KENDALL_Y = (0.70, 0.71, 0.52, 0.83, 0.66)
ROUNDING_PROXY = (0.912, 0.914, 0.897, 0.931, 0.903, 0.918)
ROUNDING_TRUE = (0.941, 0.938, 0.925, 0.951, 0.930, 0.944)


def _check_kendall(answer: Any) -> CheckResult:
    from nasnb.analysis import kendall_tau

    return _number("03.kendall", answer, kendall_tau(KENDALL_X, KENDALL_Y), tol=1e-3,
                   what="Kendall tau of KENDALL_X and KENDALL_Y")


def _check_rounded(answer: Any) -> CheckResult:
    from nasnb.analysis import kendall_tau

    return _number("03.rounded", answer, kendall_tau(ROUNDING_PROXY, ROUNDING_TRUE, decimals=2), tol=1e-3,
                   what="Kendall tau-b after rounding both lists to whole percents")


def _check_more_epochs(answer: Any) -> CheckResult:
    return _choice("03.ceiling", answer, "noise", ("noise", "epochs", "optimizer", "dataset"),
                   "Retraining the same network gives a different score: noise sets a ceiling on any proxy.")


EXERCISES: dict[str, Callable[[Any], CheckResult]] = {
    "01.sequential": _check_sequential,
    "01.skip": _check_skip,
    "01.choices": _check_choices,
    "02.random_is_s1": _check_random_sample_size,
    "02.removed": _check_removed,
    "02.global_best": _check_global_best,
    "03.kendall": _check_kendall,
    "03.rounded": _check_rounded,
    "03.ceiling": _check_more_epochs,
}

_HINTS: dict[str, str] = {
    "01.sequential": "use add_layer_sequential three times: nn.Conv2d, nn.ReLU, nn.MaxPool2d.",
    "01.skip": "connect_layers(a, c) where a -> b -> c already exists; keep shapes compatible (MVS merges them).",
    "01.choices": "look at nasnb.genomes.LAYER_CHOICES (or count CONV_k.{H,N} and POOL_k.{A,M} for k in 2, 3, 5).",
    "02.random_is_s1": "the parent is the best of S sampled individuals; with how many is that a random pick?",
    "02.removed": "the 'regularized' in regularized evolution is aging.",
    "02.global_best": "NASBenchGraph('cora').records() has one row per architecture; take the max of 'score'.",
    "03.kendall": "nasnb.analysis.kendall_tau(KENDALL_X, KENDALL_Y).",
    "03.rounded": "kendall_tau(..., decimals=2) rounds accuracies in [0, 1] to whole percents first.",
    "03.ceiling": "what stops a 108-epoch run from ranking like another 108-epoch run of the same networks?",
}


def exercises() -> list[str]:
    """Ids of all exercises.

    Examples
    --------
    >>> "03.kendall" in exercises()
    True
    """
    return list(EXERCISES)


def hint(exercise: str) -> str:
    """A hint for ``exercise``.

    Examples
    --------
    >>> hint("02.removed")
    "the 'regularized' in regularized evolution is aging."
    """
    _known(exercise, "hint")
    return _HINTS[exercise]


def _known(exercise: str, func: str) -> None:
    if exercise not in EXERCISES:
        raise ParameterError(f"The 'exercise' parameter of {func} must be one of {exercises()}. "
                             f"Got {exercise!r} instead.")


def check(exercise: str, answer: Any) -> CheckResult:
    """Check the answer to ``exercise``; returns a :class:`CheckResult` (display it).

    Parameters
    ----------
    exercise : str
        Exercise id, e.g. ``"01.sequential"`` (see :func:`exercises`).
    answer : object
        The student's answer (a number, a word, or a ``NeuralDescriptor``).

    Examples
    --------
    >>> r = check("02.removed", "oldest")
    >>> r.passed, r.message.split(",")[0]
    (True, 'Regularized (aging) evolution removes the oldest individual')
    """
    _known(exercise, "check")
    return EXERCISES[exercise](answer)
