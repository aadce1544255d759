"""Bootstrap estimates, including the fast tau-b bootstrap."""

import numpy as np
import pytest
from scipy import stats

from nasnb.analysis import bootstrap, bootstrap_tau, lilliefors_pvalue
from nasnb.analysis.bootstrap import _TauResampler
from nasnb.exceptions import ParameterError


def paired(n=300, decimals=1, seed=0):
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=n), decimals)
    return x, np.round(x + rng.normal(size=n), decimals)


@pytest.mark.parametrize("decimals", [0, 1, 6])
def test_each_resample_tau_equals_scipy_on_the_same_resample(decimals):
    x, y = paired(200, decimals)
    sampler = _TauResampler(x, y)
    position = np.argsort(sampler.order)  # original pair -> sorted position
    rng = np.random.default_rng(1)
    for _ in range(25):
        idx = rng.integers(0, x.size, x.size)
        counts = np.bincount(position[idx], minlength=x.size)
        assert sampler.tau(counts) == pytest.approx(stats.kendalltau(x[idx], y[idx]).statistic, abs=1e-12)


def test_bootstrap_standard_error_within_10_percent_of_brute_force():
    x, y = paired(300, 1)
    fast = bootstrap_tau(x, y, seed=0)
    rng = np.random.default_rng(123)
    brute = []
    for _ in range(2000):
        idx = rng.integers(0, x.size, x.size)
        brute.append(stats.kendalltau(x[idx], y[idx]).statistic)
    brute = np.asarray(brute)
    assert fast.n_resamples == 800
    assert fast.std_error == pytest.approx(brute.std(ddof=1), rel=0.10)
    assert fast.mean == pytest.approx(brute.mean(), abs=0.01)
    assert fast.estimate == pytest.approx(stats.kendalltau(x, y).statistic)
    assert fast.ci_low < fast.estimate < fast.ci_high
    assert 0.0 <= fast.lilliefors_pvalue <= 1.0


def test_bootstrap_tau_is_reproducible_and_rounds():
    x, y = paired(150, 3)
    a = bootstrap_tau(x, y, n_resamples=100, seed=7)
    b = bootstrap_tau(x, y, n_resamples=100, seed=7)
    assert np.array_equal(a.distribution, b.distribution)
    r = bootstrap_tau(x, y, n_resamples=100, decimals=0, seed=7)
    assert r.estimate == pytest.approx(stats.kendalltau(np.round(x), np.round(y)).statistic)


def test_generic_bootstrap_of_the_mean_matches_theory():
    data = np.random.default_rng(0).normal(size=400)
    res = bootstrap(np.mean, data, n_resamples=800, seed=0)
    assert res.estimate == pytest.approx(data.mean())
    assert res.std_error == pytest.approx(data.std(ddof=1) / np.sqrt(data.size), rel=0.1)
    assert res.as_dict()["n_resamples"] == 800
    # paired statistic on two samples
    x, y = paired(100, 6)
    res2 = bootstrap(lambda a, b: stats.kendalltau(a, b).statistic, x, y, n_resamples=200, seed=1)
    assert res2.estimate == pytest.approx(stats.kendalltau(x, y).statistic)


def test_lilliefors_flags_non_normal_distributions():
    rng = np.random.default_rng(0)
    assert lilliefors_pvalue(rng.normal(size=800)) > 0.01
    assert lilliefors_pvalue(rng.exponential(size=800)) < 0.01
    assert np.isnan(lilliefors_pvalue(np.ones(50)))


def test_bootstrap_bad_input():
    with pytest.raises(ParameterError, match="at least 2"):
        bootstrap_tau([], [])
    with pytest.raises(ParameterError, match="NaN"):
        bootstrap_tau([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])
    with pytest.raises(ParameterError, match="same length"):
        bootstrap_tau([1, 2, 3], [1, 2])
    with pytest.raises(ParameterError, match="n_resamples"):
        bootstrap_tau([1, 2, 3], [1, 2, 3], n_resamples=0)
    with pytest.raises(ParameterError, match="equal length"):
        bootstrap(np.mean, [1, 2, 3], [1, 2])
    with pytest.raises(ParameterError, match="statistic"):
        bootstrap("mean", [1, 2, 3])
