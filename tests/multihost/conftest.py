"""Fixtures of the multi-host tests: the three hosts of :mod:`tests.multihost.harness` (one set for all
the tests of a module: a test that fails a host brings it back), torn down always, at the end of
the module (under pytest-xdist the worker goes on with other tests: nothing is left running)."""

from __future__ import annotations

import pytest

from .harness import Hosts, available


@pytest.fixture(scope="module")
def hosts():
    why = available()
    if why is not None:
        pytest.skip(f"multi-host tests need network namespaces: {why}")
    # down() runs on any exit: every namespace, veth and process goes. The first client waits for the
    # engines (Cluster(n=2, timeout=60)), so up() does not
    with Hosts(wait=False) as made:
        yield made
