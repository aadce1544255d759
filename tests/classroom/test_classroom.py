"""The classroom checks pass with the reference answers and fail with wrong ones."""

from __future__ import annotations

import pytest

from nasnb import NeuralDescriptor
from nasnb.analysis import kendall_tau
from nasnb.benchmarks import NASBenchGraph
from nasnb.classroom import (KENDALL_X, KENDALL_Y, ROUNDING_PROXY, ROUNDING_TRUE, CheckResult, check,
                             exercises, hint)
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


REFERENCE = {
    "01.sequential": _chain,
    "01.skip": _skip,
    "01.choices": lambda: 12,
    "02.random_is_s1": lambda: 1,
    "02.removed": lambda: "oldest",
    "02.global_best": lambda: float(NASBenchGraph("cora").records()["score"].max()),
    "03.kendall": lambda: kendall_tau(KENDALL_X, KENDALL_Y),
    "03.rounded": lambda: kendall_tau(ROUNDING_PROXY, ROUNDING_TRUE, decimals=2),
    "03.ceiling": lambda: "noise",
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
def test_wrong_answer_fails(exercise):
    result = check(exercise, WRONG[exercise]())
    assert not result.passed
    assert result.message and "Not yet" in result._repr_html_()


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
