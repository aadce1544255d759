"""Every benchmark script runs once in its quick mode, so none can rot (no timing assertions).

Each script runs in a subprocess, from a temporary copy of ``benchmarks/`` (as
``benchmarks/run_all.py --quick`` does), so quick numbers never overwrite ``benchmarks/results``
or the README figures.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run_all():
    spec = importlib.util.spec_from_file_location("nasnb_bench_run_all", BENCHMARKS / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RUN_ALL = _run_all()
SCRIPTS = RUN_ALL.scripts()


def test_every_benchmark_is_collected():
    names = {s.name for s in SCRIPTS}
    assert {"bench_tabular.py", "bench_simulated.py", "bench_cluster.py"} <= names
    assert set(RUN_ALL.QUICK_ARGS) <= names  # no stale quick arguments


@pytest.mark.timeout(600)
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_benchmark_runs_in_quick_mode(script, tmp_path):
    if script.name in RUN_ALL.MPI_SCRIPTS and shutil.which("mpiexec") is None:
        pytest.skip(f"{script.name} starts MPI engines; mpiexec is not installed")
    folder = RUN_ALL.quick_copy(tmp_path)
    proc = subprocess.run(RUN_ALL.command(folder / script.name, quick=True), cwd=tmp_path,
                          env=RUN_ALL.environment(quick=True), capture_output=True, text=True, timeout=540)
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip(), f"{script.name} printed nothing"
    assert "Traceback" not in proc.stderr
