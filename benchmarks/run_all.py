"""Run every benchmark script in this folder and gather their results into RESULTS.md.

Each ``bench_*.py`` measures its goals side by side in one run, prints the ratios and
writes a Markdown section to ``benchmarks/results/<area>.md``. This script runs them one
after another (never in parallel: they time things) and concatenates the sections.

Usage::

    python benchmarks/run_all.py            # all of them
    python benchmarks/run_all.py cluster    # only bench_cluster.py, then re-gather
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def main(selected: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if selected:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in selected]
    failures = 0
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"=== {script.name}: exit {rc} after {time.perf_counter() - start:.1f} s", flush=True)
        failures += rc != 0
    gather()
    return 1 if failures else 0


def gather() -> None:
    import torch

    header = [
        "# nasnb benchmark results",
        "",
        "Produced by `python benchmarks/run_all.py` (each section by its own `bench_*.py`,",
        "measured side by side in one run). Machine: "
        f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
        f"torch {torch.__version__}, {__import__('os').cpu_count()} cores.",
        "",
    ]
    sections = [p.read_text(encoding="utf-8").strip() for p in sorted(RESULTS.glob("*.md"))]
    (HERE / "RESULTS.md").write_text("\n".join(header) + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
