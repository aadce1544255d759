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
device). The cluster records nothing itself: ``map_evaluate`` and ``Strategy.run`` record through
the one run loop and study recorder, :meth:`Cluster.submit` is
:meth:`concurrent.futures.Executor.submit`.

A task whose engine died is resubmitted to a live engine (the lost engine is named in a
warning; a cluster nasnb started and that lost every engine — an MPI job loses every rank
when one dies — gets a new set; on a connected cluster the client waits ``timeout`` seconds
for engines to come back). An evaluation lost ``max_retries`` times runs once more alone: if
it kills its engine alone too, it is recorded ``failed`` with the reason ("engine lost N times
while evaluating it ...: out of memory?") and the study goes on. When no engine comes back, or
an ipyparallel wait times out, the call stops with a :class:`~nasnb.exceptions.ClusterError`
saying how to resume: an infrastructure failure is never recorded as the candidate's failure.
With ``Strategy.run(timeout=...)`` each evaluation gets that many seconds from its start *on
its engine* (time queued does not count; see :meth:`Cluster.submit_evaluation`): the engine
interrupts it, the outcome is ``failed`` with a message starting ``timeout`` and the engine is
free; one that does not stop is given up 10 s later and its engine killed and replaced.
``Cluster(n=...)`` starts at most :func:`max_local_engines` engines on this machine. Engines pin their thread count to
cores-per-host // engines-per-host, and each engine trains on ``cuda:(local rank mod device
count)`` on a host with GPUs.

Examples
--------
A study resumed after a crash runs only what is missing (needs MPI engines; skipped in doctests)::

    with nasnb.Cluster(n=2) as env:                       # or Cluster(cluster_id=...) to connect
        results = env.map_evaluate(descriptors, 1, "digits", seeds=range(8), study=study)
        r = env.descriptor_evaluate(d, 1, "digits", seed=0)   # same API as LocalEvaluator
        futures = [env.submit(pow, 2, k) for k in range(8)]   # concurrent.futures.Executor.submit
        for f in env.as_completed(futures): ...
        r = env.data_parallel_evaluate(d, 2, "digits", seed=0)  # one network on all engines

>>> Cluster(n=2).num_engines  # not started yet
0
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from nasnb._validation import (
    check_choice,
    check_fraction,
    check_nonnegative_int,
    check_positive_int,
    parameter_error,
)
from nasnb.cluster import connect
from nasnb.cluster.distributed import free_port, rendezvous_point
from nasnb.cluster.engine import cache_object, call_cached, dumps_object, engine_info, engine_setup, evaluate_packed
from nasnb.cluster.tasks import TaskFuture, TaskManager
from nasnb.exceptions import ClusterError, ClusterTimeoutError
from nasnb.results import EvaluationResult
from nasnb.store.schema import check_seed

__all__ = ["Cluster", "max_local_engines"]

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


def _get(ar: Any, timeout: float, what: str) -> Any:
    """``ar.get(timeout)`` with ipyparallel's timeout (``TimeoutError: Result not ready.``) as a
    :class:`~nasnb.exceptions.ClusterTimeoutError` that says what was waited for and how to resume."""
    try:
        return ar.get(timeout=timeout)
    except Exception as exc:
        if type(exc).__name__ == "TimeoutError" or isinstance(exc, TimeoutError):
            raise ClusterTimeoutError(
                f"Waited {timeout:g} s for {what}; no answer (a loaded machine or a hung engine). Nothing was "
                "lost: raise Cluster(timeout=...) and run the same call again with the same study to resume."
            ) from exc
        raise


#: Engine launchers of ipyparallel that ``Cluster(engines=...)`` accepts (or a launcher class path).
ENGINE_LAUNCHERS = ("mpi", "local", "slurm", "pbs", "sge", "lsf", "htcondor", "ssh", "windowshpc")

#: Launchers whose engines all run on this machine (``Cluster(n=...)`` is bounded by :func:`max_local_engines`).
LOCAL_LAUNCHERS = ("mpi", "local")

#: Memory one engine takes once it has imported torch and nasnb (about 250 MB resident), rounded up.
ENGINE_MEMORY = 256 * 2**20


def max_local_engines() -> int:
    """The most engines ``Cluster(n=...)`` starts on this machine: ``min(8 x cores, memory / 256 MiB)``.

    Eight engines per core is already far past useful (each engine trains on its own share of
    the cores); the memory bound keeps the engines' imports from exhausting the machine. More
    engines belong on more machines: start them there (``ipcluster start``, Slurm, any MPI
    launcher) and connect with ``Cluster(cluster_id=...)``.

    >>> max_local_engines() >= 1
    True
    """
    import os

    limit = 8 * (os.cpu_count() or 1)
    try:
        import psutil

        limit = min(limit, int(psutil.virtual_memory().total // ENGINE_MEMORY))
    except ImportError:  # psutil comes with the [cluster] extra; cores alone bound it then
        pass
    return max(1, limit)


class Cluster:
    """Start (or connect to) an ipyparallel cluster and evaluate descriptors on it.

    Parameters
    ----------
    n : int, default 2
        Engines to start; when connecting, the number of engines to wait for. Engines started
        here (``"mpi"``, ``"local"``) run on this machine: at most :func:`max_local_engines`
        (a :class:`~nasnb.exceptions.ParameterError` beyond).
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
        Times a task is resubmitted after the engine running it died. An evaluation lost that
        often runs once more alone and, if it kills its engine alone too, is recorded ``failed``
        ("engine lost N times while evaluating it ...") so that the study goes on.
    mpi_args : list of str, optional
        Extra ``mpiexec`` arguments for started MPI engines.
    """

    def __init__(
        self,
        n: int = 2,
        *,
        engines: str = "mpi",
        profile: str | None = None,
        cluster_id: str | None = None,
        connection_file: Any = None,
        timeout: float = 60.0,
        evaluator: Any = None,
        study: Any = None,
        progress: bool = False,
        threads_per_engine: int | None = None,
        max_retries: int = 3,
        mpi_args: Sequence[str] | None = None,
    ) -> None:
        self.n = check_positive_int(n, "n", "Cluster")
        if not isinstance(engines, str) or not (engines.lower() in ENGINE_LAUNCHERS or "." in engines):
            raise parameter_error(
                "engines",
                "Cluster",
                f"one of {ENGINE_LAUNCHERS} or an ipyparallel launcher class path ('module.Class')",
                engines,
            )
        self.engines = engines
        self.profile, self.cluster_id, self.connection_file = profile, cluster_id, connection_file
        if not self.connecting and engines.lower() in LOCAL_LAUNCHERS and self.n > max_local_engines():
            raise parameter_error(
                "n",
                "Cluster",
                f"at most {max_local_engines()} engines on this machine (8 per core, 256 MiB each: "
                "see nasnb.cluster.environment.max_local_engines); start more engines on other machines "
                "(ipcluster start, Slurm, any MPI launcher) and connect with Cluster(cluster_id=...) or "
                "Cluster(profile=...)",
                n,
            )
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
        self._history: dict[str, str] = {}  # registration uuid -> engine name, kept after it dies

    # ------------------------------------------------------------------ lifecycle
    def start(self, warm: str | None = "import torch, nasnb.evaluators") -> Cluster:
        """Launch the controller and engines now, without waiting for them; return ``self``.

        The engines start (and run ``warm``, Python code such as the imports of a first
        evaluation) while the client goes on with other work; entering the ``with`` block later
        connects and waits for them. Use it to hide engine start-up behind local work::

            env = nasnb.Cluster(n=2).start()
            local_history = search.run(evaluator, 100)      # meanwhile the engines start
            with env:
                history = search.run(evaluator, 100, executor=env)

        A launched cluster not entered is stopped when the client exits (as every started one).
        """
        if self.connecting:
            raise ClusterError(
                "start() launches a new cluster; a Cluster that connects (profile, cluster_id "
                "or connection_file) is entered directly."
            )
        if self._cluster is None:
            self._cluster, _ = connect.start_cluster(
                self.n,
                engines=self.engines,
                timeout=self.timeout,
                threads=self.threads_per_engine,
                mpi_args=self.mpi_args,
                warm=warm,
                wait=False,
            )
        return self

    @property
    def owned(self) -> bool:
        """True when this object started the cluster (and so stops it on exit)."""
        return self._cluster is not None

    @property
    def connecting(self) -> bool:
        return any(v is not None for v in (self.profile, self.cluster_id, self.connection_file))

    def __enter__(self) -> Cluster:
        if self.connecting:
            self._client = connect.connect_client(
                profile=self.profile,
                cluster_id=self.cluster_id,
                connection_file=self.connection_file,
                timeout=self.timeout,
                n=self.n,
            )
        elif self._cluster is not None:  # launched by start(): engines have been starting meanwhile
            self._client = connect.finish_start(self._cluster, self.n, self.timeout, self.engines)
        else:
            self._cluster, self._client = connect.start_cluster(
                self.n,
                engines=self.engines,
                timeout=self.timeout,
                threads=self.threads_per_engine,
                mpi_args=self.mpi_args,
            )
        try:
            self._view = self._client.load_balanced_view()
            self._manager = TaskManager(
                self._client,
                self._view,
                ensure_engines=self._ensure_engines,
                provide=self._provide,
                max_retries=self.max_retries,
                engine_names=self.engine_name,
                kill_engine=self._kill_engine,
            )
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

    def _tasks(self) -> TaskManager:
        """The task manager of the running cluster (a ClusterError outside the ``with`` block)."""
        self._require()
        if self._manager is None:
            raise ClusterError("The cluster is not running: use it inside `with Cluster(...) as env:`.")
        return self._manager

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
        """Gather info about engines not seen yet and pin their thread counts.

        Engines that die meanwhile (a cancelled batch job, an MPI job going down) make it a
        :class:`~nasnb.exceptions.ClusterError` saying how to resume, never a raw ipyparallel error.
        """
        try:
            self._setup_new_engines()
        except ClusterError:
            raise
        except Exception as exc:
            raise ClusterError(
                f"Engines failed while nasnb set them up ({type(exc).__name__}: {exc}); were they stopped (a "
                "cancelled job, a dying MPI job)? Nothing was lost: start the engines again and run the same call "
                "with the same study to resume."
            ) from exc

    def _setup_new_engines(self) -> None:
        client = self._require()
        uuids = self._engine_uuids()
        live = sorted(client.ids)
        new = [eid for eid in live if eid not in self._engines or self._engines[eid].get("uuid") != uuids.get(eid)]
        if not new:
            return
        infos = _get(
            client.direct_view(new).apply_async(engine_info),
            self.timeout,
            f"engine(s) {new} to report their host and cores",
        )
        if self.threads_per_engine:
            threads = [self.threads_per_engine] * len(new)
        else:
            others = [self._engines[eid] for eid in live if eid in self._engines]
            threads = connect.threads_per_engine(others + list(infos))[len(others) :]
        ars = [client[eid].apply_async(engine_setup, eid, t) for eid, t in zip(new, threads)]
        for eid, ar in zip(new, ars):
            self._engines[eid] = dict(_get(ar, self.timeout, f"engine {eid} to pin its threads"), uuid=uuids.get(eid))
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
                _get(ar, max(self.timeout, 120.0), f"{self.engine_name(eid)} to receive an object")
            except ClusterTimeoutError:
                raise
            except Exception as exc:
                from nasnb.cluster.tasks import is_engine_death

                if is_engine_death(exc):  # its tasks are resubmitted; a new engine gets the object then
                    continue
                raise ClusterError(
                    f"Could not send {type(self._tokens_obj(token)).__name__} to {self.engine_name(eid)}: {exc}"
                ) from exc
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

    #: :meth:`submit_evaluation` takes ``timeout=``: the engine that runs an evaluation keeps its clock.
    limits_evaluation_time = True

    def submit_evaluation(
        self,
        evaluator: Any,
        payload: Any,
        *,
        fast: bool,
        kwargs: Any = None,
        label: str | None = None,
        timeout: float | None = None,
    ) -> TaskFuture:
        """Run :func:`~nasnb.evaluators.run_evaluation` on a free engine; a future of its outcome.

        The executor interface :meth:`nasnb.strategies.Strategy.run` uses: ``evaluator`` is sent
        to each engine once and kept there. With ``timeout`` (``Strategy.run(timeout=...)``) the
        evaluation gets that many seconds from its start on the engine (time queued does not
        count): past it the engine interrupts it (a ``SIGALRM`` timer) and the outcome is
        ``failed`` with a message starting ``timeout``, the engine free for the next task. One
        that does not stop (native code that never returns to Python) is given up
        ``TaskManager.stop_grace`` (10) seconds later: recorded the same way, its engine killed
        and replaced (an MPI job restarts all its engines; their other tasks are resubmitted).
        """
        self._require()
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0
        ):
            raise parameter_error(
                "timeout", "Cluster.submit_evaluation", "a positive number of seconds or None", timeout
            )
        token, _ = self._token(evaluator)
        # one cloudpickled buffer per task (objects defined in a notebook travel by value)
        limit = None if timeout is None else float(timeout)
        packed = dumps_object((token, payload, bool(fast), dict(kwargs or {}), limit))
        return self._tasks().submit(
            evaluate_packed,
            (packed,),
            label=label or f"evaluation of {type(payload).__name__}",
            seed=dict(kwargs or {}).get("seed"),
            limit=limit,
        )

    def _kill_engine(self, engine_id: Any) -> None:
        """Stop engine ``engine_id`` (an evaluation that ignored its time limit): by pid on this host,
        else through its nanny (``Client.send_signal``)."""
        import os
        import signal
        import socket

        info = self._engines.get(engine_id) or {}
        if info.get("pid") and info.get("host") == socket.gethostname():
            try:
                os.kill(int(info["pid"]), signal.SIGKILL)
            except ProcessLookupError:
                pass
            return
        self._require().send_signal(signal.SIGKILL, targets=[engine_id], block=True)

    def wait_first(self, futures: Iterable[Any]) -> set:
        """Block until one of ``futures`` is done (driving the client loop); return the done ones."""
        futures = list(futures)
        done = {f for f in futures if f.done()}
        if done:
            return done
        self._tasks().wait(futures, any_=True)
        return {f for f in futures if f.done()}

    def _check(self, epochs: int, percentage: float, func: str) -> tuple[int, float]:
        return check_positive_int(epochs, "epochs", func), check_fraction(percentage, "percentage", func)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> TaskFuture:
        """Schedule ``fn(*args, **kwargs)`` on a free engine; return a future (as
        :meth:`concurrent.futures.Executor.submit`).

        ``fn`` is sent to each engine once (cloudpickled: functions defined in a notebook work);
        its exception reaches the future as ipyparallel's ``RemoteError`` (``.ename`` names the
        original class). To evaluate descriptors use :meth:`descriptor_evaluate` or
        :meth:`map_evaluate` (recorded in a study), or pass the cluster as ``executor=`` to
        :meth:`nasnb.strategies.Strategy.run`.
        """
        self._require()
        if not callable(fn) or hasattr(fn, "canonical_hash"):
            raise parameter_error(
                "fn",
                "Cluster.submit",
                "a callable (as concurrent.futures.Executor.submit; "
                "evaluate descriptors with descriptor_evaluate or map_evaluate)",
                fn,
            )
        token, _ = self._token(fn)
        return self._tasks().submit(
            call_cached, (token, args, kwargs), evaluation=False, label=getattr(fn, "__name__", "task")
        )

    def map_evaluate(
        self,
        descriptors: Iterable[Any],
        epochs: int,
        dataset: Any,
        *,
        seeds: Any = None,
        percentage: float = 1.0,
        study: Any = None,
        start_seq: int = 0,
        evaluator: Any = None,
        progress: bool | None = None,
        retry_failed: bool = False,
        on_mismatch: str = "raise",
    ) -> list[EvaluationResult | None]:
        """Evaluate many descriptors on the engines; results come back in input order.

        A run of a fixed list of candidates through the one run loop of
        :meth:`nasnb.strategies.Strategy.run` (:class:`~nasnb.strategies.fixed.FixedCandidates`):
        recording, resume and the "already done?" rule are the search's.

        Parameters
        ----------
        descriptors : iterable of NeuralDescriptor
        epochs, dataset, percentage
            As in ``descriptor_evaluate``.
        seeds : int, sequence of int, or None
            One seed per descriptor, or one int used for every evaluation.
        study : Study, optional
            Record the evaluations there (default: the cluster's ``study``), at sequence indices
            ``start_seq + i``. Evaluations the study already holds with the same descriptor, seed
            and settings are not run again (resume after a crash); a study recorded with other
            settings raises :class:`~nasnb.exceptions.SettingsMismatchError` (see ``on_mismatch``).
        retry_failed : bool
            Run evaluations recorded as ``failed`` again.
        on_mismatch : {"raise", "archive"}
            As in :meth:`nasnb.strategies.Strategy.run`.
        """
        from nasnb.strategies.fixed import FixedCandidates
        from nasnb.strategies.runloop import RunLoop

        self._require()
        descriptors = list(descriptors)
        if seeds is None or isinstance(seeds, (int, np.integer)):
            seeds = [seeds] * len(descriptors)
        else:
            seeds = list(seeds)
            if len(seeds) != len(descriptors):
                raise parameter_error(
                    "seeds", "map_evaluate", f"one seed per descriptor ({len(descriptors)})", f"{len(seeds)} seeds"
                )
        epochs, percentage = self._check(epochs, percentage, "map_evaluate")
        start_seq = check_nonnegative_int(start_seq, "start_seq", "map_evaluate")
        study = study if study is not None else self.study
        if study is not None:
            seeds = [check_seed(s, "map_evaluate") for s in seeds]
        if not descriptors:
            return []
        fixed = FixedCandidates(descriptors, seeds)
        loop = RunLoop(
            fixed,
            self._evaluator(evaluator),
            study=study,
            executor=self,
            evaluate_kwargs={"epochs": epochs, "dataset": dataset, "percentage": percentage},
            catch=(Exception,),
            retry_failed=retry_failed,
            progress=self.progress if progress is None else bool(progress),
            func="Cluster.map_evaluate",
            on_mismatch=on_mismatch,
            first_seq=start_seq,
        )
        loop.run(len(descriptors), "batch")
        return fixed.results()

    def descriptor_evaluate(
        self, descriptor: Any, epochs: int, dataset: Any, percentage: float = 1.0, seed: Any = None
    ) -> EvaluationResult:
        """Evaluate one descriptor on a free engine (same call as an evaluator's; nothing is recorded)."""
        epochs, percentage = self._check(epochs, percentage, "descriptor_evaluate")
        kwargs = {"epochs": epochs, "dataset": dataset, "percentage": percentage, "seed": seed}
        return (
            self.submit_evaluation(
                self._evaluator(), descriptor, fast=False, kwargs=kwargs, label="descriptor_evaluate"
            )
            .result()
            .result
        )

    def as_completed(self, futures: Iterable[TaskFuture], timeout: float | None = None) -> Iterator[TaskFuture]:
        """Yield futures from :meth:`submit` as they finish."""
        return self._tasks().as_completed(futures, timeout=timeout)

    # ------------------------------------------------------------------ all engines
    def apply_all(
        self,
        fn: Callable[..., Any],
        *args: Any,
        distributed: bool = True,
        backend: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> list[Any]:
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
        ranks = sorted(r if isinstance(r, int) else -1 for r in (i.get("mpi_rank") for i in infos))
        mpi = all(i.get("mpi_size") == len(ids) for i in infos) and ranks == list(range(len(ids)))
        master = None  # engines of one MPI world meet through MPI; others at rank 0's address
        if not mpi:
            master = (
                ("127.0.0.1", free_port())
                if len({i["host"] for i in infos}) == 1
                else self._get_all(client[ids[0]].apply_async(rendezvous_point), ids[0], wait)
            )
        blob = dumps_object(fn)
        ars = [
            client[eid].apply_async(
                _run_in_context,
                blob,
                args,
                kwargs,
                backend,
                None if mpi or master is None else (rank, len(ids), *master),
                wait,
            )
            for rank, eid in enumerate(ids)
        ]
        ranked = dict(self._get_all(ar, eid, wait) for eid, ar in zip(ids, ars))
        return [ranked[r] for r in sorted(ranked)]

    def _get_all(self, ar: Any, eid: int, wait: float) -> Any:
        from nasnb.cluster.tasks import is_engine_death

        try:
            return _get(ar, wait, f"{self.engine_name(eid)} to finish apply_all")
        except Exception as exc:
            if is_engine_death(exc):
                raise ClusterError(
                    f"{self.engine_name(eid)} died during apply_all; collective work is not resubmitted."
                ) from exc
            raise

    def data_parallel_evaluate(
        self,
        descriptor: Any,
        epochs: int,
        dataset: Any,
        percentage: float = 1.0,
        seed: Any = None,
        *,
        evaluator: Any = None,
        backend: str | None = None,
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
        return self.apply_all(
            _data_parallel_entry, token, None, descriptor, epochs, dataset, percentage, seed, backend=backend
        )[0]
