"""Run every benchmark script in this folder and gather their results into RESULTS.md.

Each ``bench_*.py`` measures its goals side by side in one run, prints the ratios and
writes a Markdown section to ``benchmarks/results/<area>.md``. This script runs them one
after another (never in parallel: they time things) and concatenates the sections.

Usage::

    python benchmarks/run_all.py                 # all of them, then RESULTS.md
    python benchmarks/run_all.py cluster tabular # only these, then re-gather
    python benchmarks/run_all.py --quick         # smoke test: every script in its quick mode

Works from a fresh clone: the scripts run with the repository root on ``PYTHONPATH`` (no
install needed) and depend on nasnb and helpers in this folder only. ``--quick`` runs each
script with small sizes (``NASNB_BENCH_QUICK=1`` plus the arguments in :data:`QUICK_ARGS`)
in a temporary copy of this folder, so quick numbers never overwrite ``results/`` or the
README figures; it checks that every benchmark still runs, not how fast.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

#: Arguments that make a script quick (every script also sees ``NASNB_BENCH_QUICK=1``).
QUICK_ARGS: dict[str, list[str]] = {
    "bench_cluster.py": ["--tasks", "2", "--seconds", "0.2", "--trivial", "20", "--rows", "500"],
    "bench_core_build.py": ["--repeats", "1"],
    "bench_core_train.py": ["--repeats", "1", "--import-repeats", "1", "--samples", "200"],
    "bench_nb201.py": ["--quick"],
    "bench_predictors_darts.py": ["--quick"],
    "bench_search.py": ["--seeds", "1", "--evals", "100"],
    "bench_simulated.py": ["--quick"],
    "bench_tabular.py": ["--quick"],
}

#: Scripts that start MPI engines (``tests/test_benchmarks_quick.py`` skips them where mpiexec is absent).
MPI_SCRIPTS = {"bench_cluster.py", "bench_executor.py"}


def scripts(selected: list[str] | None = None) -> list[Path]:
    """The ``bench_*.py`` scripts of this folder (those named in ``selected``, e.g. ``["cluster"]``)."""
    found = sorted(HERE.glob("bench_*.py"))
    if selected:
        found = [s for s in found if s.stem.removeprefix("bench_") in selected or s.name in selected]
    return found


def environment(quick: bool) -> dict[str, str]:
    """The environment a benchmark runs in: repository root importable, quick flag when asked."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.setdefault("MPLBACKEND", "Agg")
    if quick:
        env["NASNB_BENCH_QUICK"] = "1"
    else:
        env.pop("NASNB_BENCH_QUICK", None)
    return env


def quick_copy(target: Path) -> Path:
    """Copy this folder's scripts and helpers to ``target/benchmarks`` (results go there too)."""
    folder = target / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    for path in HERE.glob("*.py"):
        shutil.copy2(path, folder / path.name)
    (folder / "results").mkdir(exist_ok=True)
    return folder


def command(script: Path, quick: bool) -> list[str]:
    """The command line of one benchmark script."""
    return [sys.executable, str(script)] + (QUICK_ARGS.get(script.name, []) if quick else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (e.g. cluster tabular); default all")
    parser.add_argument("--quick", action="store_true", help="smoke test: quick mode, in a temporary folder")
    args = parser.parse_args(argv)
    selected = scripts(args.names)
    if not selected:
        print(f"no benchmark matches {args.names}", file=sys.stderr)
        return 2
    env = environment(args.quick)
    failures = []
    with tempfile.TemporaryDirectory(prefix="nasnb-bench-") as tmp:
        folder = quick_copy(Path(tmp)) if args.quick else HERE
        cwd = folder.parent
        for script in selected:
            print(f"=== {script.name}{' (quick)' if args.quick else ''}", flush=True)
            start = time.perf_counter()
            rc = subprocess.call(command(folder / script.name, args.quick), cwd=cwd, env=env)
            print(f"=== {script.name}: exit {rc} after {time.perf_counter() - start:.1f} s", flush=True)
            if rc != 0:
                failures.append(script.name)
    if not args.quick:
        gather()
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


def gather() -> None:
    """Write RESULTS.md: a header, then every ``results/*.md`` section in name order."""
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    header = [
        "# nasnb benchmark results",
        "",
        "Produced by `python benchmarks/run_all.py` (each section by its own `bench_*.py`,",
        "measured side by side in one run). Machine: "
        f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
        f"torch {torch_version}, {os.cpu_count()} cores.",
        "",
    ]
    sections = [p.read_text(encoding="utf-8").strip() for p in sorted(RESULTS.glob("*.md"))]
    (HERE / "RESULTS.md").write_text("\n".join(header) + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
