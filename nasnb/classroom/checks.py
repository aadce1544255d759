"""Exercise checkers of the classroom lessons: the answer key of every exercise.

Each exercise has an id such as ``"01.sequential"`` (lesson number, then a name); :func:`check`
takes the id and the student's answer and returns a :class:`CheckResult` (``.passed``,
``.message``) that shows itself as a coloured verdict in Jupyter. A wrong answer, a missing one
(the ``...`` placeholder of the student edition) or an answer that makes the checker fail all
give a ``Not yet`` verdict with the exercise's hint, never an exception. Nothing is printed: the
notebook displays the result.

Checkers recompute what they compare against (from the embedded data or the constants below),
so an answer is judged on what it is, not against a stored number.

Examples
--------
>>> check("03.kendall", 0.8).passed
True
>>> r = check("03.kendall", 0.5)
>>> r.passed, "Hint:" in r.message
(False, True)
>>> check("03.kendall", ...).message.startswith("No answer yet")
True
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nasnb.exceptions import ParameterError

logger = logging.getLogger(__name__)

__all__ = [
    "CheckResult",
    "Skipped",
    "check",
    "solved",
    "exercises",
    "hint",
    "EXERCISES",
    "KENDALL_X",
    "KENDALL_Y",
    "ROUNDING_PROXY",
    "ROUNDING_TRUE",
    "ALPHA_ROWS",
    "SCHEDULE_DURATIONS",
    "SCHEDULE_WORKERS",
]


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
        A friendly explanation; when the answer is not right yet, what is wrong and a hint of
        what to try.
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
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 8px">'
            f'<b style="color:{colour}">{mark}</b> <code>{html.escape(self.exercise)}</code>: '
            f"{html.escape(self.message)}</div>"
        )


# ----------------------------------------------------------------------------- helpers


def _ok(exercise: str, message: str) -> CheckResult:
    return CheckResult(exercise, True, message)


def _no(exercise: str, message: str) -> CheckResult:
    return CheckResult(exercise, False, message)


def _as_float(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
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
    return _no(exercise, f"{value:.4g} is not {what}.")


def _choice(exercise: str, answer: Any, expected: str, options: tuple[str, ...], why: str) -> CheckResult:
    text = str(answer).strip().strip("()").lower()
    if text not in options:
        return _no(exercise, f"Answer with one of {list(options)}; got {answer!r}.")
    if text == expected:
        return _ok(exercise, why)
    return _no(exercise, f"{answer!r} is not it.")


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
        return _no(ex, "No layer has two inputs.")
    from nasnb.builders import build_network
    from nasnb.exceptions import NasnbError

    try:
        net = build_network(d, (1, 8, 8), 10)
    except (NasnbError, ValueError, RuntimeError) as exc:
        return _no(ex, f"It has a skip connection but does not build for 1x8x8 digits: {exc}")
    return _ok(
        ex,
        f"Layer {merging[0]!r} merges {len(d.incoming(merging[0]))} inputs; "
        f"the built network has {net.num_parameters()} parameters.",
    )


def _check_choices(answer: Any) -> CheckResult:
    from nasnb.genomes import LAYER_CHOICES

    return _number(
        "01.choices",
        answer,
        len(LAYER_CHOICES),
        tol=0,
        what="the number of layer choices in the chapter-6 global space",
    )


# ----------------------------------------------------------------------------- lesson 2


def _check_random_sample_size(answer: Any) -> CheckResult:
    return _number(
        "02.random_is_s1",
        answer,
        1,
        tol=0,
        what="the tournament size S that turns regularized evolution into random search",
    )


def _check_removed(answer: Any) -> CheckResult:
    return _choice(
        "02.removed",
        answer,
        "oldest",
        ("oldest", "worst", "best", "random"),
        "Regularized (aging) evolution removes the oldest individual, however good it is.",
    )


def _check_global_best(answer: Any) -> CheckResult:
    from nasnb.benchmarks import NASBench201

    best = float(NASBench201.embedded("cifar10").arrays()["validation_accuracy"].max())
    return _number(
        "02.global_best",
        answer,
        best,
        tol=1e-6,
        what="the best mean validation accuracy in the NAS-Bench-201 CIFAR-10 table",
    )


# ----------------------------------------------------------------------------- lesson 3

KENDALL_X = (0.61, 0.72, 0.55, 0.80, 0.68)
KENDALL_Y = (0.70, 0.71, 0.52, 0.83, 0.66)
ROUNDING_PROXY = (0.912, 0.914, 0.897, 0.931, 0.903, 0.918)
ROUNDING_TRUE = (0.941, 0.938, 0.925, 0.951, 0.930, 0.944)


def _check_kendall(answer: Any) -> CheckResult:
    from nasnb.analysis import kendall_tau

    return _number(
        "03.kendall", answer, kendall_tau(KENDALL_X, KENDALL_Y), tol=1e-3, what="Kendall tau of KENDALL_X and KENDALL_Y"
    )


def _check_rounded(answer: Any) -> CheckResult:
    from nasnb.analysis import kendall_tau

    return _number(
        "03.rounded",
        answer,
        kendall_tau(ROUNDING_PROXY, ROUNDING_TRUE, decimals=2),
        tol=1e-3,
        what="Kendall tau-b after rounding both lists to whole percents",
    )


def _check_more_epochs(answer: Any) -> CheckResult:
    return _choice(
        "03.ceiling",
        answer,
        "noise",
        ("noise", "epochs", "optimizer", "dataset"),
        "Retraining the same network gives a different score: noise sets a ceiling on any proxy.",
    )


# ----------------------------------------------------------------------------- lesson 4 (DARTS)

#: Architecture weights of four edges, one per row, in the order of ``nasnb.darts.PRIMITIVES``
#: (zero, identity, max_pool_3x3, avg_pool_3x3, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3,
#: dil_conv_5x5). In two rows ``zero`` is the largest.
ALPHA_ROWS = (
    (0.90, 0.10, -0.20, 0.05, 0.30, 0.25, -0.10, 0.00),
    (-0.30, 0.40, 0.10, 0.00, 0.20, 0.60, 0.15, 0.10),
    (0.10, -0.40, 0.35, 0.30, 0.00, -0.10, 0.20, 0.05),
    (1.50, 0.20, 0.10, 0.15, 0.05, 0.00, 0.25, 0.22),
)


def _darts_edges(nodes: int) -> int:
    return sum(2 + i for i in range(nodes))


def _check_edges(answer: Any) -> CheckResult:
    return _number(
        "04.edges",
        answer,
        _darts_edges(4),
        tol=0,
        what="the number of mixed edges in a DARTS cell with 4 intermediate nodes",
    )


def _darts_cells(nodes: int) -> int:
    from nasnb.darts import PRIMITIVES

    ops = len([p for p in PRIMITIVES if p != "zero"])
    return math.prod(math.comb(2 + i, 2) * ops**2 for i in range(nodes))


def _check_cells(answer: Any) -> CheckResult:
    return _number(
        "04.cells",
        answer,
        _darts_cells(2),
        tol=0,
        what="the number of different cells DARTS can derive with 2 intermediate nodes",
    )


def _strongest(row) -> str:
    from nasnb.darts import PRIMITIVES

    usable = [k for k, p in enumerate(PRIMITIVES) if p != "zero"]
    return PRIMITIVES[max(usable, key=lambda k: row[k])]


def _check_strongest_op(answer: Any) -> CheckResult:
    ex = "04.strongest_op"
    if not callable(answer):
        return _no(ex, f"The answer should be a function of one α row; got {type(answer).__name__}.")
    for row in ALPHA_ROWS:
        expected = _strongest(row)
        try:
            got = answer(list(row))
        except Exception as exc:  # a student's function: report its error, never raise
            return _no(ex, f"strongest_op({list(row)}) raised {type(exc).__name__}: {exc}.")
        if not isinstance(got, str):
            return _no(
                ex,
                f"strongest_op({list(row)}) returned {got!r}; it should return an operation's name "
                f"such as 'sep_conv_3x3'.",
            )
        if got != expected:
            return _no(
                ex, f"strongest_op({list(row)}) returned {got!r}, but DARTS keeps another operation on that edge."
            )
    return _ok(ex, f"Right on all {len(ALPHA_ROWS)} test edges, including those whose largest weight is 'zero'.")


# ----------------------------------------------------------------------------- lesson 5 (cluster)

#: Seconds each of eight evaluations takes, in the order they are asked, and the engines.
SCHEDULE_DURATIONS = (3.0, 1.0, 1.0, 3.0, 2.0, 2.0, 1.0, 4.0)
SCHEDULE_WORKERS = 2


def _check_async_time(answer: Any) -> CheckResult:
    from nasnb.executors import simulate_schedule

    expected = simulate_schedule(SCHEDULE_DURATIONS, SCHEDULE_WORKERS, mode="async").now
    return _number(
        "05.async_time",
        answer,
        expected,
        tol=1e-6,
        what="the time the asynchronous (steady-state) schedule takes for SCHEDULE_DURATIONS on 2 engines",
    )


def _check_why_equal(answer: Any) -> CheckResult:
    return _choice(
        "05.why_equal",
        answer,
        "b",
        ("a", "b", "c", "d"),
        "Each trial carries a seed derived from the strategy's seed and its index, and batch "
        "results are applied in the order they were asked: where and when it ran does not matter.",
    )


def _check_async_differs(answer: Any) -> CheckResult:
    return _choice(
        "05.async",
        answer,
        "c",
        ("a", "b", "c", "d"),
        "In steady state a child is bred from the population as it is when an engine frees up, "
        "which depends on timing; the 'arrival' column records the order, so a replay is exact.",
    )


# ----------------------------------------------------------------------------- the answer key

EXERCISES: dict[str, Callable[[Any], CheckResult]] = {
    "01.sequential": _check_sequential,
    "01.skip": _check_skip,
    "01.choices": _check_choices,
    "02.global_best": _check_global_best,
    "02.removed": _check_removed,
    "02.random_is_s1": _check_random_sample_size,
    "03.kendall": _check_kendall,
    "03.rounded": _check_rounded,
    "03.ceiling": _check_more_epochs,
    "04.edges": _check_edges,
    "04.cells": _check_cells,
    "04.strongest_op": _check_strongest_op,
    "05.async_time": _check_async_time,
    "05.why_equal": _check_why_equal,
    "05.async": _check_async_differs,
}

_HINTS: dict[str, str] = {
    "01.sequential": "use add_layer_sequential three times: nn.Conv2d, nn.ReLU, nn.MaxPool2d.",
    "01.skip": "connect_layers(a, c) where a -> b -> c already exists; keep shapes compatible (MVS merges them).",
    "01.choices": "look at nasnb.genomes.LAYER_CHOICES (or count CONV_k.{H,N} and POOL_k.{A,M} for k in 2, 3, 5).",
    "02.random_is_s1": "the parent is the best of S sampled individuals; with how many is that a random pick?",
    "02.removed": "the 'regularized' in regularized evolution is aging.",
    "02.global_best": "records has one row per architecture; take the max of its 'score' column.",
    "03.kendall": "count concordant minus discordant pairs over all 10 pairs, or call nasnb.analysis.kendall_tau.",
    "03.rounded": "round with np.round(np.array(values) * 100) (or kendall_tau(..., decimals=2)), then compute tau-b.",
    "03.ceiling": "what stops a 108-epoch run from ranking like another 108-epoch run of the same networks?",
    "04.edges": "intermediate node i (counting from 0) has an edge from each of the two cell inputs and from "
    "every earlier node: 2 + i edges. Check with Supernet(..., nodes=4).alphas_normal.shape.",
    "04.cells": "node i keeps 2 of its 2 + i input edges (math.comb(2 + i, 2) ways) and each kept edge gets one "
    "of the 7 operations other than 'zero'; multiply over the nodes.",
    "04.strongest_op": "softmax keeps the order of the weights, so compare the raw weights, but skip index 0 "
    "('zero'); return PRIMITIVES[best_index].",
    "05.async_time": "play it out: 2 engines start the first two tasks; whenever one finishes, it starts the next "
    "task at once. The time is when the last task ends (nasnb.executors.simulate_schedule "
    "checks it).",
    "05.why_equal": "what would change if engine 1 were slower than engine 0? Look at the 'seed' column and at the "
    "order in which batch mode applies results.",
    "05.async": "compare the 'parent' columns of the batch and async runs, and look at the 'arrival' column.",
}


from nasnb.classroom.lesson06 import EXERCISES_06, HINTS_06  # noqa: E402 - lesson 6 uses the helpers above

EXERCISES.update(EXERCISES_06)
_HINTS.update(HINTS_06)


def exercises(lesson: int | str | None = None) -> list[str]:
    """Ids of all exercises, or of one lesson's (``lesson=4`` or ``"04"``), in lesson order.

    Examples
    --------
    >>> exercises(4)
    ['04.edges', '04.cells', '04.strongest_op']
    >>> len(exercises())
    18
    """
    if lesson is None:
        return list(EXERCISES)
    prefix = f"{int(lesson):02d}." if str(lesson).isdigit() else None
    if prefix is None:
        raise ParameterError(
            f"The 'lesson' parameter of exercises must be a lesson number such as 4 or '04'. Got {lesson!r} instead."
        )
    return [e for e in EXERCISES if e.startswith(prefix)]


def hint(exercise: str) -> str:
    """A hint for ``exercise``: what to try.

    Examples
    --------
    >>> hint("02.removed")
    "the 'regularized' in regularized evolution is aging."
    """
    _known(exercise, "hint")
    return _HINTS[exercise]


def _known(exercise: str, func: str) -> None:
    if exercise not in EXERCISES:
        raise ParameterError(
            f"The 'exercise' parameter of {func} must be one of {exercises()}. Got {exercise!r} instead."
        )


def check(exercise: str, answer: Any) -> CheckResult:
    """Check the answer to ``exercise``; returns a :class:`CheckResult` (display it).

    A right answer says why it is right. Any other answer -- a wrong one, the ``...`` left by the
    student edition, one of the wrong kind, a function that raises -- gives a ``Not yet``
    verdict naming what is wrong and ending with ``Hint: ...`` (see :func:`hint`); it never
    raises for the answer.

    Parameters
    ----------
    exercise : str
        Exercise id, e.g. ``"01.sequential"`` (see :func:`exercises`).
    answer : object
        The student's answer (a number, a word, a ``NeuralDescriptor`` or a function).

    Raises
    ------
    ParameterError
        When ``exercise`` is not a known id (the message lists them).

    Examples
    --------
    >>> r = check("02.removed", "oldest")
    >>> r.passed, r.message.split(",")[0]
    (True, 'Regularized (aging) evolution removes the oldest individual')
    >>> print(check("02.removed", "worst").message)
    'worst' is not it. Hint: the 'regularized' in regularized evolution is aging. Then run this cell again.
    """
    _known(exercise, "check")
    if answer is Ellipsis:
        result = _no(exercise, "No answer yet: replace the ... under '# Your answer' with your answer.")
    else:
        try:
            result = EXERCISES[exercise](answer)
        except Exception as exc:  # never let a student's answer crash the checker
            result = _no(exercise, f"Checking the answer failed with {type(exc).__name__}: {exc}.")
    if result.passed:
        return result
    return _no(exercise, f"{result.message} Hint: {_HINTS[exercise]} Then run this cell again.")


@dataclass(frozen=True)
class Skipped:
    """The note a cell shows instead of its output while the exercise it builds on is not solved."""

    exercise: str

    def __str__(self) -> str:
        return (
            f"Skipped: this cell uses your answer to {self.exercise}; run it again once that exercise's "
            f"check says Correct."
        )

    def _repr_html_(self) -> str:
        return (
            f'<div style="border-left:4px solid #8a8a8a;padding:4px 8px;color:#555"><i>Skipped</i>: this cell '
            f"uses your answer to <code>{html.escape(self.exercise)}</code>; run it again once that "
            f"exercise's check says <b>Correct</b>.</div>"
        )


def solved(exercise: str, answer: Any) -> bool:
    """Whether ``answer`` passes ``exercise``'s check; when it does not, the cell shows a :class:`Skipped` note.

    Cells that build on a student's answer run their body under ``if solved(...):``, so a
    student edition runs top to bottom (*Run All*) with blank exercises: each exercise shows
    ``Not yet`` with its hint and the cells that need its answer say they are skipped.

    Examples
    --------
    >>> solved("03.kendall", 0.8)
    True
    >>> solved("03.kendall", ...)
    False
    """
    if check(exercise, answer).passed:
        return True
    note = Skipped(exercise)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: the note goes to the log
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        display(note)
    else:
        logger.info("%s", note)
    return False
