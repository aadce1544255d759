"""``Cluster``: the thesis' Environment on ipyparallel MPI engines.

Code in the ``with`` block runs on the client (the master). Evaluations go to a
load-balanced view; the client records every result in the study exactly once, resubmits
the task of an engine that died (naming it in a warning; if the client started the engines
and all of them died — an MPI job loses every rank when one rank dies — it starts a new
set), and records an evaluation that raised as ``failed`` with its traceback.

Each engine unpickles an evaluator once (keyed by a token the client gives that evaluator)
and keeps it, with the data sets it loaded, in the engine's namespace, so a data set is
loaded once per engine, never shipped with each task. Engines pin their thread count to
cores-per-host // engines-per-host.

Examples
--------
A study resumed after a crash runs only what is missing (needs MPI engines; skipped in doctests)::

    with nasnb.Cluster(n=2) as env:                       # or Cluster(cluster_id=...) to connect
        results = env.map_evaluate(descriptors, 1, "digits", seeds=range(8), study=study)
        r = env.descriptor_evaluate(d, 1, "digits", seed=0)   # same API as LocalEvaluator
        futures = [env.submit(d, 1, "digits", seed=s) for s, d in enumerate(descriptors)]
        for f in env.as_completed(futures): ...
        r = env.data_parallel_evaluate(d, 2, "digits", seed=0)  # one network on all engines

>>> Cluster(n=2).num_engines  # not started yet
0
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from nasnb._validation import check_choice, check_fraction, check_positive_int, parameter_error
from nasnb.cluster import connect
from nasnb.cluster.distributed import free_port
from nasnb.cluster.engine import call_task, dumps_object, engine_info, evaluate_task, pin_threads
from nasnb.cluster.tasks import TaskFuture, TaskManager
from nasnb.exceptions import ClusterError
from nasnb.results import EvaluationResult
from nasnb.store.schema import FINAL_STATUSES, check_seed, describe, evaluation_key

__all__ = ["Cluster"]

logger = logging.getLogger(__name__)


def _run_in_context(fn_blob, args, kwargs, backend, rendezvous, timeout):
    from nasnb.cluster.distributed import distributed_context
    from nasnb.cluster.engine import loads_object

    fn = loads_object(fn_blob)
    explicit = {} if rendezvous is None else dict(zip(("rank", "world_size", "master_addr", "port"), rendezvous))
    with distributed_context(backend, timeout=timeout, **explicit) as ctx:
        return ctx.rank, fn(ctx, *args, **kwargs)


def _call_blob(fn_blob, args, kwargs):
    from nasnb.cluster.engine import loads_object

    return loads_object(fn_blob)(*args, **kwargs)


def _data_parallel_entry(ctx, token, blob, descriptor, epochs, dataset, percentage, seed):
    from nasnb.cluster.distributed import data_parallel_evaluate
    from nasnb.cluster.engine import _cached_evaluator

    return data_parallel_evaluate(ctx, _cached_evaluator(token, blob), descriptor, epochs, dataset, percentage, seed)


class Cluster:
    """Start (or connect to) an ipyparallel cluster and evaluate descriptors on it.

    Parameters
    ----------
    n : int, default 2
        Engines to start; when connecting, the number of engines to wait for.
    engines : str, default "mpi"
        Launcher of started engines (``"mpi"``: one MPI job; ``"local"``: separate processes).
    profile, cluster_id, connection_file : optional
        Connect to a running cluster instead of starting one (any of the three).
    timeout : float, default 60
        Seconds to wait for the controller and engines.
    evaluator : object, optional
        Evaluator run on the engines (default: a :class:`~nasnb.evaluators.LocalEvaluator`).
    study : Study, optional
        Where evaluations are recorded unless a call passes its own ``study``.
    progress : bool, default False
        Show a tqdm.auto bar (done / failed / running) while work is in flight.
    threads_per_engine : int, optional
        Threads per engine (default: cores of its host // engines on that host).
    max_retries : int, default 3
        Times a task is resubmitted after the engine running it died.
    mpi_args : list of str, optional
        Extra ``mpiexec`` arguments for started MPI engines.
    """

    def __init__(self, n: int = 2, *, engines: str = "mpi", profile: str | None = None,
                 cluster_id: str | None = None, connection_file: Any = None, timeout: float = 60.0,
                 evaluator: Any = None, study: Any = None, progress: bool = False,
                 threads_per_engine: int | None = None, max_retries: int = 3,
                 mpi_args: Sequence[str] | None = None) -> None:
        self.n = check_positive_int(n, "n", "Cluster")
        self.engines = engines
        self.profile, self.cluster_id, self.connection_file = profile, cluster_id, connection_file
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise parameter_error("timeout", "Cluster", "a positive number of seconds", timeout)
        self.timeout = float(timeout)
        self.evaluator, self.study, self.progress = evaluator, study, bool(progress)
        self.threads_per_engine = threads_per_engine
        self.max_retries = max_retries
        self.mpi_args = list(mpi_args or [])
        self._cluster: Any = None
        self._client: Any = None
        self._manager: TaskManager | None = None
        self._engines: dict[int, dict[str, Any]] = {}
        self._known_pids: set[tuple[str, int]] = set()
        self._tokens: dict[int, tuple[str, bytes, Any]] = {}
        self._history: dict[str, str] = {}  # registration uuid -> engine name, kept after it dies

    # ------------------------------------------------------------------ lifecycle
    @property
    def owned(self) -> bool:
        """True when this object started the cluster (and so stops it on exit)."""
        return self._cluster is not None

    @property
    def connecting(self) -> bool:
        return any(v is not None for v in (self.profile, self.cluster_id, self.connection_file))

    def __enter__(self) -> "Cluster":
        if self.connecting:
            self._client = connect.connect_client(profile=self.profile, cluster_id=self.cluster_id,
                                                  connection_file=self.connection_file, timeout=self.timeout,
                                                  n=self.n)
        else:
            self._cluster, self._client = connect.start_cluster(
                self.n, engines=self.engines, timeout=self.timeout, threads=self.threads_per_engine,
                mpi_args=self.mpi_args)
        try:
            self._view = self._client.load_balanced_view()
            self._manager = TaskManager(self._client, self._view, ensure_engines=self._ensure_engines,
                                        max_retries=self.max_retries, engine_names=self.engine_name)
            self._setup_engines()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._manager is not None and self._manager.pending:
            logger.warning("leaving the cluster with %d task(s) still running", len(self._manager.pending))
        if self._manager is not None:
            self._manager.close_progress()
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            try:
                self._cluster.stop_cluster_sync()
            finally:
                self._kill_leftovers()
        self._client = self._cluster = self._manager = None

    def _kill_leftovers(self) -> None:
        """Kill engine processes this object started that survived the shutdown."""
        import socket

        import psutil

        host = socket.gethostname()
        for h, pid in self._known_pids:
            if h != host or not psutil.pid_exists(pid):
                continue
            try:
                proc = psutil.Process(pid)
                proc.wait(timeout=5)
            except psutil.TimeoutExpired:
                logger.warning("engine pid %d did not stop; killing it", pid)
                proc.kill()
            except psutil.NoSuchProcess:
                pass

    def _require(self) -> Any:
        if self._client is None:
            raise ClusterError("The cluster is not running: use it inside `with Cluster(...) as env:`.")
        return self._client

    # ------------------------------------------------------------------ engines
    @property
    def num_engines(self) -> int:
        """Number of engines registered now (0 outside the ``with`` block)."""
        return 0 if self._client is None else len(self._client.ids)

    @property
    def client(self) -> Any:
        """The underlying ``ipyparallel.Client`` (for direct ipyparallel use)."""
        return self._require()

    def engine_name(self, engine_id: Any, uuid: str | None = None) -> str:
        """Human name of an engine (by id, or by registration uuid): id, pid, host and MPI rank."""
        if uuid is not None and uuid in self._history:
            return self._history[uuid]
        if engine_id is None:
            return f"engine {uuid}"
        info = self._engines.get(engine_id)
        if not info:
            return f"engine {engine_id}"
        rank = "" if info.get("mpi_rank") is None else f", MPI rank {info['mpi_rank']}"
        return f"engine {engine_id} (pid {info['pid']} on {info['host']}{rank})"

    def engine_info(self) -> dict[int, dict[str, Any]]:
        """Host, pid, cpus, threads and MPI rank/size of each engine."""
        self._require()
        return dict(self._engines)

    def _setup_engines(self) -> None:
        """Gather info about engines not seen yet and pin their thread counts."""
        client = self._require()
        uuids = self._engine_uuids()
        live = sorted(client.ids)
        new = [eid for eid in live if eid not in self._engines or self._engines[eid].get("uuid") != uuids.get(eid)]
        if not new:
            return
        infos = client.direct_view(new).apply_async(engine_info).get(timeout=self.timeout)
        if self.threads_per_engine:
            threads = [self.threads_per_engine] * len(new)
        else:
            others = [self._engines[eid] for eid in live if eid in self._engines]
            threads = connect.threads_per_engine(others + list(infos))[len(others):]
        ars = [client[eid].apply_async(pin_threads, t) for eid, t in zip(new, threads)]
        for eid, ar in zip(new, ars):
            self._engines[eid] = dict(ar.get(timeout=self.timeout), uuid=uuids.get(eid))
            self._known_pids.add((self._engines[eid]["host"], self._engines[eid]["pid"]))
            if uuids.get(eid):
                self._history[uuids[eid]] = self.engine_name(eid)

    def _engine_uuids(self) -> dict[int, str]:
        """Engine id -> registration uuid (ids can be reused by restarted MPI engines)."""
        raw = getattr(self._client, "_engines", None) or {}
        return {eid: u.decode() if isinstance(u, bytes) else str(u) for eid, u in dict(raw).items()}

    def _ensure_engines(self) -> None:
        """Called while waiting: set up new engines, replace a started cluster that lost all engines."""
        client = self._require()
        ids = client.ids
        if ids:
            uuids = self._engine_uuids()
            if any(eid not in self._engines or self._engines[eid].get("uuid") != uuids.get(eid) for eid in ids):
                self._setup_engines()
            return
        if self.owned:
            logger.warning("all engines are gone; starting %d new %r engine(s)", self.n, self.engines)
            self._cluster.start_engines_sync(self.n)
            connect.wait_for_engines(client, self.n, self.timeout, f"cluster {self._cluster.cluster_id!r}")
        else:
            connect.wait_for_engines(client, 1, self.timeout, "the connected cluster (all engines lost)")
        self._setup_engines()

    # ------------------------------------------------------------------ evaluation
    def _evaluator(self, evaluator: Any = None) -> Any:
        ev = evaluator if evaluator is not None else self.evaluator
        if ev is None:
            from nasnb.evaluators import LocalEvaluator

            ev = self.evaluator = LocalEvaluator()
        return ev

    def _token(self, evaluator: Any) -> tuple[str, bytes]:
        entry = self._tokens.get(id(evaluator))
        if entry is None or entry[2] is not evaluator:
            entry = (uuid.uuid4().hex, dumps_object(evaluator), evaluator)
            self._tokens[id(evaluator)] = entry
        return entry[0], entry[1]

    @staticmethod
    def settings(evaluator: Any, epochs: int, dataset: Any, percentage: float) -> dict[str, Any]:
        """Evaluator settings recorded with (and keying) each evaluation in a study."""
        own = evaluator.settings() if callable(getattr(evaluator, "settings", None)) else {
            "evaluator": type(evaluator).__name__}
        return {"epochs": epochs, "dataset": getattr(dataset, "name", dataset), "percentage": percentage,
                "evaluator": own}

    def _check(self, epochs: int, percentage: float, func: str) -> tuple[int, float]:
        return check_positive_int(epochs, "epochs", func), check_fraction(percentage, "percentage", func)

    def submit(self, fn_or_descriptor: Any, *args: Any, seed: Any = None, seq: int | None = None,
               study: Any = None, evaluator: Any = None, **kwargs: Any) -> TaskFuture:
        """Run one task asynchronously on a free engine and return a future.

        A descriptor is evaluated (``submit(d, epochs, dataset, percentage=1.0, seed=0)``;
        the future gives an :class:`~nasnb.results.EvaluationResult`, recorded in the study
        with sequence index ``seq``, default next free one). A callable is run as
        ``fn(*args, **kwargs)``; its exception reaches the future as ipyparallel's
        ``RemoteError`` (``.ename`` names the original class).
        """
        self._require()
        if callable(fn_or_descriptor) and not hasattr(fn_or_descriptor, "canonical_hash"):
            kw = dict(kwargs, **({} if seed is None else {"seed": seed}))
            return self._manager.submit(call_task, (dumps_object(fn_or_descriptor), args, kw), evaluation=False,
                                        label=getattr(fn_or_descriptor, "__name__", "task"), seq=seq)
        study = study if study is not None else self.study
        if study is not None and seq is None:
            seq = max([study.next_seq()] + [f.seq + 1 for f in self._manager_futures() if f.seq is not None])
        return self._submit_evaluations([fn_or_descriptor], *args, seeds=[seed], seqs=[seq], study=study,
                                        evaluator=evaluator, **kwargs)[0]

    def _manager_futures(self) -> list[TaskFuture]:
        return [t.future for t in self._manager.pending.values()]

    def _submit_evaluations(self, descriptors: Sequence[Any], epochs: int, dataset: Any, percentage: float = 1.0,
                            *, seeds: Sequence[Any], seqs: Sequence[int | None], study: Any, evaluator: Any,
                            retry_failed: bool = False, func: str = "submit") -> list[TaskFuture]:
        epochs, percentage = self._check(epochs, percentage, func)
        ev = self._evaluator(evaluator)
        token, blob = self._token(ev)
        settings = self.settings(ev, epochs, dataset, percentage)
        futures: list[TaskFuture] = []
        queued, to_send = [], []
        done_keys = study.final_keys() if study is not None else set()
        for descriptor, seed, seq in zip(descriptors, seeds, seqs):
            record = None
            if study is not None:
                seed = check_seed(seed, func)
                _, desc_hash = describe(descriptor)
                key = evaluation_key(desc_hash, seed, settings, seq)
                if key in done_keys:
                    existing = study.get(key)
                    if existing.status in FINAL_STATUSES and not (retry_failed and existing.status == "failed"):
                        fut = TaskFuture(None, seq)
                        fut.set_result(existing.result)
                        futures.append(fut)
                        continue
                record = {"study": study, "descriptor": descriptor, "seq": seq, "seed": seed,
                          "settings": settings, "key": key}
                queued.append({"descriptor": descriptor, "seq": seq, "seed": seed, "settings": settings,
                               "status": "queued"})
            futures.append(None)
            to_send.append((len(futures) - 1, descriptor, seed, seq, record))
        if queued:
            study.add_evaluations(queued, overwrite=retry_failed)
        for index, descriptor, seed, seq, record in to_send:
            label = f"seq={seq}" if seq is not None else f"#{index}"
            futures[index] = self._manager.submit(
                evaluate_task, (token, blob, descriptor, epochs, dataset, percentage, seed),
                label=label, record=record, seq=seq)
        if study is not None:
            study.set_status([r[4]["key"] for r in to_send if r[4] is not None], "running")
        return futures

    def map_evaluate(self, descriptors: Iterable[Any], epochs: int, dataset: Any, *, seeds: Any = None,
                     percentage: float = 1.0, study: Any = None, start_seq: int = 0, evaluator: Any = None,
                     progress: bool | None = None, retry_failed: bool = False) -> list[EvaluationResult]:
        """Evaluate many descriptors on the engines; results come back in input order.

        Parameters
        ----------
        descriptors : iterable of NeuralDescriptor
        epochs, dataset, percentage
            As in ``descriptor_evaluate``.
        seeds : int, sequence of int, or None
            One seed per descriptor, or one int used for every evaluation.
        study : Study, optional
            Record the evaluations there (default: the cluster's ``study``). Evaluations
            already finished in the study — same descriptor hash, seed, settings and
            sequence index ``start_seq + i`` — are not run again (resume after a crash).
        retry_failed : bool
            Run evaluations recorded as ``failed`` again.
        """
        self._require()
        descriptors = list(descriptors)
        if seeds is None or isinstance(seeds, (int, np.integer)):
            seeds = [seeds] * len(descriptors)
        else:
            seeds = list(seeds)
            if len(seeds) != len(descriptors):
                raise parameter_error("seeds", "map_evaluate", f"one seed per descriptor ({len(descriptors)})",
                                      f"{len(seeds)} seeds")
        study = study if study is not None else self.study
        seqs = [start_seq + i for i in range(len(descriptors))]
        manager = self._manager.progress(len(descriptors), enabled=self.progress if progress is None else progress)
        try:
            futures = self._submit_evaluations(descriptors, epochs, dataset, percentage, seeds=seeds, seqs=seqs,
                                               study=study, evaluator=evaluator, retry_failed=retry_failed,
                                               func="map_evaluate")
            manager.wait([f for f in futures if f._manager is not None])
        finally:
            manager.close_progress()
        return [f.result() for f in futures]

    def descriptor_evaluate(self, descriptor: Any, epochs: int, dataset: Any, percentage: float = 1.0,
                            seed: Any = None) -> EvaluationResult:
        """Evaluate one descriptor on a free engine (same call as an evaluator's)."""
        return self.submit(descriptor, epochs, dataset, percentage, seed=seed).result()

    def as_completed(self, futures: Iterable[TaskFuture], timeout: float | None = None) -> Iterator[TaskFuture]:
        """Yield futures from :meth:`submit` as they finish."""
        self._require()
        return self._manager.as_completed(futures, timeout=timeout)

    # ------------------------------------------------------------------ all engines
    def apply_all(self, fn: Callable[..., Any], *args: Any, distributed: bool = True, backend: str | None = None,
                  timeout: float | None = None, **kwargs: Any) -> list[Any]:
        """Run ``fn`` on every engine at once; return the values ordered by rank.

        With ``distributed=True`` (default) each engine calls ``fn(ctx, *args, **kwargs)``
        inside :func:`~nasnb.cluster.distributed.distributed_context` (a torch.distributed
        process group over all engines, torn down afterwards); otherwise ``fn(*args, **kwargs)``.
        """
        client = self._require()
        self._ensure_engines()
        ids = sorted(client.ids)
        wait = timeout or max(self.timeout, 600.0)
        if not distributed:
            blob = dumps_object(fn)
            ars = [client[eid].apply_async(_call_blob, blob, args, kwargs) for eid in ids]
            return [self._get_all(ar, eid, wait) for eid, ar in zip(ids, ars)]
        backend = None if backend is None else check_choice(backend, ("gloo", "nccl"), "backend", "apply_all")
        infos = [self._engines[eid] for eid in ids]
        mpi = (all(i.get("mpi_size") == len(ids) for i in infos)
               and sorted(i.get("mpi_rank") for i in infos) == list(range(len(ids))))
        port = None if mpi else free_port()
        blob = dumps_object(fn)
        ars = [client[eid].apply_async(_run_in_context, blob, args, kwargs, backend,
                                       None if mpi else (rank, len(ids), "127.0.0.1", port), wait)
               for rank, eid in enumerate(ids)]
        ranked = dict(self._get_all(ar, eid, wait) for eid, ar in zip(ids, ars))
        return [ranked[r] for r in sorted(ranked)]

    def _get_all(self, ar: Any, eid: int, wait: float) -> Any:
        from nasnb.cluster.tasks import is_engine_death

        try:
            return ar.get(timeout=wait)
        except Exception as exc:
            if is_engine_death(exc):
                raise ClusterError(f"{self.engine_name(eid)} died during apply_all; collective work is not "
                                   "resubmitted.") from exc
            raise

    def data_parallel_evaluate(self, descriptor: Any, epochs: int, dataset: Any, percentage: float = 1.0,
                               seed: Any = None, *, evaluator: Any = None, backend: str | None = None
                               ) -> EvaluationResult:
        """Train one descriptor data-parallel on all engines; rank 0's result (see ``distributed``)."""
        epochs, percentage = self._check(epochs, percentage, "data_parallel_evaluate")
        if seed is None:
            seed = int(np.random.default_rng().integers(2**31 - 1))
        seed = check_seed(seed, "data_parallel_evaluate")
        ev = self._evaluator(evaluator)
        if not callable(getattr(ev, "splits", None)):
            raise parameter_error("evaluator", "data_parallel_evaluate", "a LocalEvaluator (with splits())", ev)
        token, blob = self._token(ev)
        return self.apply_all(_data_parallel_entry, token, blob, descriptor, epochs, dataset, percentage, seed,
                              backend=backend)[0]
