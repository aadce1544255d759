"""Shared test configuration: keep torch single-threaded so tests share 2 cores fairly."""

import os

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


#: Tests that share a machine-wide resource run one after another on one pytest-xdist worker
#: (``make test`` runs ``-n 2 --dist loadgroup``): the multi-host harness creates named network
#: namespaces and a one-node Slurm; the browser tests drive JupyterLab with two busy processes
#: beside it. Everything else is spread over both workers.
_GROUPS = {"tests/multihost/": "multihost", "[bench_multihost]": "multihost"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = next((name for key, name in _GROUPS.items() if key in item.nodeid), None)
        if group is None and item.get_closest_marker("browser") is not None:
            group = "browser"
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
