"""Issue 25, point 4: data-parallel training and DARTS Algorithm 1 with one rank per host.

The engines on hosts b and c are two MPI jobs, so the torch.distributed group (gloo over TCP)
meets at rank 0's address on the hosts' network (``rendezvous_point``), not on the loopback.
The same calls on two MPI engines of one host give the same numbers.
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from .client import data_parallel
from .harness import host_name

pytestmark = [pytest.mark.multihost, pytest.mark.cluster]


def test_data_parallel_training_and_darts_across_hosts_equal_one_host(hosts):
    done = hosts.run("a", [sys.executable, "-m", "tests.multihost.client", str(hosts.client_file), "-", "-",
                           "--task", "data-parallel"], timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    across = json.loads(done.stdout.strip().splitlines()[-1])
    assert "error" not in across, across["error"]
    assert across["hosts"] == [host_name("b"), host_name("c")]
    assert [r["rank"] for r in across["darts"]] == [0, 1] and {r["workers"] for r in across["darts"]} == {2}

    if shutil.which("mpiexec") is None:  # pragma: no cover - the harness needed it already
        pytest.skip("mpiexec is not on PATH")
    from nasnb.cluster import Cluster

    with Cluster(n=2, timeout=120, threads_per_engine=1) as env:  # two MPI engines on this one host
        one_host = json.loads(json.dumps(data_parallel(env), default=repr))
    assert across["loss"] == one_host["loss"] and across["metrics"] == one_host["metrics"]
    assert across["darts"] == one_host["darts"]  # Algorithm 1: same architecture weights, bit for bit
