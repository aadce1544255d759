"""Start an ipyparallel cluster with MPI engines, or connect to one that is running.

Starting (``engines="mpi"``) launches one ``mpiexec -n N`` job whose ranks are the
engines, so they share an MPI world (needed by the data-parallel evaluator). Connecting
takes a profile, a cluster id or a connection file (``ipcontroller-client.json``), so a
cluster started by ``ipcluster start --engines=mpi -n 8``, Slurm or any MPI launcher is
used by the same notebook code.

A cluster started here lives no longer than the client process: :func:`stop_cluster`
(called by ``Cluster.__exit__``/``close()`` and, for any cluster still running, at
interpreter exit) stops the controller, ``mpiexec``, engines and nannies, and a small
watchdog process (:mod:`nasnb.cluster.watchdog`) stops them within seconds when the client
dies without running its exit handlers (SIGKILL, a crashed kernel). A cluster that is
only connected to is never stopped.

Every failure is a :class:`~nasnb.exceptions.ClusterError`; a controller or engines that
do not answer in time give :class:`~nasnb.exceptions.ClusterTimeoutError`.

Examples
--------
>>> threads_per_engine([{"host": "a", "cpus": 8}, {"host": "a", "cpus": 8}, {"host": "b", "cpus": 4}])
[4, 4, 4]
"""

from __future__ import annotations

import atexit
import concurrent.futures as futures
import logging
import os
import shutil
import subprocess
from collections import Counter
from typing import Any

from nasnb._optional import require
from nasnb.exceptions import ClusterError, ClusterTimeoutError

__all__ = ["start_cluster", "finish_start", "stop_cluster", "connect_client", "wait_for_engines", "threads_per_engine"]

logger = logging.getLogger(__name__)

# Clusters started and not yet stopped: cluster id -> (ipp.Cluster, watchdog process, pid that started it).
# Process-wide by nature (like atexit): the exit handler below must find every one of them.
_STARTED: dict[str, tuple[Any, subprocess.Popen, int]] = {}

_HINT = (
    "Start one with `ipcluster start --engines=mpi -n 2 --daemonize` (or use nasnb.Cluster(n=2) to let nasnb start it)."
)


def threads_per_engine(infos: list[dict[str, Any]]) -> list[int]:
    """Cores of each engine's host divided by the number of engines on that host (at least 1)."""
    per_host = Counter(info["host"] for info in infos)
    return [max(1, int(info["cpus"]) // per_host[info["host"]]) for info in infos]


def wait_for_engines(client: Any, n: int, timeout: float, where: str, *, progress: bool | None = None) -> None:
    """Block until ``n`` engines registered with ``client`` or raise :class:`ClusterTimeoutError`.

    In IPython (a notebook, the IPython shell) one bar shows the wait as it goes, refreshed twice
    a second: ``engines: 1/2 registered |█████     | 00:04 (timeout 60 s)``; ipyparallel's own
    bar (``0/2 [00:00<?, ?engine/s]``, frozen until an engine arrives) is not shown.
    ``progress`` forces the bar on or off. The wait is logged either way.
    """
    if len(client.ids) >= n:
        return
    if progress is None:
        progress = _in_ipython()
    logger.info("waiting up to %s s for %d engine(s) at %s", timeout, n, where)
    # interactive=False: no ipyparallel bar; block=False: a future to poll while our bar ticks
    future = client.wait_for_engines(n, timeout=timeout, block=False, interactive=False)
    bar = _engine_bar(n, timeout) if progress else None
    try:
        while not future.done():
            futures.wait([future], timeout=0.5)
            if bar is not None:
                bar.update(min(len(client.ids), n) - bar.n)
                bar.refresh()
        future.result()
    except TimeoutError as exc:
        raise ClusterTimeoutError(
            f"Only {len(client.ids)} of {n} engine(s) registered with the controller of {where} within "
            f"{timeout} s. Check the engines' logs (ipython profile dir, log/) or raise 'timeout'."
        ) from exc
    finally:
        future.cancel()  # interrupted (Ctrl-C): ipyparallel stops watching registrations
        if bar is not None:
            bar.close()


def _in_ipython() -> bool:
    """True inside IPython (a notebook kernel or the IPython shell), where a bar is shown."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def _engine_bar(n: int, timeout: float) -> Any:
    """A tqdm.auto bar counting registered engines, with the time spent and the timeout (no rate)."""
    from tqdm.auto import tqdm  # a core dependency

    limit = f"timeout {timeout:g} s" if timeout >= 0 else "no timeout"
    return tqdm(
        total=n,
        desc="engines",
        bar_format="{desc}: {n}/{total} registered |{bar}| {elapsed} (" + limit + ")",
    )


def start_cluster(
    n: int,
    *,
    engines: str = "mpi",
    profile: str | None = None,
    cluster_id: str | None = None,
    timeout: float = 60.0,
    threads: int | None = None,
    mpi_args: list[str] | None = None,
    warm: str | None = None,
    wait: bool = True,
):
    """Start a controller and ``n`` engines; return ``(ipp.Cluster, ipp.Client)``.

    With ``wait=False`` the processes are launched and ``(ipp.Cluster, None)`` returned at once
    (engines keep starting); :func:`finish_start` then connects and waits. ``warm`` is Python
    code each engine runs when it starts (e.g. ``"import torch"``), before its first task.

    Parameters
    ----------
    n : int
        Number of engines.
    engines : str
        ipyparallel engine launcher: ``"mpi"`` (one ``mpiexec -n N`` job), ``"local"``
        (independent processes), or any launcher name ipyparallel accepts (``"slurm"`` ...).
    threads : int, optional
        Threads per engine, set as ``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` in the engines'
        environment (default: cores // n).
    mpi_args : list of str, optional
        Extra ``mpiexec`` arguments (``engines="mpi"`` only).
    """
    ipp = require("ipyparallel", extra="cluster", purpose="start an ipyparallel cluster")
    if engines == "mpi":
        require("mpi4py", extra="cluster", purpose="start MPI engines")
        if shutil.which("mpiexec") is None:
            raise ClusterError(
                "engines='mpi' needs `mpiexec` on PATH (pip install mpich, or load your MPI "
                "module); or pass engines='local'."
            )
    threads = threads or max(1, (os.cpu_count() or 1) // n)
    # ERROR: ipyparallel warns at every shutdown that MPI engines take more than 5 s to exit
    kwargs: dict[str, Any] = {"engines": engines, "n": n, "log_level": logging.ERROR}
    if profile is not None:
        kwargs["profile"] = profile
    if cluster_id is not None:
        kwargs["cluster_id"] = cluster_id
    # nasnb's own exit handler (stop_cluster) replaces ipyparallel's: it also removes leftovers
    kwargs["shutdown_atexit"] = False
    cluster = ipp.Cluster(**kwargs)
    env = {var: str(threads) for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    cluster.config.EngineLauncher.environment = env
    if warm:
        cluster.config.EngineLauncher.engine_args = [f"--IPEngine.startup_command={warm}"]
    if mpi_args:
        cluster.config.MPILauncher.mpi_args = list(mpi_args)
    if cluster.cluster_file and os.path.exists(cluster.cluster_file):
        raise ClusterError(
            f"A cluster with id {cluster.cluster_id!r} is already running (its file "
            f"{cluster.cluster_file!r} exists): connect to it with Cluster(cluster_id=...) or "
            "choose another id."
        )
    _STARTED[cluster.cluster_id] = (cluster, _spawn_watchdog(cluster), os.getpid())
    try:
        cluster.start_cluster_sync()
    except BaseException as exc:
        _launch_failed(cluster, exc, n, engines)
    if not wait:
        return cluster, None
    return cluster, finish_start(cluster, n, timeout, engines)


def finish_start(cluster: Any, n: int, timeout: float, engines: str = "mpi") -> Any:
    """Connect a client to a cluster :func:`start_cluster` launched and wait for its ``n`` engines."""
    try:
        client = cluster.connect_client_sync()
        wait_for_engines(client, n, timeout, f"the new cluster {cluster.cluster_id!r}")
    except BaseException as exc:
        _launch_failed(cluster, exc, n, engines)
    logger.info("started cluster %s with %d %s engines", cluster.cluster_id, n, engines)
    return client


def _launch_failed(cluster: Any, exc: BaseException, n: int, engines: str) -> None:
    """Stop what was started and raise (a :class:`ClusterError` for any ordinary exception)."""
    _stop_quietly(cluster)
    if isinstance(exc, ClusterError):
        raise exc
    if isinstance(exc, Exception):
        raise ClusterError(
            f"Could not start an ipyparallel cluster with {n} {engines!r} engine(s): {type(exc).__name__}: {exc}"
        ) from exc
    raise exc


def _spawn_watchdog(cluster: Any) -> subprocess.Popen:
    """Start the process that stops ``cluster`` if this process dies (own session: a kill of our group spares it)."""
    require("psutil", extra="cluster", purpose="stop a started cluster when its client dies")
    from nasnb.cluster import watchdog  # imported here: `python -m nasnb.cluster.watchdog` runs it as __main__

    cmd = watchdog.command(
        os.getpid(), cluster.cluster_id, profile_dir=cluster.profile_dir, cluster_file=cluster.cluster_file
    )
    try:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
            cwd=os.path.expanduser("~"),
        )
    except OSError as exc:
        raise ClusterError(f"Could not start the watchdog of cluster {cluster.cluster_id!r}: {exc}") from exc


def stop_cluster(cluster: Any, *, grace: float = 3.0) -> None:
    """Stop a cluster :func:`start_cluster` started: controller, ``mpiexec``, engines, nannies and its watchdog.

    Every local process of the cluster (found from the launchers' pids and by
    ``IPP_CLUSTER_ID`` in the environment) gets SIGTERM, then SIGKILL after ``grace``
    seconds; ipyparallel's own stop then updates its records and cancels what is not a
    local process (batch jobs). Calling it again, or on a cluster this process did not
    start, does nothing. Registered with :mod:`atexit` for every started cluster, so
    an interpreter (or kernel) that exits stops its clusters.

    Parameters
    ----------
    cluster : ipyparallel.Cluster
        The first value returned by :func:`start_cluster`.
    grace : float
        Seconds between SIGTERM and SIGKILL.
    """
    entry = _STARTED.pop(str(getattr(cluster, "cluster_id", "")), None)
    if entry is None or entry[0] is not cluster:
        if entry is not None:  # same id, another object: not ours to stop
            _STARTED[cluster.cluster_id] = entry
        return
    from nasnb.cluster import watchdog

    dog = entry[1]
    exclude = [os.getpid(), dog.pid]
    try:
        roots = watchdog.launcher_pids(cluster.to_dict())
    except Exception:  # a half-started cluster may not describe itself; the environment scan still finds it
        roots = set()
    # terminating the processes first takes ~1 s; ipyparallel's stop alone waits ~4 s for mpiexec
    stopped, _ = watchdog.shut_down(
        cluster.cluster_id,
        cluster.profile_dir,
        cluster_file=cluster.cluster_file,
        roots=roots,
        exclude=exclude,
        ipp_stop=cluster.stop_cluster_sync,
        grace=grace,
    )
    dog.terminate()
    try:
        dog.wait(5)
    except subprocess.TimeoutExpired:
        dog.kill()
        dog.wait()
    logger.info("stopped cluster %s (%d processes)", cluster.cluster_id, stopped)


def _stop_quietly(cluster: Any) -> None:
    try:
        stop_cluster(cluster)
    except Exception as exc:  # cleaning up after a failure: report, keep the first error
        logger.warning("could not stop cluster %s cleanly: %s", getattr(cluster, "cluster_id", "?"), exc)


@atexit.register
def _stop_started_clusters() -> None:
    """At interpreter exit stop every cluster this process started and did not stop."""
    for cluster, _, owner in list(_STARTED.values()):
        if owner == os.getpid():  # a forked child inherits this registry, not the clusters
            _stop_quietly(cluster)


def connect_client(
    *,
    profile: str | None = None,
    cluster_id: str | None = None,
    connection_file: str | os.PathLike | None = None,
    timeout: float = 60.0,
    n: int = 1,
):
    """Connect to a running controller and wait for ``n`` engines; return the ``ipp.Client``."""
    ipp = require("ipyparallel", extra="cluster", purpose="connect to an ipyparallel cluster")
    if connection_file is not None:
        path = os.fspath(connection_file)
        if not os.path.isfile(path):
            raise ClusterError(
                f"The connection file {path!r} does not exist. It is written by the controller "
                f"(ipcontroller-client.json in the profile's security/ directory). {_HINT}"
            )
        where, kwargs = f"connection file {path!r}", {"connection_info": path}
    else:
        where = f"profile {profile or 'default'!r}, cluster id {cluster_id or ''!r}"
        kwargs = {"profile": profile, "cluster_id": cluster_id}
    try:
        client = ipp.Client(timeout=timeout, **kwargs)
    except TimeoutError as exc:
        raise ClusterTimeoutError(
            f"No ipyparallel controller answered at {where} within {timeout} s. Is the cluster running? {_HINT}"
        ) from exc
    except (KeyError, ValueError) as exc:
        raise ClusterError(
            f"The connection information at {where} is malformed (missing or bad field {exc}). {_HINT}"
        ) from exc
    except OSError as exc:
        raise ClusterError(f"Cannot connect to an ipyparallel cluster at {where}: {exc}. {_HINT}") from exc
    try:
        wait_for_engines(client, n, timeout, where)
    except BaseException:
        client.close()
        raise
    return client
