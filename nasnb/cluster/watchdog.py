"""Stop a cluster nasnb started when the client process that started it dies.

:func:`nasnb.cluster.connect.start_cluster` spawns this module as a small process
in its own session (so a signal to the client's process group does not reach it)::

    python -m nasnb.cluster.watchdog --client-pid PID --cluster-id ID --profile-dir DIR --cluster-file FILE

Every ``interval`` seconds it checks that the client is alive and notes the cluster's
processes: the launchers recorded in ipyparallel's cluster file (controller,
``mpiexec``) and all their descendants (controller schedulers, ``hydra_pmi_proxy``,
engines, engine nannies). When the client is gone, SIGKILL included, it terminates
every process it noted or that carries the cluster's ``IPP_CLUSTER_ID`` in its
environment (SIGTERM, SIGKILL after ``grace`` seconds), then stops the cluster as
``ipcluster stop`` would (which also cancels batch jobs of non-local launchers), removes
the cluster's connection files and exits. It exits quietly
on SIGTERM (sent by :func:`~nasnb.cluster.connect.stop_cluster` after a normal stop) and
when the cluster was stopped by other means.

The file runs without importing the ``nasnb`` package (only the standard library and
psutil), so the watchdog stays small.

Examples
--------
>>> cluster_processes("no-such-cluster")
[]
>>> sorted(launcher_pids({"controller": {"state": {"pid": 11}}, "engines": {"sets": {"a": {"pid": 12}}}}))
[11, 12]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["launcher_pids", "cluster_processes", "terminate", "shut_down", "watch", "command", "main"]

logger = logging.getLogger(__name__)


def _psutil():
    import psutil  # the [cluster] extra installs it

    return psutil


def launcher_pids(cluster_dict: Any) -> set[int]:
    """Every ``"pid"`` recorded in an ipyparallel cluster description (``Cluster.to_dict()`` / cluster file)."""
    found: set[int] = set()
    if isinstance(cluster_dict, dict):
        for key, value in cluster_dict.items():
            if key == "pid" and isinstance(value, int) and value > 0:
                found.add(value)
            else:
                found |= launcher_pids(value)
    elif isinstance(cluster_dict, (list, tuple)):
        for value in cluster_dict:
            found |= launcher_pids(value)
    return found


def read_cluster_file(path: str | None) -> dict | None:
    """The JSON ipyparallel keeps for a running cluster, or None (absent, or being rewritten)."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _alive(proc: Any) -> bool:
    psutil = _psutil()
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _tree(pids: Iterable[int]) -> dict[int, Any]:
    psutil = _psutil()
    found: dict[int, Any] = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            found[root.pid] = root
            for child in root.children(recursive=True):
                found[child.pid] = child
        except psutil.Error:
            continue
    return found


def _has_cluster_env(proc: Any, cluster_id: str, profile_dir: str | None) -> bool:
    psutil = _psutil()
    try:
        env = proc.environ()
    except (psutil.Error, OSError):
        return False
    if env.get("IPP_CLUSTER_ID") != cluster_id:
        return False
    return profile_dir is None or env.get("IPP_PROFILE_DIR") in (None, profile_dir)


def cluster_processes(
    cluster_id: str,
    profile_dir: str | None = None,
    *,
    roots: Iterable[int] = (),
    known: Iterable[Any] = (),
    exclude: Iterable[int] = (),
) -> list[Any]:
    """Live processes of a cluster on this host (``psutil.Process`` objects).

    Parameters
    ----------
    cluster_id, profile_dir : str
        Processes whose environment holds ``IPP_CLUSTER_ID=cluster_id`` (and, when given,
        ``IPP_PROFILE_DIR=profile_dir``) belong to the cluster: ipyparallel's launchers
        set both for the controller, ``mpiexec``, engines and nannies.
    roots : iterable of int
        Launcher pids; they and all their descendants belong to the cluster.
    known : iterable of psutil.Process
        Processes noted earlier (a Process object refuses to signal a reused pid).
    exclude : iterable of int
        Pids never returned (the client, the watchdog).
    """
    psutil = _psutil()
    skip = set(exclude) | {os.getpid()}
    found = {p.pid: p for p in known}
    found.update(_tree(roots))
    for proc in psutil.process_iter():
        if proc.pid not in found and proc.pid not in skip and _has_cluster_env(proc, cluster_id, profile_dir):
            found[proc.pid] = proc
    return [p for pid, p in sorted(found.items()) if pid not in skip and _alive(p)]


def terminate(procs: Iterable[Any], grace: float = 3.0) -> list[Any]:
    """SIGTERM ``procs``, SIGKILL those alive after ``grace`` s; return the ones still alive."""
    psutil = _psutil()
    procs = [p for p in procs if _alive(p)]
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        for p in procs:
            try:
                p.send_signal(sig)
            except psutil.Error:
                pass
        deadline = time.monotonic() + wait
        while procs and time.monotonic() < deadline:
            time.sleep(0.05)
            procs = [p for p in procs if _alive(p)]
        if not procs:
            break
    return procs


def remove_cluster_files(cluster_id: str, profile_dir: str | None, cluster_file: str | None) -> None:
    """Remove the cluster file and controller connection files of a dead cluster."""
    paths = [cluster_file] if cluster_file else []
    if profile_dir:
        security = os.path.join(profile_dir, "security")
        paths += [os.path.join(security, f"ipcontroller-{cluster_id}-{kind}.json") for kind in ("client", "engine")]
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


def _ipcluster_stop(cluster_file: str | None, timeout: float) -> None:
    """``ipcluster stop`` on the cluster file (cancels batch jobs too); bounded by ``timeout`` s."""
    if read_cluster_file(cluster_file) is None:
        return

    def stop() -> None:
        try:
            import ipyparallel as ipp

            ipp.Cluster.from_file(cluster_file, log_level=logging.CRITICAL).stop_cluster_sync()
        except Exception as exc:  # the sweep that follows kills whatever is left
            logger.warning("ipyparallel could not stop the cluster: %s: %s", type(exc).__name__, exc)

    thread = threading.Thread(target=stop, daemon=True)
    thread.start()
    thread.join(timeout)


def shut_down(
    cluster_id: str,
    profile_dir: str | None = None,
    *,
    cluster_file: str | None = None,
    roots: Iterable[int] = (),
    known: Iterable[Any] = (),
    exclude: Iterable[int] = (),
    ipp_stop: Callable[[], None] | None = None,
    grace: float = 3.0,
) -> tuple[int, list[Any]]:
    """Stop every local process of a cluster, then let ipyparallel stop the rest; remove its files.

    The processes (see :func:`cluster_processes`) get SIGTERM at once, SIGKILL after
    ``grace`` s — about 1 s for a 2-engine MPI cluster, where ipyparallel's own stop
    waits for ``mpiexec`` about 4 s. ``ipp_stop`` (ipyparallel's stop) then updates
    ipyparallel's records and cancels what is not a local process (batch jobs); a second
    sweep catches anything it left. Returns the number of processes stopped and those
    still alive (normally none).
    """
    exclude = list(exclude)
    procs = cluster_processes(cluster_id, profile_dir, roots=roots, known=known, exclude=exclude)
    left = terminate(procs, grace)
    if ipp_stop is not None:
        try:
            ipp_stop()
        except Exception as exc:  # the second sweep below is the backstop
            logger.warning("ipyparallel could not stop cluster %s: %s: %s", cluster_id, type(exc).__name__, exc)
    more = cluster_processes(cluster_id, profile_dir, known=left, exclude=exclude)
    left = terminate(more, grace)
    remove_cluster_files(cluster_id, profile_dir, cluster_file)
    if left:
        logger.error("could not stop pids %s of cluster %s", [p.pid for p in left], cluster_id)
    return len(procs) + len(more), left


def watch(
    client_pid: int,
    cluster_id: str,
    *,
    profile_dir: str | None = None,
    cluster_file: str | None = None,
    interval: float = 1.0,
    grace: float = 3.0,
    stop_timeout: float = 10.0,
) -> int:
    """Watch ``client_pid``; when it is gone stop the cluster ``cluster_id``. Returns an exit status."""
    psutil = _psutil()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    try:
        client = psutil.Process(client_pid)
    except psutil.NoSuchProcess:
        client = None
    known: dict[int, Any] = {}
    seen_file = False
    while not stopping.is_set():
        if client is None or not _alive(client):
            return _clean_up(cluster_id, profile_dir, cluster_file, known.values(), client_pid, grace, stop_timeout)
        data = read_cluster_file(cluster_file)
        if data is not None:
            seen_file = True
            for pid, proc in _tree(launcher_pids(data)).items():
                # the environment check keeps a stale pid reused by another program out
                if pid not in known and pid != client_pid and _has_cluster_env(proc, cluster_id, profile_dir):
                    known[pid] = proc
        known = {pid: p for pid, p in known.items() if _alive(p)}
        if data is None and seen_file and not known:
            logger.debug("cluster %s was stopped; watchdog exits", cluster_id)
            return 0
        stopping.wait(interval)
    return 0


def _clean_up(
    cluster_id: str,
    profile_dir: str | None,
    cluster_file: str | None,
    known: Iterable[Any],
    client_pid: int,
    grace: float,
    stop_timeout: float,
) -> int:
    logger.warning("client %d is gone; stopping cluster %s", client_pid, cluster_id)
    stopped, left = shut_down(
        cluster_id,
        profile_dir,
        cluster_file=cluster_file,
        known=known,
        exclude=[client_pid],
        ipp_stop=lambda: _ipcluster_stop(cluster_file, stop_timeout),
        grace=grace,
    )
    logger.warning("cluster %s: %d process(es) stopped, %d left", cluster_id, stopped, len(left))
    return 1 if left else 0


def command(
    client_pid: int,
    cluster_id: str,
    *,
    profile_dir: str | None = None,
    cluster_file: str | None = None,
    interval: float = 1.0,
    python: str | None = None,
) -> list[str]:
    """The command line that starts a watchdog (runs this file without importing ``nasnb``)."""
    # runpy.run_path on the file: no package import and no script directory on sys.path
    bootstrap = f"import runpy; runpy.run_path({os.path.abspath(__file__)!r}, run_name='__main__')"
    args = [
        python or sys.executable,
        "-c",
        bootstrap,
        "--client-pid",
        str(client_pid),
        "--cluster-id",
        cluster_id,
        "--interval",
        str(interval),
    ]
    if profile_dir:
        args += ["--profile-dir", profile_dir]
    if cluster_file:
        args += ["--cluster-file", cluster_file]
    return args


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m nasnb.cluster.watchdog", description=__doc__.split("\n")[0])
    parser.add_argument("--client-pid", type=int, required=True)
    parser.add_argument("--cluster-id", required=True)
    parser.add_argument("--profile-dir")
    parser.add_argument("--cluster-file")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--grace", type=float, default=3.0)
    args = parser.parse_args(argv)
    if args.profile_dir and os.path.isdir(os.path.join(args.profile_dir, "log")):
        log_file = os.path.join(args.profile_dir, "log", f"nasnb-watchdog-{args.cluster_id}.log")
        handler: logging.Handler = logging.FileHandler(log_file, delay=True)  # created on the first record
    else:
        handler = logging.NullHandler()
    logging.basicConfig(level=logging.INFO, handlers=[handler], format="%(asctime)s %(levelname)s %(message)s")
    return watch(
        args.client_pid,
        args.cluster_id,
        profile_dir=args.profile_dir,
        cluster_file=args.cluster_file,
        interval=args.interval,
        grace=args.grace,
    )


if __name__ == "__main__":
    sys.exit(main())
