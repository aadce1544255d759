"""The one restricted unpickler: hostile pickles are refused before they run or allocate."""

from __future__ import annotations

import importlib
import io
import pickle

import numpy as np
import pytest

from _hostile import HOSTILE_PICKLES

from nasnb._safe_pickle import estimate_pickle_memory, safe_load
from nasnb.exceptions import BenchmarkError, DatasetError


@pytest.mark.parametrize("label", sorted(HOSTILE_PICKLES))
def test_hostile_pickle_is_refused_with_the_callers_error(label):
    blob = HOSTILE_PICKLES[label]
    assert len(blob) < 1_000_000
    with pytest.raises(DatasetError, match=f"^{label}: "):
        safe_load(blob, name=label)
    with pytest.raises(BenchmarkError, match=f"^{label}: "):
        safe_load(io.BytesIO(blob), name=label, error=BenchmarkError)


def test_the_issue_240_byte_ndarray_pickle_allocates_nothing():
    blob = HOSTILE_PICKLES["ndarray_constructor_1.5GB"]
    assert b"ndarray" in blob and len(blob) < 240
    with pytest.raises(DatasetError, match="not a valid data pickle"):
        safe_load(blob, name="x")


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_arrays_scalars_and_containers_round_trip(protocol):
    value = {b"data": np.arange(12, dtype=np.uint8).reshape(3, 4), "f": np.asfortranarray(np.ones((2, 3), ">i8")),
             "empty": np.zeros((0, 5), np.float32), "x": np.float64(0.25), "flag": np.bool_(True),
             "s": {1, 2}, "fs": frozenset({3}), "t": (np.int32(7), [b"", "é"]), "dt": np.dtype("<f4")}
    out = safe_load(pickle.dumps(value, protocol=protocol), name="ok")
    for key in (b"data", "f", "empty"):
        assert type(out[key]) is np.ndarray and out[key].dtype == value[key].dtype
        assert np.array_equal(out[key], value[key])
    assert out["x"] == 0.25 and type(out["x"]) is float and out["flag"] is True
    assert out["s"] == {1, 2} and out["fs"] == frozenset({3}) and out["t"] == (7, [b"", "é"])
    assert out["dt"] == np.dtype("<f4")


def test_estimate_bounds_a_real_pickle_and_flags_floods():
    real = pickle.dumps({"runs": [{"acc": float(i), "seed": i} for i in range(1000)]})
    assert estimate_pickle_memory(real) < 40 * len(real)
    assert estimate_pickle_memory(HOSTILE_PICKLES["empty_set_flood"]) > 200 * 2**20


def test_there_is_one_restricted_unpickler():
    with pytest.raises(ImportError):
        importlib.import_module("nasnb.benchmarks._plainpickle")
    from nasnb.data import safe_load as public

    assert public is safe_load
    import nasnb.benchmarks.graph as graph
    import nasnb.benchmarks.nb201_format as nb201_format

    assert graph.safe_load is safe_load
    src = open(nb201_format.__file__, encoding="utf-8").read()
    assert "from nasnb._safe_pickle import safe_load" in src and "pickle.load(" not in src
