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


def _shares_a_fixture(item) -> bool:
    """Whether ``item`` uses a module-, package- or session-scoped fixture of this suite (a docs
    build, a cluster of MPI engines): its module then stays on one worker, which sets it up once."""
    info = getattr(item, "_fixtureinfo", None)  # (doctest items have none)
    return info is not None and any(
        defs[-1].scope in ("module", "package", "session") and defs[-1].baseid.startswith("tests")
        for defs in info.name2fixturedefs.values()
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = next((name for key, name in _GROUPS.items() if key in item.nodeid), None)
        if group is None and item.get_closest_marker("browser") is not None:
            group = "browser"
        if group is None and _shares_a_fixture(item):
            group = item.nodeid.split("::")[0]
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
