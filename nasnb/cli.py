"""The ``nasnb`` command: ``nasnb demo`` runs the README's main job; ``nasnb export`` feeds trackers.

``nasnb demo`` (also ``python -m nasnb demo``) walks the whole flow of the toolkit on
scikit-learn's digits (shipped with scikit-learn, nothing is downloaded): describe and build a
branched network, train it, run a regularized-evolution search in the chapter-6 layer-choice
space recorded in a SQLite study, then run the same search on a 2-engine MPI cluster by
changing one line, check that both histories are identical, and save the progress and
overlay figures.

``nasnb export mlflow STORE STUDY`` and ``nasnb export tensorboard STORE STUDY --logdir DIR``
export a recorded study (see :mod:`nasnb.export`); ``nasnb studies STORE`` lists the studies of
a store; ``nasnb dashboard STORE`` serves a study browser on it (see
:mod:`nasnb.viz.dashboard_app`). ``nasnb --version`` prints the version.

Errors end the command in one line on stderr, ``nasnb: error: ...`` naming the file or argument,
with exit status 1 (2 for a wrong command line); ``--debug`` shows the traceback instead.
Ctrl-C ends it with status 130.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

__all__ = ["main", "demo"]

_BUDGETS = {
    "small": {"population": 6, "sample": 3, "evaluations": 12, "epochs": 2, "channels": 16},
    "full": {"population": 20, "sample": 5, "evaluations": 100, "epochs": 10, "channels": 32},
}


def _say(text: str) -> None:
    print(text, flush=True)


def demo(out: Path, budget: str = "small", cluster: bool = True, seed: int = 0) -> dict:
    """Run the demo; return a dict of what it measured (used by the tests)."""
    import torch

    import nasnb
    from nasnb.viz import plot_overlay, plot_progress

    torch.set_num_threads(1)  # networks this small train fastest on one thread (engines get one each too)
    cfg = _BUDGETS[budget]
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {}
    started = time.perf_counter()
    # the engines start (and import torch) while steps 1-3 run here; step 4 enters them
    env = nasnb.Cluster(n=2).start() if cluster else None

    _say("1. Describe a branched network (three convolutions, two max-pools; one pool merges two inputs)")
    d = nasnb.NeuralDescriptor("branched")
    c1 = d.add_layer("nn.Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}, name="conv1")
    p1 = d.add_layer("nn.MaxPool2d", {"kernel_size": 2}, name="pool1")
    c2 = d.add_layer("nn.Conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1}, name="conv2")
    c3 = d.add_layer("nn.Conv2d", {"out_channels": 12, "kernel_size": 1}, name="conv3")
    p2 = d.add_layer("nn.MaxPool2d", {"kernel_size": 2}, name="pool2")
    for src, dst in [(c1, p1), (p1, c2), (c1, c3), (c2, p2), (c3, p2)]:
        d.connect_layers(src, dst)
    net = nasnb.build_network(d, (1, 8, 8), 10)
    _say(net.summary())

    _say("\n2. Train it on digits with the LocalEvaluator")
    evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-2}, batch_size=64)
    loss, metrics, seconds = evaluator.descriptor_evaluate(d, cfg["epochs"] + 3, "digits", seed=seed)
    _say(f"   test loss {loss:.3f}, accuracy {metrics['accuracy']:.3f}, {seconds:.1f} s")
    report["branched_accuracy"] = metrics["accuracy"]

    _say("\n3. Regularized evolution in the chapter-6 twelve-choice space, recorded in a SQLite study")
    space = nasnb.layer_choice_space(channels=cfg["channels"])
    evaluate_kwargs = {"epochs": cfg["epochs"], "dataset": "digits"}
    store = nasnb.ExperimentStore(out / "demo.sqlite")

    def search(executor=None):
        strategy = nasnb.RegularizedEvolution(space, cfg["population"], cfg["sample"], seed=seed, workers=2)
        name = "local" if executor is None else "cluster"
        study = store.create_study(
            f"demo-{budget}-{name}", {"strategy": strategy.config(), "evaluate": evaluate_kwargs}
        )
        return strategy.run(
            evaluator, cfg["evaluations"], study=study, executor=executor, evaluate_kwargs=evaluate_kwargs
        )

    start = time.perf_counter()
    local = search()
    report["local_seconds"] = time.perf_counter() - start
    _say(
        f"   {len(local)} evaluations in {report['local_seconds']:.1f} s; best accuracy "
        f"{local.best.fitness:.3f}; statuses {local.status_counts}"
    )

    histories = {"local": local}
    if env is not None:  # (started when ``cluster``)
        _say("\n4. The same search on 2 MPI engines: one changed line (executor=env)")
        start = time.perf_counter()
        with env:
            distributed = search(executor=env)
        report["cluster_seconds"] = time.perf_counter() - start
        same = list(distributed.fitness) == list(local.fitness) and distributed.keys == local.keys
        report["identical_histories"] = same
        _say(
            f"   {len(distributed)} evaluations in {report['cluster_seconds']:.1f} s (the engines started during "
            f"steps 1-3); identical history to the local run: {same}"
        )
        histories["2 MPI engines"] = distributed

    _say("\n5. Figures")
    frames = {label: h.to_dataframe() for label, h in histories.items()}
    plot_progress(frames).savefig(out / "progress.png", dpi=120)
    plot_overlay([space.to_descriptor(c) for c in local.candidates if space.invalid_reason(c) is None]).savefig(
        out / "overlay.png", dpi=120
    )
    _say(f"   wrote {out / 'progress.png'} and {out / 'overlay.png'}; the study is in {out / 'demo.sqlite'}")
    report["best_fitness"] = local.best.fitness
    report["total_seconds"] = time.perf_counter() - started
    return report


class _Parser(argparse.ArgumentParser):
    """argparse with every sub-command taking ``--debug`` too (after the command's name)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="on an error, show the full traceback instead of a one-line message",
        )


def _parser() -> argparse.ArgumentParser:
    import nasnb

    parser = _Parser(
        prog="nasnb",
        description="nasnb: notebook-first neural architecture search.",
        epilog="Run 'nasnb COMMAND --help' for the options of a command.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {nasnb.__version__}", help="print the version and exit"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "demo",
        help="run the main job on embedded data (digits), locally and on 2 MPI engines",
        description="Describe, build and train a branched network on scikit-learn's digits, run a "
        "regularized-evolution search recorded in a SQLite study, run the same search on a "
        "2-engine MPI cluster, check that both histories are identical and save the "
        "progress and overlay figures. Nothing is downloaded.",
    )
    p.add_argument(
        "--budget",
        choices=sorted(_BUDGETS),
        default="small",
        help="size of the search: 'small' takes about a minute, 'full' much longer (default: small)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("nasnb-demo"),
        help="directory for the SQLite study and the figures (default: nasnb-demo)",
    )
    p.add_argument(
        "--no-cluster", action="store_true", help="skip the part that runs the same search on a 2-engine MPI cluster"
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the training and the search (default: 0)")

    p = sub.add_parser(
        "studies",
        help="list the studies of an experiment store with their evaluation counts",
        description="List the studies of an experiment store (opened read-only).",
    )
    p.add_argument("store", type=Path, help="the SQLite file of an nasnb.ExperimentStore")

    p = sub.add_parser(
        "export",
        help="export a recorded study to MLflow or TensorBoard",
        description="Export a recorded study: one run per finished evaluation (see nasnb.export).",
    )
    targets = p.add_subparsers(dest="target", required=True, metavar="TARGET", parser_class=_Parser)
    for name, text in (
        ("mlflow", "one MLflow run per evaluation, nested under a run for the study"),
        ("tensorboard", "TensorBoard HParams: one session per evaluation"),
    ):
        t = targets.add_parser(name, help=text, description=f"Export a study: {text}.")
        t.add_argument("store", type=Path, help="the SQLite file of an nasnb.ExperimentStore")
        t.add_argument("study", help="name of the study to export ('nasnb studies STORE' lists them)")
        if name == "mlflow":
            t.add_argument(
                "--tracking-uri",
                default=None,
                help="MLflow tracking URI, e.g. sqlite:///mlflow.db (default: MLFLOW_TRACKING_URI or MLflow's default)",
            )
            t.add_argument(
                "--experiment",
                default=None,
                help="MLflow experiment name, created when missing (default: the study's name)",
            )
        else:
            t.add_argument(
                "--logdir",
                type=Path,
                required=True,
                help="directory to write; view it with 'tensorboard --logdir LOGDIR'",
            )
    p = sub.add_parser(
        "dashboard",
        help="browse the studies of a store in a web page (live, read-only)",
        description="Serve a study browser (Voila) on the store, opened read-only: a sortable, "
        "filterable table of evaluations, the explorer (click a point to see its architecture), "
        "best-so-far and timeline charts of several studies side by side, refreshed while a "
        "search writes the store. Prints the URL; Ctrl+C stops it.",
    )
    p.add_argument("store", type=Path, help="the SQLite file of an nasnb.ExperimentStore")
    p.add_argument("--port", type=int, default=None, help="port to listen on (default: a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--interval", type=float, default=3.0, help="seconds between reads of the store (default: 3)")
    p = sub.add_parser(
        "classroom",
        help="write the student and solution editions of classroom lessons",
        description="From each lesson source (a jupytext percent script with "
        "'### BEGIN SOLUTION' / '### END SOLUTION' markers), write its student edition (answers "
        "blank, check() gives hints) and its solution edition (see notebooks/classroom/README.md).",
    )
    p.add_argument(
        "sources",
        nargs="+",
        type=Path,
        metavar="SOURCE",
        help="lesson sources or folders of them (e.g. notebooks/classroom)",
    )
    p.add_argument(
        "--outdir",
        type=Path,
        default=None,
        help="where the student/ and solutions/ folders go (default: beside each source)",
    )
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when an edition is missing or out of date"
    )
    return parser


class _Failure(Exception):
    """A command-line error whose message is complete (printed after ``nasnb: error:``)."""


def _open_store(path: Path):
    from nasnb.store import ExperimentStore

    if path.is_dir():
        raise _Failure(f"{path} is a directory, not an experiment store (give the SQLite file)")
    if not path.is_file():
        raise _Failure(f"no experiment store at {path}")
    return ExperimentStore(path, read_only=True)


def _open_study(path: Path, name: str):
    store = _open_store(path)
    names = store.study_names()
    if name not in names:
        listed = ", ".join(repr(_shorten(n)) for n in names[:20]) + (", ..." if len(names) > 20 else "")
        raise _Failure(f"store {path} has no study {_shorten(name)!r}; it has {len(names)}: {listed}")
    return store.load_study(name)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _one_line(exc: BaseException, args: argparse.Namespace) -> str:
    """The message of ``exc`` on one line, naming the store when the message does not."""
    import sqlite3

    from nasnb.exceptions import NasnbError

    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, (NasnbError, _Failure, OSError)):
        text = f"{type(exc).__name__}: {text}"
    store = getattr(args, "store", None)
    if isinstance(exc, (sqlite3.Error, RecursionError)) and store is not None and str(store) not in text:
        text = f"{store}: {text}"
    return text


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``nasnb`` console command (and of ``python -m nasnb``).

    Returns the exit status: 0 on success, 1 on an error (one line on stderr, see the module
    docstring), 130 on Ctrl-C.
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if getattr(args, "debug", False):
        return _command(args)
    try:
        return _command(args)
    except KeyboardInterrupt:
        print("nasnb: interrupted", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - the command line reports every error in one line
        print(f"nasnb: error: {_one_line(exc, args)} (run with --debug for the traceback)", file=sys.stderr, flush=True)
        return 1


def _command(args: argparse.Namespace) -> int:
    if args.command == "demo":
        report = demo(args.out, args.budget, cluster=not args.no_cluster, seed=args.seed)
        return 0 if report.get("identical_histories", True) else 1
    if args.command == "classroom":
        from nasnb.classroom.editions import main as editions

        return editions(
            [
                *(["--check"] if args.check else []),
                *(["--outdir", str(args.outdir)] if args.outdir else []),
                *map(str, args.sources),
            ]
        )
    if args.command == "dashboard":
        from nasnb.viz.dashboard_app import serve

        serve(
            args.store,
            port=args.port,
            host=args.host,
            open_browser=not args.no_browser,
            interval=args.interval,
            announce=_say,
        )  # a NasnbError becomes the one-line error of main()
        return 0
    if args.command == "studies":
        store = _open_store(args.store)
        for name in store.study_names():
            _say(f"{name}\t{len(store.load_study(name))} evaluations")
        return 0
    from nasnb import export

    study = _open_study(args.store, args.study)
    if args.target == "mlflow":
        run_id = export.export_mlflow(study, tracking_uri=args.tracking_uri, experiment=args.experiment)
        _say(
            f"exported study {_shorten(study.name)!r} to MLflow: parent run {run_id}; "
            f"{export.mlflow_open_hint(args.tracking_uri)}"
        )
    else:
        logdir = export.export_tensorboard(study, args.logdir)
        _say(f"exported study {_shorten(study.name)!r} to {logdir}; view it with: tensorboard --logdir {logdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
