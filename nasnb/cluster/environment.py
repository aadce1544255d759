"""``Cluster``: the thesis' Environment on ipyparallel MPI engines.

Code in the ``with`` block runs on the client (the master). The cluster is an *executor*:
it runs evaluations and reports where and how they ran; it never writes to a store itself.
Evaluations go to a load-balanced view; every path (``Strategy.run(executor=cluster)``,
:meth:`Cluster.submit`, :meth:`Cluster.as_completed`, :meth:`Cluster.map_evaluate`) sends an
evaluator to each engine once (cloudpickled, so classes and loaders defined in a notebook
work) and names it by a token afterwards; the engine keeps it with the data sets it loaded,
so a data set is loaded once per engine per study. Each evaluation runs through
:func:`~nasnb.evaluators.run_evaluation`, exactly as in the client, and comes back as an
:class:`~nasnb.results.EvaluationOutcome` naming the engine (id, host, MPI rank, pid,
device); results with a study are written by the one study recorder.

A task whose engine died is resubmitted to a live engine (the lost engine is named in a
warning; a cluster nasnb started and that lost every engine — an MPI job loses every rank
when one dies — gets a new set; on a connected cluster the client waits ``timeout`` seconds
for engines to come back). After ``max_retries`` losses, or when no engine comes back, the
future fails with a :class:`~nasnb.exceptions.ClusterError`: an infrastructure failure is
never recorded as the candidate's failure. Engines pin their thread count to
cores-per-host // engines-per-host, and each engine trains on ``cuda:(local rank mod device
count)`` on a host with GPUs.

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
from nasnb.cluster.distributed import free_port, rendezvous_point
from nasnb.cluster.engine import cache_object, call_cached, dumps_object, engine_info, engine_setup, evaluate_packed
from nasnb.cluster.tasks import TaskFuture, TaskManager
from nasnb.exceptions import ClusterError
from nasnb.results import EvaluationOutcome, EvaluationResult
from nasnb.store.recorder import StudyRecorder, evaluator_settings
from nasnb.store.schema import check_seed, describe

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
    from nasnb.cluster.engine import cached_object

    return data_parallel_evaluate(ctx, cached_object(token, blob), descriptor, epochs, dataset, percentage, seed)


#: Engine launchers of ipyparallel that ``Cluster(engines=...)`` accepts (or a launcher class path).
ENGINE_LAUNCHERS = ("mpi", "local", "slurm", "pbs", "sge", "lsf", "htcondor", "ssh", "windowshpc")


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
        if not isinstance(engines, str) or not (engines.lower() in ENGINE_LAUNCHERS or "." in engines):
            raise parameter_error("engines", "Cluster", f"one of {ENGINE_LAUNCHERS} or an ipyparallel launcher "
                                  "class path ('module.Class')", engines)
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
        self._tokens: dict[int, tuple[str, bytes, Any]] = {}
        self._blobs: dict[str, bytes] = {}  # token -> cloudpickled object, sent once per engine
        self._held: dict[str, set[str]] = {}  # engine registration uuid -> tokens it holds
        self._next_seq: dict[int, int] = {}  # id(study) -> next sequence index submit() hands out
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
                                        provide=self._provide, max_retries=self.max_retries,
                                        engine_names=self.engine_name)
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
            connect.stop_cluster(self._cluster)  # controller, mpiexec, engines, nannies and the watchdog
        self._client = self._cluster = self._manager = None
        self._held = {}

    def close(self) -> None:
        """Stop the cluster if nasnb started it (as leaving the ``with`` block does); disconnect otherwise."""
        self.__exit__(None, None, None)

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
        ars = [client[eid].apply_async(engine_setup, eid, t) for eid, t in zip(new, threads)]
        for eid, ar in zip(new, ars):
            self._engines[eid] = dict(ar.get(timeout=self.timeout), uuid=uuids.get(eid))
            if uuids.get(eid):
                self._history[uuids[eid]] = self.engine_name(eid)
                self._held[uuids[eid]] = set()
        for token in self._blobs:  # engines that join later get every object in use
            self._push(token, new)

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

    def _token(self, obj: Any) -> tuple[str, bytes]:
        """A token for ``obj`` (serialized once per object) that engines know it by."""
        entry = self._tokens.get(id(obj))
        if entry is None or entry[2] is not obj:
            entry = (uuid.uuid4().hex, dumps_object(obj), obj)
            self._tokens[id(obj)] = entry
            self._blobs[entry[0]] = entry[1]
            self._push(entry[0], sorted(self._require().ids))
        return entry[0], entry[1]

    def _push(self, token: str, engine_ids: Sequence[int]) -> None:
        """Send the object ``token`` to the engines that do not hold it yet (and wait for them)."""
        client = self._require()
        uuids = self._engine_uuids()
        todo = [eid for eid in engine_ids if token not in self._held.setdefault(uuids.get(eid, str(eid)), set())]
        if not todo:
            return
        ars = [(eid, client[eid].apply_async(cache_object, token, self._blobs[token])) for eid in todo]
        for eid, ar in ars:
            try:
                ar.get(timeout=max(self.timeout, 120.0))
            except Exception as exc:
                from nasnb.cluster.tasks import is_engine_death

                if is_engine_death(exc):  # its tasks are resubmitted; a new engine gets the object then
                    continue
                raise ClusterError(f"Could not send {type(self._tokens_obj(token)).__name__} to "
                                   f"{self.engine_name(eid)}: {exc}") from exc
            self._held.setdefault(uuids.get(eid, str(eid)), set()).add(token)

    def _tokens_obj(self, token: str) -> Any:
        return next((e[2] for e in self._tokens.values() if e[0] == token), None)

    def _provide(self, engine_id: Any, token: str) -> None:
        """Called by the task manager when a task met an engine without the object (a new engine)."""
        self._setup_engines()
        if engine_id is not None and engine_id in self._require().ids:
            uuids = self._engine_uuids()
            self._held.get(uuids.get(engine_id, str(engine_id)), set()).discard(token)
            self._push(token, [engine_id])

    def submit_evaluation(self, evaluator: Any, payload: Any, *, fast: bool, kwargs: Any = None,
                          label: str | None = None, on_result: Callable[[Any], Any] | None = None) -> TaskFuture:
        """Run :func:`~nasnb.evaluators.run_evaluation` on a free engine; a future of its outcome.

        The executor interface :meth:`nasnb.strategies.Strategy.run` uses: ``evaluator`` is sent
        to each engine once and kept there.
        """
        self._require()
        token, _ = self._token(evaluator)
        # one cloudpickled buffer per task (objects defined in a notebook travel by value)
        packed = dumps_object((token, payload, bool(fast), dict(kwargs or {})))
        return self._manager.submit(evaluate_packed, (packed,),
                                    label=label or f"evaluation of {type(payload).__name__}", on_result=on_result)

    def wait_first(self, futures: Iterable[Any]) -> set:
        """Block until one of ``futures`` is done (driving the client loop); return the done ones."""
        futures = list(futures)
        done = {f for f in futures if f.done()}
        if done:
            return done
        self._require()
        self._manager.wait(futures, any_=True)
        return {f for f in futures if f.done()}

    def _check(self, epochs: int, percentage: float, func: str) -> tuple[int, float]:
        return check_positive_int(epochs, "epochs", func), check_fraction(percentage, "percentage", func)

    def submit(self, fn_or_descriptor: Any, *args: Any, seed: Any = None, seq: int | None = None,
               study: Any = None, evaluator: Any = None, **kwargs: Any) -> TaskFuture:
        """Run one task asynchronously on a free engine and return a future.

        A descriptor is evaluated (``submit(d, epochs, dataset, percentage=1.0, seed=0)``; the
        future gives an :class:`~nasnb.results.EvaluationResult`, recorded in the study with
        sequence index ``seq``, default the next free one). A callable is run as
        ``fn(*args, **kwargs)`` (sent to each engine once); its exception reaches the future as
        ipyparallel's ``RemoteError`` (``.ename`` names the original class).
        """
        self._require()
        if callable(fn_or_descriptor) and not hasattr(fn_or_descriptor, "canonical_hash"):
            token, _ = self._token(fn_or_descriptor)
            kw = dict(kwargs, **({} if seed is None else {"seed": seed}))
            return self._manager.submit(call_cached, (token, args, kw), evaluation=False,
                                        label=getattr(fn_or_descriptor, "__name__", "task"), seq=seq)
        study = study if study is not None else self.study
        if study is not None and seq is None:  # next free index, counting submitted ones not recorded yet
            seq = max(study.next_seq(), self._next_seq.get(id(study), 0))
            self._next_seq[id(study)] = seq + 1
        return self._evaluations([fn_or_descriptor], *args, seeds=[seed], seqs=[seq], study=study,
                                 evaluator=evaluator, **kwargs)[0]

    def _evaluations(self, descriptors: Sequence[Any], epochs: int, dataset: Any, percentage: float = 1.0,
                     *, seeds: Sequence[Any], seqs: Sequence[int | None], study: Any, evaluator: Any,
                     retry_failed: bool = False, func: str = "submit") -> list[TaskFuture]:
        """Futures of ``EvaluationResult`` s; rows the study already holds are not run again."""
        epochs, percentage = self._check(epochs, percentage, func)
        ev = self._evaluator(evaluator)
        call = {"epochs": epochs, "dataset": getattr(dataset, "name", dataset), "percentage": percentage}
        recorder = StudyRecorder(study, evaluator_settings(ev, call)) if study is not None else None
        stored = recorder.completed(retry_failed=retry_failed) if recorder is not None else {}
        futures: list[TaskFuture] = []
        for descriptor, seed, seq in zip(descriptors, seeds, seqs):
            kwargs = {"epochs": epochs, "dataset": dataset, "percentage": percentage, "seed": seed}
            on_result: Callable[[Any], Any] = _result_of
            if recorder is not None:
                seed = check_seed(seed, func)
                desc_json, desc_hash = describe(descriptor)
                row = stored.get(seq)
                if row is not None and row.descriptor_hash == desc_hash and row.seed == seed \
                        and row.settings == recorder.settings:
                    done = TaskFuture(None, seq)
                    done.set_result(row.result)
                    futures.append(done)
                    continue
                on_result = _Recording(recorder, seq, desc_json, desc_hash,
                                       overwrite=retry_failed and row is not None)
            future = self.submit_evaluation(ev, descriptor, fast=False, kwargs=kwargs,
                                            label=f"seq={seq}" if seq is not None else f"#{len(futures)}",
                                            on_result=on_result)
            future.seq = seq
            futures.append(future)
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
            already finished in the study — same sequence index ``start_seq + i``, descriptor,
            seed and settings — are not run again (resume after a crash).
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
            futures = self._evaluations(descriptors, epochs, dataset, percentage, seeds=seeds, seqs=seqs,
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
        master = None  # engines of one MPI world meet through MPI; others at rank 0's address
        if not mpi:
            master = (("127.0.0.1", free_port()) if len({i["host"] for i in infos}) == 1 else
                      self._get_all(client[ids[0]].apply_async(rendezvous_point), ids[0], wait))
        blob = dumps_object(fn)
        ars = [client[eid].apply_async(_run_in_context, blob, args, kwargs, backend,
                                       None if mpi else (rank, len(ids), *master), wait)
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
        token, _ = self._token(ev)  # engines hold the evaluator (and its data) from now on
        return self.apply_all(_data_parallel_entry, token, None, descriptor, epochs, dataset, percentage, seed,
                              backend=backend)[0]


def _result_of(outcome: Any) -> Any:
    """The :class:`EvaluationResult` of an outcome (what descriptor-evaluating futures give)."""
    return outcome.result if isinstance(outcome, EvaluationOutcome) else outcome


class _Recording:
    """``on_result`` hook: write the outcome through the study recorder, give the result."""

    def __init__(self, recorder: StudyRecorder, seq: int, descriptor_json: str, descriptor_hash: str, *,
                 overwrite: bool) -> None:
        self.recorder, self.seq = recorder, seq
        self.descriptor_json, self.descriptor_hash, self.overwrite = descriptor_json, descriptor_hash, overwrite

    def __call__(self, outcome: EvaluationOutcome) -> EvaluationResult:
        self.recorder.record(self.seq, descriptor_json=self.descriptor_json, descriptor_hash=self.descriptor_hash,
                             outcome=outcome, overwrite=self.overwrite)
        return outcome.result
