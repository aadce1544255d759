"""Multi-host benchmark (issue 25): a search across two hosts, and a host that fails.

The hosts are network namespaces on this machine (``tests/multihost/harness.py``): the
controller and the client on host a, one MPI engine on each of hosts b and c, over TCP on veth
links. Measured in one run:

1. Parallel efficiency of an asynchronous regularized evolution (2 workers) whose evaluations
   take lognormal times (median ``--median`` s, sigma 0.8, a function of the candidate):
   busy engine-seconds / (2 x the client's wall time of the run), next to the efficiency of
   the ideal asynchronous schedule of the same durations on 2 workers (``simulate_schedule``);
   their ratio is what the network, ipyparallel and the client loop cost.
2. Time from a host failure (its link taken down, then its processes killed: only the
   heartbeat can tell) to the resubmission of its evaluation (nasnb's ``EngineLostWarning``),
   with the controller's ``HeartMonitor.period=1000`` ms and ``max_heartmonitor_misses=3``;
   ``--failures`` repetitions (the host rejoins with new engines between them).

Needs root and ``ip netns``; elsewhere it prints why and exits 0. Run
``sudo python3 benchmarks/bench_multihost.py`` (about a minute). ``--quick`` (or
``NASNB_BENCH_QUICK=1``, as CI runs it: a few seconds) measures only the efficiency, on 8
evaluations, and writes into a temporary folder: a failure costs the heartbeat and
ipyparallel's 5 s scheduler delay, which ``tests/multihost`` pays once already
(``test_a_host_that_fails_mid_study_loses_nothing_and_rejoins`` bounds the same delay). Writes
``benchmarks/results/multihost.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.multihost.harness import HEARTBEAT_MISSES, HEARTBEAT_MS, Hosts, available  # noqa: E402


def client(hosts: Hosts, store: Path, study: str, budget: int, *, mode: str, median: float, sigma: float,
           wait: bool = True):
    argv = [sys.executable, "-m", "tests.multihost.client", str(hosts.client_file), str(store), study,
            "--budget", str(budget), "--mode", mode, "--pause", str(median), "--sigma", str(sigma)]
    if not wait:
        return hosts.popen("a", argv)
    done = hosts.run("a", argv, timeout=600)
    return parse(done.stdout + done.stderr)


def parse(output: str) -> dict:
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the client printed no result:\n{output[-3000:]}")
    out = json.loads(lines[-1])
    if "error" in out:
        raise RuntimeError(out["error"])
    return out


def durations(store: Path) -> list[float]:
    with sqlite3.connect(store) as conn:
        return [f - s for s, f in conn.execute("SELECT started, finished FROM evaluations ORDER BY seq")]


def rows(store: Path) -> int:
    try:
        with sqlite3.connect(store) as conn:
            return conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def efficiency(hosts: Hosts, folder: Path, budget: int, median: float) -> dict:
    from nasnb.executors import simulate_schedule

    store = folder / "efficiency.sqlite"
    out = client(hosts, store, "efficiency", budget, mode="async", median=median, sigma=0.8)
    d = durations(store)
    wall = out["end"] - out["start"]
    measured = sum(d) / (2 * wall)
    ideal = simulate_schedule(d, 2, mode="async").efficiency()
    return {"evaluations": len(d), "busy": sum(d), "wall": wall, "measured": measured, "ideal": ideal}


def failure(hosts: Hosts, folder: Path, k: int, budget: int, median: float) -> float:
    store = folder / f"failure{k}.sqlite"
    proc = client(hosts, store, "failure", budget, mode="batch", median=median, sigma=0.0, wait=False)
    while rows(store) < 2 and proc.poll() is None:
        time.sleep(0.05)
    down = hosts.fail("b")
    out = parse(proc.communicate(timeout=600)[0])
    if not out["lost"]:
        raise RuntimeError("the failed host had no evaluation in flight")
    hosts.restore("b")
    hosts.wait_for_engines(2)
    return out["lost"][0][0] - down


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("NASNB_BENCH_QUICK") == "1")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "multihost.md"))
    args = parser.parse_args()
    why = available()
    if why is not None:
        print(f"bench_multihost: skipped, {why}")
        return 0
    budget, median, failures = (8, 0.1, 0) if args.quick else (80, 0.5, 3)
    # (the client waits for the engines itself: Cluster(n=2) on host a)
    with tempfile.TemporaryDirectory(prefix="nasnb-bench-mh-") as tmp, Hosts(wait=False) as hosts:
        eff = efficiency(hosts, Path(tmp), budget, median)
        latencies = [failure(hosts, Path(tmp), k, 12, 0.5) for k in range(failures)]
    lines = [
        "## Multi-host (issue 25)",
        "",
        "Hosts are network namespaces joined by veth links (`tests/multihost/harness.py`): controller and client on "
        f"host a, one MPI engine on each of hosts b and c; {os.cpu_count()} cores shared with other work. "
        f"{'Quick mode (no host failure). ' if args.quick else ''}Run `sudo python3 benchmarks/bench_multihost.py`.",
        "",
        f"Asynchronous regularized evolution, 2 workers, {eff['evaluations']} evaluations of lognormal duration "
        f"(median {median} s, sigma 0.8):",
        "",
        "| busy engine-s | wall s | efficiency across 2 hosts | ideal async schedule | measured / ideal |",
        "|---|---|---|---|---|",
        f"| {eff['busy']:.1f} | {eff['wall']:.1f} | {eff['measured']:.3f} | {eff['ideal']:.3f} | "
        f"{eff['measured'] / eff['ideal']:.3f} |",
        "",
    ]
    if latencies:
        lines += [
            f"Host failure (link down, then its processes killed) to resubmission of its evaluation, "
            f"HeartMonitor.period={HEARTBEAT_MS} ms, max_heartmonitor_misses={HEARTBEAT_MISSES} "
            f"(documented bound: {(HEARTBEAT_MISSES + 2) * HEARTBEAT_MS / 1000:.0f} s heartbeat + 5 s ipyparallel's "
            "task scheduler + 0.5 s client poll):",
            "",
            "| repetitions | mean s | min s | max s |",
            "|---|---|---|---|",
            f"| {len(latencies)} | {np.mean(latencies):.2f} | {min(latencies):.2f} | {max(latencies):.2f} |",
            "",
        ]
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    if args.quick:
        out = Path(tempfile.gettempdir()) / "nasnb-bench-multihost-quick.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
