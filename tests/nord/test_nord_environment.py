"""The thesis' distributed Environment listing on 2 MPI engines (the one cluster test here)."""

import math
import os
import shutil
import sys

import pytest

pytest.importorskip("ipyparallel")
pytest.importorskip("mpi4py")
if shutil.which("mpiexec") is None:  # pragma: no cover
    pytest.skip("mpiexec is not on PATH", allow_module_level=True)

sys.path.insert(0, os.path.dirname(__file__))
from _nord_scripts import restore_determinism, run_original  # noqa: E402

pytestmark = pytest.mark.cluster

ENVIRONMENT_LISTING = """
import torch.nn as nn
from nord.neural_nets import NeuralDescriptor
from nord.neural_nets.distributed import Environment
from nord.configurations import DistributedConfig
from nord.utils import assure_reproducibility

d = NeuralDescriptor()
d.add_layer_sequential(nn.Conv2d, {'in_channels': 1, 'out_channels': 6, 'kernel_size': 3})
d.add_layer_sequential(nn.MaxPool2d, {'kernel_size': 2, 'stride': 2})

config = DistributedConfig('127.0.0.1', 29533, world_size=2, world_rank=0)
with Environment(config, optimizer='Adam', optimizer_params={'lr': 0.01}) as env:
    workers = env.cluster.num_engines
    assure_reproducibility()
    first = env.descriptor_evaluate(d, epochs=4, dataset='digits')
    assure_reproducibility()
    again = env.descriptor_evaluate(d, 4, 1.0, False, 'digits')
    untrained = env.descriptor_evaluate(d, epochs=1, untrained=True, dataset='digits')
"""


def test_environment_listing_trains_data_parallel_on_two_engines():
    try:
        ns = run_original(ENVIRONMENT_LISTING, "environment_listing")
    finally:
        restore_determinism()
    assert ns["workers"] == 2 and ns["env"].cluster is None  # engines stopped on exit
    loss, metrics, total_time = ns["first"]
    assert math.isfinite(loss) and metrics["accuracy"] > 0.2 and total_time > 0  # chance is 0.1
    assert ns["again"][:2] == ns["first"][:2]  # same global seed -> same data-parallel run
    assert ns["untrained"][1]["accuracy"] < metrics["accuracy"]
