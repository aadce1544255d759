"""Deep and huge input (issue 26, point 7).

JSON nested deeper than ``nasnb._json.MAX_DEPTH`` is a ``ParameterError`` on input (a study
configuration, evaluator settings, a checkpoint) and a ``StoreError`` naming the study when a
crafted store holds it -- never a raw ``RecursionError``. A long chain validates, hashes,
round-trips, builds and runs forward (building was quadratic), and its notebook display is
a summary instead of a drawing that would hang the notebook. (The 50,000-layer timings are in
``benchmarks/bench_deep_chain.py``; here a 5,000-layer chain checks the behaviour.)
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
import torch

import nasnb
from nasnb._json import MAX_DEPTH, nesting_exceeds
from nasnb.descriptors import NeuralDescriptor
from nasnb.descriptors.descriptor import DRAW_LIMIT
from nasnb.exceptions import ParameterError, StoreError
from nasnb.results import EvaluationResult
from nasnb.store import ExperimentStore

DEEP = 100_000


def _deep_value(depth):
    value = {}
    inner = value
    for _ in range(depth - 1):
        inner["a"] = {}
        inner = inner["a"]
    return value


def _deep_text(depth):
    return "[" * depth + "]" * depth


def test_the_depth_limit_is_exact_and_ignores_brackets_inside_strings():
    assert not nesting_exceeds(_deep_value(MAX_DEPTH)) and nesting_exceeds(_deep_value(MAX_DEPTH + 1))
    assert not nesting_exceeds(_deep_text(MAX_DEPTH)) and nesting_exceeds(_deep_text(MAX_DEPTH + 1))
    assert not nesting_exceeds('["' + "[" * 500 + '"]')
    assert not nesting_exceeds(r'["\"' + "[" * 500 + '"]')  # an escaped quote does not end the string


@pytest.mark.parametrize("what", ["config", "settings", "checkpoint"])
def test_deep_input_is_a_parameter_error(tmp_path, what):
    store = ExperimentStore(tmp_path / "s.sqlite")
    deep = _deep_value(DEEP)
    with pytest.raises(ParameterError, match=rf"'{what if what != 'checkpoint' else 'value'}'.*deeper than {MAX_DEPTH}"):
        if what == "config":
            store.create_study("deep", deep)
        elif what == "settings":
            store.create_study("s", {}).add_evaluation({"a": 1}, EvaluationResult(0.1, {}, 1.0, 0.5), seq=0, seed=0,
                                                       settings=deep)
        else:
            store.create_study("c", {}).save_checkpoint("state", deep)
    ok = store.create_study("ok", _deep_value(MAX_DEPTH))  # at the limit: accepted, read back
    assert nesting_exceeds(ok.config, MAX_DEPTH - 1)


@pytest.fixture()
def crafted(tmp_path):
    """A store whose study 'victim' holds 100,000-deep JSON where the named column says."""
    path = tmp_path / "crafted.sqlite"
    store = ExperimentStore(path)
    study = store.create_study("victim", {"epochs": 1})
    study.add_evaluation({"ops": ["a"]}, EvaluationResult(0.1, {"accuracy": 0.5}, 1.0, 0.5), seq=0, seed=0)
    study.save_checkpoint("state", [1])
    store.close()

    def craft(table, column):
        with sqlite3.connect(path) as conn:
            conn.execute(f"UPDATE {table} SET {column}=?", (_deep_text(DEEP),))
        conn.close()
        return path
    return craft


@pytest.mark.parametrize("table, column, read", [
    ("studies", "config_json", lambda s: s.load_study("victim")),
    ("evaluations", "settings_json", lambda s: s.load_study("victim").evaluations()),
    ("evaluations", "settings_json", lambda s: s.load_study("victim").to_dataframe()),
    ("checkpoints", "value_json", lambda s: s.load_study("victim").load_checkpoint("state")),
])
def test_a_crafted_store_is_a_store_error_naming_the_study(crafted, table, column, read):
    path = crafted(table, column)
    with pytest.raises(StoreError, match=rf"Study 'victim'.*deeper than {MAX_DEPTH}"):
        read(ExperimentStore(path, read_only=True))


def test_the_cli_reports_a_crafted_store_in_one_line(crafted):
    path = crafted("studies", "config_json")
    proc = subprocess.run([sys.executable, "-m", "nasnb", "studies", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr
    assert "Study 'victim'" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_deep_descriptor_document_is_a_named_error():
    with pytest.raises(nasnb.exceptions.SerializationError, match="deep"):
        NeuralDescriptor.from_json('{"layers": ' + _deep_text(DEEP) + ', "connections": []}')


def test_a_long_chain_validates_hashes_builds_and_runs_forward():
    n = 5_000
    d = NeuralDescriptor.sequential(["nn.Tanh"] * n)
    d.validate()
    assert NeuralDescriptor.from_json(d.to_json()).canonical_hash() == d.canonical_hash()
    net = nasnb.build_network(d, (3,), 2)
    assert len(net.shapes) == n
    x = torch.tensor([[0.5, -1.0, 2.0]])
    expected = x
    for _ in range(n):
        expected = torch.tanh(expected)
    with torch.no_grad():
        assert torch.allclose(net(x), net.head(expected))


def test_a_huge_descriptor_displays_a_summary_not_a_drawing():
    big = NeuralDescriptor.sequential(["nn.ReLU"] * (DRAW_LIMIT + 1) + ["nn.Tanh"], name="<b>big</b>")
    html = big._repr_html_()
    assert "<svg" not in html and f"{DRAW_LIMIT + 2:,} layers" in html and "not drawn" in html
    assert "1 × nn.Tanh" in html and "&lt;b&gt;big" in html
    small = NeuralDescriptor.sequential(["nn.ReLU"] * 3)
    assert "<svg" in small._repr_html_()
