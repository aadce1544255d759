"""A client on one of the harness' hosts: connect with ``Cluster(connection_file=...)``, run a search.

Run on host a by the tests and the benchmark::

    ip netns exec <ns of a> python -m tests.multihost.client CONNECTION_FILE STORE STUDY \\
        --budget 16 --mode batch --engines 2

It prints one JSON line: the history (candidates as ``repr``, fitness), the engine losses it saw
(``time.time()`` and message of every ``EngineLostWarning``), the run's start and end, or the
``ClusterError`` that stopped it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("connection_file")
    parser.add_argument("store")
    parser.add_argument("study")
    parser.add_argument("--budget", type=int, default=16)
    parser.add_argument("--mode", default="batch", choices=("batch", "async"))
    parser.add_argument("--engines", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.2)
    parser.add_argument("--sigma", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    from nasnb.cluster import Cluster, EngineLostWarning
    from nasnb.exceptions import ClusterError
    from nasnb.store import ExperimentStore
    from tests.multihost.workloads import PacedTable, search

    lost: list[tuple[float, str]] = []

    def note(message, category, *rest, **kw):
        if issubclass(category, EngineLostWarning):
            lost.append((time.time(), str(message)))

    warnings.showwarning = note
    warnings.simplefilter("always", EngineLostWarning)
    study = ExperimentStore(args.store).create_study(args.study)
    out: dict = {"lost": lost}
    try:
        with Cluster(n=args.engines, connection_file=args.connection_file, timeout=args.timeout,
                     threads_per_engine=1) as env:
            out["hosts"] = sorted({info["host"] for info in env.engine_info().values()})
            out["start"] = time.time()
            history = search(workers=args.workers).run(PacedTable(args.pause, args.sigma), args.budget, study=study,
                                                       executor=env, mode=args.mode)
            out["end"] = time.time()
        out.update(candidates=[repr(c) for c in history.candidates], fitness=history.fitness.tolist())
    except ClusterError as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
