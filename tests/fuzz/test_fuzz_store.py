"""Fuzzing the experiment store: rows, study configurations and store files (issue 16, point 4).

Every generated input either works (and reads back) or raises a nasnb error; no raw sqlite3,
JSON or pandas exception escapes, nothing hangs. Profiles as in conftest.py.
"""

from __future__ import annotations

import math
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nasnb.exceptions import NasnbError
from nasnb.results import EvaluationResult
from nasnb.store import ExperimentStore

pytestmark = pytest.mark.timeout(120)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=20), st.binary(max_size=8))
json_like = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), inner, max_size=4),
    st.tuples(inner, inner), st.frozensets(st.integers(), max_size=3)), max_leaves=12)
metrics = st.dictionaries(st.one_of(st.text(max_size=8), st.integers()),
                          st.one_of(st.floats(allow_nan=True), st.integers(-2**70, 2**70), st.text(max_size=5),
                                    st.none(), st.lists(st.integers(), max_size=2)), max_size=4)


def _result(loss, fitness, total, status, message, mets):
    try:
        return EvaluationResult(loss, mets, total, fitness, status, message)
    except NasnbError:
        return None


results = st.builds(_result, st.one_of(st.floats(allow_nan=True), st.text(max_size=3)),
                    st.one_of(st.floats(allow_nan=True), st.integers()), st.floats(allow_nan=True),
                    st.sampled_from(["done", "failed", "invalid", "diverged", "running", "weird"]),
                    st.one_of(st.text(max_size=30), st.integers()), metrics)


def _store():
    return ExperimentStore(Path(tempfile.mkdtemp()) / "fuzz.sqlite")


@given(json_like, results, st.one_of(st.integers(-5, 2**70), st.booleans(), st.floats(), st.text(max_size=3)),
       st.one_of(st.none(), st.integers(-2**70, 2**70), st.booleans(), st.floats(), st.text(max_size=3)), json_like,
       st.one_of(st.none(), st.sampled_from(["queued", "running", "done", "nope"]), st.integers()))
def test_fuzz_store_rows(descriptor, result, seq, seed, settings, status):
    store = _store()
    study = store.create_study("fuzz")
    try:
        study.add_evaluation(descriptor, result, seq=seq, seed=seed, settings=settings, status=status)
    except NasnbError:
        return
    rows = study.evaluations()  # what was accepted reads back, as data and as a frame
    assert len(rows) == 1
    frame = study.to_dataframe()
    assert len(frame) == 1
    if result is not None and rows[0].final:
        assert rows[0].result.status == result.status
        if isinstance(result.fitness, float) and math.isfinite(result.fitness):
            assert rows[0].fitness == result.fitness
    store.close()


@given(json_like, st.one_of(st.text(max_size=10), st.integers(), st.none(), st.binary(max_size=4)))
def test_fuzz_study_configs(config, name):
    store = _store()
    try:
        study = store.create_study(name, config)
    except NasnbError:
        return
    assert store.load_study(name).config == study.config
    store.close()


def _valid_store_bytes() -> bytes:
    path = Path(tempfile.mkdtemp()) / "valid.sqlite"
    with ExperimentStore(path) as store:
        store.create_study("s", {"a": 1}).add_evaluations(
            {"descriptor": {"i": i}, "result": EvaluationResult(0.1, {"accuracy": 0.5}, 1.0, 0.5), "seq": i}
            for i in range(40))
    return path.read_bytes()


_VALID = _valid_store_bytes()


@st.composite
def mutated_store(draw):
    data = bytearray(_VALID)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data) - 1))
        chunk = draw(st.binary(min_size=1, max_size=64))
        data[pos:pos + len(chunk)] = chunk
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@given(st.one_of(mutated_store(), st.binary(max_size=600)))
def test_fuzz_store_files(blob):
    path = Path(tempfile.mkdtemp()) / "mutated.sqlite"
    path.write_bytes(blob)
    try:
        store = ExperimentStore(path)
        for name in store.study_names():
            study = store.load_study(name)
            study.evaluations()
            study.to_dataframe()
        store.close()
    except NasnbError as exc:
        assert "mutated.sqlite" in str(exc)  # the error names the file
    except sqlite3.Error as exc:  # pragma: no cover - the failure this test exists to catch
        pytest.fail(f"raw sqlite3 error escaped: {exc!r}")
