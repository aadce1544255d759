"""Rank correlation: tau-b, rho, top-k tau, tau matrices."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nasnb.analysis import kendall_tau, spearman_rho, tau_matrix, top_k_tau
from nasnb.exceptions import ParameterError


@pytest.mark.parametrize("seed", range(5))
def test_tau_b_equals_scipy_on_random_data_with_ties(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 8, size=200).astype(float)
    y = x + rng.integers(0, 5, size=200)
    assert kendall_tau(x, y) == pytest.approx(stats.kendalltau(x, y, variant="b").statistic, abs=1e-12)
    assert spearman_rho(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


def test_rounding_to_whole_percents_creates_ties():
    proxy = [91.2, 91.4, 95.0, 80.1]
    full = [90.0, 89.0, 93.0, 70.0]
    assert kendall_tau(proxy, full) == pytest.approx(2 / 3)
    rounded = kendall_tau(proxy, full, decimals=0)
    assert rounded == pytest.approx(stats.kendalltau([91, 91, 95, 80], full).statistic)
    assert rounded != kendall_tau(proxy, full)


def test_top_k_tau_on_a_hand_made_example():
    ref = [10, 9, 8, 7, 6, 5, 4, 3]
    # the top half (10, 9, 8, 7) keeps its order in the proxy, the bottom half is reversed
    proxy = [8, 7, 6, 5, 1, 2, 3, 4]
    assert top_k_tau(proxy, ref, 0.5) == 1.0
    assert top_k_tau(proxy, ref, 1.0) == pytest.approx(kendall_tau(proxy, ref))
    # losses: the top set is the lowest reference values (5, 4, 3 and 6 -> reversed in proxy)
    assert top_k_tau(proxy, ref, 0.5, higher_is_better=False) == -1.0
    # at least two architectures are kept
    assert top_k_tau(proxy, ref, 0.01) == 1.0


def long_records():
    rng = np.random.default_rng(0)
    quality = rng.random(30)
    rows = []
    for setup, noise in [("adam-50", 0.0), ("adam-20", 0.05), ("sgd-1", 0.5)]:
        for a in range(30):
            rows.append((a, setup, quality[a] + rng.normal(0, noise)))
    return pd.DataFrame(rows, columns=["arch", "setup", "score"]), quality


def test_tau_matrix_square_and_against_reference():
    df, _ = long_records()
    m = tau_matrix(df)
    assert list(m.index) == list(m.columns) == ["adam-20", "adam-50", "sgd-1"]
    assert np.allclose(np.diag(m), 1.0)
    a = df[df.setup == "adam-20"].sort_values("arch").score.to_numpy()
    b = df[df.setup == "sgd-1"].sort_values("arch").score.to_numpy()
    assert m.loc["adam-20", "sgd-1"] == pytest.approx(kendall_tau(a, b))
    ref = tau_matrix(df, reference="adam-50")
    assert ref.shape == (3, 1)
    assert ref.loc["adam-20", "adam-50"] > ref.loc["sgd-1", "adam-50"]
    top = tau_matrix(df, reference="adam-50", top_fraction=0.5)
    full = df[df.setup == "adam-50"].sort_values("arch").score.to_numpy()
    assert top.loc["sgd-1", "adam-50"] == pytest.approx(top_k_tau(b, full, 0.5))
    both = tau_matrix(df, reference=["adam-50", "adam-20"], method="spearman")
    assert both.shape == (3, 2)


def test_tau_matrix_bad_input():
    df, _ = long_records()
    with pytest.raises(ParameterError, match="more than one score"):
        tau_matrix(pd.concat([df, df.iloc[:1]]))
    with pytest.raises(ParameterError, match="column"):
        tau_matrix(df.rename(columns={"score": "acc"}))
    with pytest.raises(ParameterError, match="reference"):
        tau_matrix(df, reference="nope")
    bad = df.copy()
    bad.loc[3, "score"] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        tau_matrix(bad)
    with pytest.raises(ParameterError, match="non-empty"):
        tau_matrix(df.iloc[:0])


@pytest.mark.parametrize("func", [kendall_tau, spearman_rho])
def test_bad_score_lists_raise(func):
    with pytest.raises(ParameterError, match="at least 2"):
        func([], [])
    with pytest.raises(ParameterError, match="NaN"):
        func([1.0, np.nan, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ParameterError, match="same length"):
        func([1, 2, 3], [1, 2])
    with pytest.raises(ParameterError, match="decimals"):
        func([1, 2, 3], [1, 2, 3], decimals=-1)
    with pytest.raises(ParameterError, match="numbers"):
        func(["a", "b"], [1, 2])


def test_top_k_fraction_must_be_in_unit_interval():
    for bad in (0, 1.5, -0.2):
        with pytest.raises(ParameterError, match="fraction"):
            top_k_tau([1, 2, 3], [1, 2, 3], bad)


def test_analysis_imports_no_torch():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, nasnb.analysis; sys.exit('torch' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
