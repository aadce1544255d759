"""Issue 5, done-when 5: regularized evolution with LocalEvaluator on ``digits`` (20 evaluations
of 1 epoch) runs serially and on a 2-engine cluster, and the same seed gives the same history."""

import shutil

import numpy as np
import pytest

pytest.importorskip("torch")

from nasnb.genomes import ConvBlockGenes  # noqa: E402
from nasnb.spaces import GenomeSpace  # noqa: E402
from nasnb.strategies import RegularizedEvolution  # noqa: E402

KWARGS = {"epochs": 1, "dataset": "digits"}


def search():
    # DeepNEAT conv blocks with 4-8 filters (instead of 32-56) keep 20 trainings fast
    space = GenomeSpace(ConvBlockGenes(4, 8))
    return RegularizedEvolution(space, 6, 3, seed=0, workers=2)


@pytest.mark.cluster
def test_same_seed_same_history_serial_and_on_two_engines():
    pytest.importorskip("ipyparallel")
    if shutil.which("mpiexec") is None:
        pytest.skip("mpiexec is not available")
    from nasnb.cluster import Cluster
    from nasnb.evaluators import LocalEvaluator

    evaluator = LocalEvaluator(batch_size=128)
    serial = search().run(evaluator, 20, evaluate_kwargs=KWARGS)
    with Cluster(2, timeout=120) as env:
        distributed = search().run(evaluator, 20, executor=env, evaluate_kwargs=KWARGS)
    assert serial.status_counts == {"done": 20}, serial.messages
    assert distributed.candidates == serial.candidates
    assert distributed.statuses == serial.statuses
    np.testing.assert_array_equal(distributed.fitness, serial.fitness)
    assert serial.parents.tolist() == distributed.parents.tolist()
