"""A client on one of the harness' hosts: connect with ``Cluster(connection_file=...)``, run a search.

Run on host a by the tests and the benchmark::

    ip netns exec <ns of a> python -m tests.multihost.client CONNECTION_FILE STORE STUDY \\
        --budget 16 --mode batch --engines 2

``--task data-parallel`` instead trains one network data-parallel over all engines
(:meth:`~nasnb.Cluster.data_parallel_evaluate`) and runs DARTS Algorithm 1 on them, printing
both results (:func:`data_parallel`); with ``--one-host FILE`` it then does the same on the
engines of that cluster (two MPI engines of one host), the reference.

A search prints one JSON line: the history (candidates as ``repr``, fitness), the engine losses it saw
(``time.time()`` and message of every ``EngineLostWarning``), the run's start and end, or the
``ClusterError`` that stopped it. ``--mode batch,async`` runs both searches in turn on one
connection (studies ``STUDY-batch`` and ``STUDY-async``; their histories under ``runs``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings

#: The DARTS search of the data-parallel check (tiny: seconds on two CPU engines).
DARTS = {"channels": 4, "layers": 2, "nodes": 2, "epochs": 1, "batch_size": 32, "percentage": 0.1}


def data_parallel(env) -> dict:
    """Data-parallel training and DARTS Algorithm 1 on every engine of ``env``; JSON-ready results."""
    from nasnb.darts import DartsConfig, darts_parallel
    from nasnb.descriptors import NeuralDescriptor
    from nasnb.evaluators import LocalEvaluator

    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 6, "kernel_size": 3})
    d.add_layer_sequential("nn.ReLU")
    evaluator = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=128, device="cpu")
    result = env.data_parallel_evaluate(d, 1, "digits", 0.25, seed=0, evaluator=evaluator)
    darts = darts_parallel(DartsConfig(**DARTS), algorithm="algorithm1", cluster=env)
    return {"loss": result.loss, "metrics": result.metrics,
            "darts": [{"rank": r.rank, "workers": r.workers, "genotype": repr(r.genotype),
                       "alphas_normal": r.alphas_normal, "alphas_reduce": r.alphas_reduce} for r in darts]}


def _until_engines_at_most(connect: dict, k: int, timeout: float) -> None:
    """Wait until the controller has at most ``k`` engines registered."""
    import ipyparallel as ipp

    client = ipp.Client(connection_info=connect.get("connection_file"), profile=connect.get("profile"), timeout=30)
    try:
        deadline = time.monotonic() + timeout
        while len(client.ids) > k:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the controller still has engines {client.ids} after {timeout} s")
            time.sleep(0.1)
    finally:
        client.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("connection_file", help="the client connection file, or profile=NAME")
    parser.add_argument("store")
    parser.add_argument("study")
    parser.add_argument("--budget", type=int, default=16)
    parser.add_argument("--mode", default="batch", help="batch, async, or both in turn (batch,async: studies "
                                                          "STUDY-batch and STUDY-async, one connection)")
    parser.add_argument("--engines", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.2)
    parser.add_argument("--sigma", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--task", default="search", choices=("search", "data-parallel"))
    parser.add_argument("--one-host", metavar="CONNECTION_FILE",
                        help="with --task data-parallel: afterwards, the same on the --engines engines of this "
                             "cluster (two MPI engines of one host), under `one_host`")
    parser.add_argument("--engines-at-most-first", type=int, default=-1, metavar="K",
                        help="before connecting, wait (up to 60 s) until the controller has at most K engines "
                             "(it unregistered those of a lost host, a cancelled job)")
    args = parser.parse_args(argv)
    modes = args.mode.split(",")
    if not set(modes) <= {"batch", "async"}:
        parser.error(f"--mode: batch, async or batch,async, not {args.mode!r}")

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
    out: dict = {"lost": lost}
    try:
        where = args.connection_file  # a connection file, or profile=NAME
        connect = ({"profile": where.split("=", 1)[1]} if where.startswith("profile=") else
                   {"connection_file": where})
        if args.engines_at_most_first >= 0:
            _until_engines_at_most(connect, args.engines_at_most_first, 60.0)
        runs = {}
        with Cluster(n=args.engines, timeout=args.timeout, threads_per_engine=1, **connect) as env:
            out["hosts"] = sorted({info["host"] for info in env.engine_info().values()})
            if args.task == "data-parallel":
                out.update(data_parallel(env))
            else:
                out["start"] = time.time()
                for mode in modes:
                    study = ExperimentStore(args.store).create_study(args.study if len(modes) == 1 else
                                                                     f"{args.study}-{mode}")
                    history = search(workers=args.workers).run(PacedTable(args.pause, args.sigma), args.budget,
                                                               study=study, executor=env, mode=mode)
                    runs[mode] = {"candidates": [repr(c) for c in history.candidates],
                                  "fitness": history.fitness.tolist()}
                out["end"] = time.time()
        if args.task == "data-parallel" and args.one_host:
            with Cluster(n=args.engines, timeout=args.timeout, threads_per_engine=1,
                         connection_file=args.one_host) as env:
                out["one_host"] = {"hosts": sorted({info["host"] for info in env.engine_info().values()}),
                                   **data_parallel(env)}
        if len(runs) == 1:
            out.update(runs[modes[0]])
        elif runs:
            out["runs"] = runs
    except ClusterError as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out, default=repr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
