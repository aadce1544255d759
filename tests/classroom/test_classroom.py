"""The classroom checks pass with the reference answers and fail with wrong ones."""

from __future__ import annotations

import pytest

from nasnb import NeuralDescriptor
from nasnb.analysis import kendall_tau
from nasnb.benchmarks import NASBench201
from nasnb.classroom import (ALPHA_ROWS, KENDALL_X, KENDALL_Y, ROUNDING_PROXY, ROUNDING_TRUE, CheckResult,
                             check, exercises, hint)
from nasnb.darts import PRIMITIVES
from nasnb.exceptions import ParameterError


def _chain():
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1})
    d.add_layer_sequential("nn.ReLU", {})
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
    return d


def _skip():
    d = NeuralDescriptor()
    d.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1}, "a")
    d.add_layer("nn.ReLU", {}, "b")
    d.add_layer("nn.Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}, "c")
    d.connect_layers("a", "b")
    d.connect_layers("b", "c")
    d.connect_layers("a", "c")
    d.set_input("a")
    d.set_output("c")
    return d


def _wrong_order():
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.ReLU", {})
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3})
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
    return d


def _strongest_op(row):
    best = max((k for k, op in enumerate(PRIMITIVES) if op != "zero"), key=lambda k: row[k])
    return PRIMITIVES[best]


def _argmax_op(row):  # the classic mistake: 'zero' may win
    return PRIMITIVES[max(range(len(row)), key=lambda k: row[k])]


REFERENCE = {
    "01.sequential": _chain,
    "01.skip": _skip,
    "01.choices": lambda: 12,
    "02.random_is_s1": lambda: 1,
    "02.removed": lambda: "oldest",
    "02.global_best": lambda: float(NASBench201.embedded("cifar10").records().groupby("arch").score.mean().max()),
    "03.kendall": lambda: kendall_tau(KENDALL_X, KENDALL_Y),
    "03.rounded": lambda: kendall_tau(ROUNDING_PROXY, ROUNDING_TRUE, decimals=2),
    "03.ceiling": lambda: "noise",
    "04.edges": lambda: 14,
    "04.cells": lambda: 7203,
    "04.strongest_op": lambda: _strongest_op,
    "05.async_time": lambda: 10.0,
    "05.why_equal": lambda: "b",
    "05.async": lambda: "(c)",
    "06.chain": lambda: 54.0,   # R = |W2| |W1| 1 = 27; two layers crossed by every path: 2R
    "06.data_free": lambda: "synflow",
    "06.baseline": lambda: "params",
}

WRONG = {
    "01.sequential": _wrong_order,
    "01.skip": _chain,
    "01.choices": lambda: 6,
    "02.random_is_s1": lambda: 25,
    "02.removed": lambda: "worst",
    "02.global_best": lambda: 0.5,
    "03.kendall": lambda: kendall_tau(KENDALL_X, KENDALL_Y) + 0.1,
    "03.rounded": lambda: kendall_tau(ROUNDING_PROXY, ROUNDING_TRUE),
    "03.ceiling": lambda: "epochs",
    "04.edges": lambda: 8,
    "04.cells": lambda: 8 ** 2 * 3 * 8 ** 2,
    "04.strongest_op": lambda: _argmax_op,
    "05.async_time": lambda: 12.0,
    "05.why_equal": lambda: "a",
    "05.async": lambda: "a",
    "06.chain": lambda: 27.0,   # R itself: one layer's share only
    "06.data_free": lambda: "snip",
    "06.baseline": lambda: "synflow",
}


def test_every_exercise_has_a_reference_and_a_wrong_answer():
    assert set(REFERENCE) == set(exercises()) == set(WRONG)


@pytest.mark.parametrize("exercise", sorted(REFERENCE))
def test_reference_answer_passes(exercise):
    result = check(exercise, REFERENCE[exercise]())
    assert isinstance(result, CheckResult)
    assert result.passed, result.message
    assert bool(result) and "Correct" in result._repr_html_()


@pytest.mark.parametrize("exercise", sorted(WRONG))
def test_wrong_answer_fails_with_the_hint(exercise):
    result = check(exercise, WRONG[exercise]())
    assert not result.passed
    assert "Not yet" in result._repr_html_()
    assert result.message.endswith(f"Hint: {hint(exercise)} Then run this cell again.")


@pytest.mark.parametrize("exercise", sorted(REFERENCE))
def test_the_student_placeholder_gets_the_hint_not_an_exception(exercise):
    result = check(exercise, ...)
    assert not result.passed
    assert result.message.startswith("No answer yet: replace the ...") and hint(exercise) in result.message


def test_a_placeholder_function_and_a_raising_function_get_a_message():
    def placeholder(row):
        ...

    def broken(row):
        return row["zero"]

    none = check("04.strongest_op", placeholder)
    assert not none.passed and "returned None" in none.message and "Hint:" in none.message
    raised = check("04.strongest_op", broken)
    assert not raised.passed and "raised TypeError" in raised.message


def test_strongest_op_check_needs_the_zero_rows():
    # the argmax mistake is caught because some rows have 'zero' as their largest weight
    assert any(max(range(8), key=lambda k: row[k]) == 0 for row in ALPHA_ROWS)
    assert any(_argmax_op(row) != _strongest_op(row) for row in ALPHA_ROWS)


def test_a_checker_that_raises_becomes_a_verdict(monkeypatch):
    import nasnb.classroom.checks as checks

    def boom(answer):
        raise RuntimeError("disk full")

    monkeypatch.setitem(checks.EXERCISES, "03.kendall", boom)
    result = check("03.kendall", 0.8)
    assert not result.passed and "RuntimeError: disk full" in result.message


def test_exercises_by_lesson():
    assert exercises(5) == exercises("05") == ["05.async_time", "05.why_equal", "05.async"]
    assert sum(len(exercises(n)) for n in range(1, 7)) == len(exercises())
    with pytest.raises(ParameterError, match="lesson"):
        exercises("five")


@pytest.mark.parametrize("exercise", ["01.sequential", "01.choices", "02.removed", "03.kendall"])
def test_answer_of_wrong_kind_fails_with_a_message(exercise):
    result = check(exercise, object())
    assert not result.passed and "got" in result.message


def test_unknown_exercise_names_the_valid_ones():
    with pytest.raises(ParameterError, match="03.kendall"):
        check("9.9", 1)
    with pytest.raises(ParameterError):
        hint("nope")
    assert hint("03.kendall")
