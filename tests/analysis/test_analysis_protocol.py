"""The chapter 5 resampling protocol on a synthetic multi-run, multi-budget benchmark."""

import numpy as np
import pandas as pd
import pytest

from nasnb.analysis import BenchmarkRecords, resampling_protocol
from nasnb.exceptions import ParameterError

BUDGETS = (4, 12, 36, 108)


def synthetic_records(n_arch=300, runs=3, seed=0):
    """Accuracy = quality + noise that shrinks with the budget; 3 runs per (arch, budget)."""
    rng = np.random.default_rng(seed)
    quality = rng.uniform(0.80, 0.95, n_arch)
    rows = []
    for a in range(n_arch):
        for b in BUDGETS:
            for r in range(runs):
                rows.append((f"h{a}", b, r, quality[a] - 0.3 / b + rng.normal(0, 0.02 * 12 / b + 0.003)))
    return pd.DataFrame(rows, columns=["arch", "budget", "run", "score"])


@pytest.fixture(scope="module")
def records():
    return synthetic_records()


def test_protocol_rows_and_tau_grows_with_budget(records):
    out = resampling_protocol(records, n_samples=5000, decimals=[None, 2], n_resamples=100, seed=0)
    assert out[["budget", "decimals"]].values.tolist() == [[b, d] for b in BUDGETS for d in (None, 2)]
    raw = out[out.decimals.isna()].set_index("budget")
    assert raw.tau.is_monotonic_increasing
    # retraining noise: the 108-epoch group against a separate 108-epoch draw stays below 1
    assert 0.5 < raw.loc[108, "tau"] < 0.99
    assert (out.ci_low <= out.tau + 1e-9).all() and (out.tau <= out.ci_high + 1e-9).all()
    assert (out.std_error > 0).all() and out.lilliefors_p.between(0, 1).all()
    assert out.attrs["settings"]["reference_budget"] == 108


def test_protocol_is_reproducible_and_uses_random_runs(records):
    a = resampling_protocol(records, n_samples=3000, n_resamples=0, seed=5)
    b = resampling_protocol(records, n_samples=3000, n_resamples=0, seed=5)
    c = resampling_protocol(records, n_samples=3000, n_resamples=0, seed=6)
    assert a.equals(b)
    assert not a.tau.equals(c.tau)
    assert "std_error" not in a.columns


def test_protocol_with_a_single_run_has_a_perfect_ceiling(records):
    one_run = records[records.run == 0]
    out = resampling_protocol(one_run, n_samples=2000, budgets=[108], n_resamples=0, seed=0)
    assert out.tau.iloc[0] == pytest.approx(1.0)


def test_protocol_accepts_a_benchmark_object(records):
    class Bench:
        def long_records(self):
            return records

    assert isinstance(Bench(), BenchmarkRecords)
    out = resampling_protocol(Bench(), n_samples=1000, budgets=[36], n_resamples=0, seed=0)
    assert out.budget.tolist() == [36]


def test_protocol_bad_input(records):
    with pytest.raises(ParameterError, match="column"):
        resampling_protocol(records.drop(columns="run"))
    with pytest.raises(ParameterError, match="budgets"):
        resampling_protocol(records, budgets=[5])
    with pytest.raises(ParameterError, match="non-empty"):
        resampling_protocol(records.iloc[:0])
    bad = records.copy()
    bad.loc[0, "score"] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        resampling_protocol(bad)
    with pytest.raises(ParameterError, match="long_records"):
        resampling_protocol([1, 2, 3])
    with pytest.raises(ParameterError, match="at least 2 architectures"):
        resampling_protocol(records[records.arch == "h0"], n_resamples=0)


def test_protocol_accepts_a_tabular_benchmark_with_records_method(records):
    class Benchmark:  # the nasnb.benchmarks classes expose records() in long format
        def records(self):
            return records

    via_object = resampling_protocol(Benchmark(), n_samples=500, n_resamples=20, seed=3)
    direct = resampling_protocol(records, n_samples=500, n_resamples=20, seed=3)
    pd.testing.assert_frame_equal(via_object, direct)


def test_protocol_on_a_real_nasbench101_file(tmp_path):
    """A NASBench101 object over the small official-format file of tests/benchmarks."""
    import sys
    from pathlib import Path

    here = str(Path(__file__).resolve().parents[1] / "benchmarks")
    if here not in sys.path:
        sys.path.insert(0, here)
    from _tabular_files import nb101_record, write_tfrecord
    from _tabular_fixtures import NB101_CELLS, nb101_final, nb101_hash

    from nasnb.benchmarks import NASBench101

    path = tmp_path / "nasbench_small.tfrecord"
    write_tfrecord(path, [nb101_record(nb101_hash(m, o), e, m, o, nb101_final(c, e, r), params=1000 + c)
                          for c, (m, o) in enumerate(NB101_CELLS) for e in (4, 12, 36, 108) for r in range(3)])
    nb = NASBench101(path)
    out = resampling_protocol(nb, n_samples=2000, n_resamples=50, seed=0)
    assert out.budget.tolist() == [4, 12, 36, 108] and (out.n_samples == 2000).all()
    settings = out.attrs["settings"]
    assert settings["reference_budget"] == 108 and settings["architectures"] == len(NB101_CELLS) == 5
    # the written cells keep their order at every budget (0.01 apart, runs 0.001 apart): only
    # the run noise of repeated draws lowers tau, equally at every budget
    assert (out.tau > 0.8).all() and out.tau.max() - out.tau.min() < 0.02
    assert ((out.ci_low <= out["mean"]) & (out["mean"] <= out.ci_high)).all()
    pd.testing.assert_frame_equal(out, resampling_protocol(nb.records(), n_samples=2000, n_resamples=50, seed=0))
    rounded = resampling_protocol(nb, n_samples=2000, budgets=[4], decimals=2, n_resamples=0, seed=0)
    assert rounded.tau.iloc[0] == pytest.approx(1.0)  # whole percents erase the run noise
