"""Three hosts on one machine: network namespaces joined by veth pairs, a controller and MPI engines.

Needs root and ``ip netns`` (iproute2). :class:`Hosts` builds this network::

           switch namespace (bridge br0, no address)
          /                |                 \\
     host a             host b             host c
   10.213.7.1         10.213.7.2         10.213.7.3
   ipcontroller       mpiexec -n 1       mpiexec -n 1
   (+ the client)     ipengine --mpi     ipengine --mpi

Each host is a network namespace with its own loopback and one veth interface ``eth0`` whose
peer sits on the bridge of the switch namespace; the addresses exist only inside these
namespaces (nothing is added to the machine's own namespace, and nothing is sent outside
them and loopback). Every process of a host runs in its own UTS namespace too, with the host
name ``<prefix>-<host>`` (``mh-b``...), so engines on different hosts report different
host names (``socket.gethostname()``), as on real machines. The hosts share the file system
(the connection files, the venv, the repository).

The controller listens on host a's veth address with a short heartbeat
(:data:`HEARTBEAT_MS`, :data:`HEARTBEAT_MISSES`): a host whose link goes down is unregistered
after ``(misses + 1)`` to ``(misses + 2)`` periods, and ipyparallel's task scheduler fails the
tasks it was running 5 s later (fixed in ipyparallel), which nasnb resubmits at once.

From Python (pytest, a notebook)::

    with Hosts() as hosts:                       # network, controller, one engine on b and c
        hosts.run("a", ["python", "search.py", hosts.client_file])   # the client runs on host a
        hosts.fail("b")                          # link down, then b's processes die (a crash)
        hosts.restore("b")                       # link up, new engines join the controller

From the command line (root)::

    python -m tests.multihost.harness up --dir /tmp/mh     # prints the client connection file
    ip netns exec nasnbmh<tag>-a python my_search.py /tmp/mh/profile/security/ipcontroller-client.json
    python -m tests.multihost.harness down --dir /tmp/mh
    python -m tests.multihost.harness cleanup              # leftovers of crashed runs

Every namespace name starts with :data:`PREFIX` and carries a tag recorded in
:data:`REGISTRY`; :func:`cleanup_leftovers` (run by every :meth:`Hosts.up`) kills the processes
in, and deletes, the namespaces whose owner is gone. Deleting a namespace deletes its veth ends.

Examples
--------
>>> address(2)
'10.213.7.2'
>>> host_name("b")
'mh-b'
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

__all__ = ["Hosts", "available", "cleanup_leftovers", "address", "host_name", "controller_command",
           "engine_command", "PREFIX", "SUBNET",
           "HEARTBEAT_MS", "HEARTBEAT_MISSES", "REGISTRY"]

PREFIX = "nasnbmh"
SUBNET = "10.213.7"
REGISTRY = Path(tempfile.gettempdir()) / "nasnb-multihost"
ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT_MS = 1000
HEARTBEAT_MISSES = 3
HOSTS = ("a", "b", "c")


def address(index: int) -> str:
    """The veth address of the ``index``-th host (1-based)."""
    return f"{SUBNET}.{index}"


def host_name(host: str) -> str:
    """The host name processes on ``host`` see (``socket.gethostname()``)."""
    return f"mh-{host}"


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=30)


def available() -> str | None:
    """None when namespaces can be made here, else why not (for a skip reason)."""
    if os.name != "posix" or os.geteuid() != 0:
        return "needs root (network namespaces)"
    for tool in ("ip", "unshare"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed"
    probe = f"{PREFIX}probe{os.getpid()}"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"`ip netns add` fails here: {made.stderr.strip()}"
    _ip("netns", "del", probe, check=False)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _namespaces() -> list[str]:
    out = _ip("netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(PREFIX)]


def _kill_namespace_processes(namespaces: Sequence[str], grace: float = 2.0) -> None:
    """SIGTERM, then SIGKILL, every process running in ``namespaces`` (all started by this harness)."""
    def pids() -> list[int]:
        found = []
        for ns in namespaces:
            out = _ip("netns", "pids", ns, check=False).stdout
            found += [int(p) for p in out.split() if p.isdigit() and int(p) != os.getpid()]
        return found

    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        left = pids()
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while pids() and time.monotonic() < deadline:
            time.sleep(0.1)


def _remove(tag: str) -> None:
    names = [ns for ns in _namespaces() if ns.startswith(f"{PREFIX}{tag}-")]
    _kill_namespace_processes(names, grace=0.5)  # throwaway processes: a short grace, then SIGKILL
    for ns in names:
        _ip("netns", "del", ns, check=False)
    (REGISTRY / f"{tag}.json").unlink(missing_ok=True)


def cleanup_leftovers() -> list[str]:
    """Remove the namespaces (and their processes) of harness runs whose owner process is gone.

    A run started with ``harness up`` (``detached``) stays until ``harness down``. Returns the
    tags removed.
    """
    removed = []
    tags = {ns[len(PREFIX):].split("-", 1)[0] for ns in _namespaces()}
    for tag in sorted(tags):
        try:
            record = json.loads((REGISTRY / f"{tag}.json").read_text())
        except (OSError, ValueError):
            record = {}
        owner = int(record.get("owner") or 0)
        if record.get("detached") or (owner and _alive(owner)):
            continue
        _remove(tag)
        removed.append(tag)
    return removed


class Hosts:
    """Hosts a, b, c as network namespaces; the controller on a, MPI engines on b and c.

    Parameters
    ----------
    engines : dict, optional
        Engines to start per host at :meth:`up` (default one on ``b`` and one on ``c``).
    workdir : path, optional
        Where the profile (connection files, logs) goes (default: a new temporary folder).
    heartbeat_ms, heartbeat_misses : int
        The controller's ``HeartMonitor.period`` and ``HeartMonitor.max_heartmonitor_misses``.
    env : dict, optional
        Extra environment of the engines (``NASNB_DATA_ROOT``...).
    wait : bool
        Whether :meth:`up` waits until the engines registered (a client that waits for them
        itself, ``Cluster(n=...)``, need not).
    """

    def __init__(self, engines: dict[str, int] | None = None, *, workdir: str | os.PathLike | None = None,
                 heartbeat_ms: int = HEARTBEAT_MS, heartbeat_misses: int = HEARTBEAT_MISSES,
                 env: dict[str, str] | None = None, detached: bool = False, wait: bool = True) -> None:
        self.engines = dict(engines if engines is not None else {"b": 1, "c": 1})
        self.tag = uuid.uuid4().hex[:6]
        self._own_dir = workdir is None
        self.workdir = Path(workdir if workdir is not None else tempfile.mkdtemp(prefix="nasnb-mh-"))
        self.heartbeat_ms, self.heartbeat_misses = int(heartbeat_ms), int(heartbeat_misses)
        self.extra_env = dict(env or {})
        self.detached, self.wait = detached, wait
        self.procs: list[subprocess.Popen] = []
        self.started = False

    # ------------------------------------------------------------------ names
    def ns(self, host: str) -> str:
        """The network namespace of ``host`` (``"sw"`` is the switch)."""
        return f"{PREFIX}{self.tag}-{host}"

    def address(self, host: str) -> str:
        return address(HOSTS.index(host) + 1)

    @property
    def profile_dir(self) -> Path:
        return self.workdir / "profile"

    @property
    def client_file(self) -> Path:
        """The connection file a client uses (``Cluster(connection_file=...)``)."""
        return self.profile_dir / "security" / "ipcontroller-client.json"

    @property
    def engine_file(self) -> Path:
        return self.profile_dir / "security" / "ipcontroller-engine.json"

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> Hosts:
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.down()

    def up(self, timeout: float = 60.0) -> Hosts:
        """Build the network, start the controller on a and the engines; wait until they registered (``wait``)."""
        cleanup_leftovers()
        REGISTRY.mkdir(parents=True, exist_ok=True)
        (REGISTRY / f"{self.tag}.json").write_text(json.dumps(
            {"owner": os.getpid(), "detached": self.detached, "workdir": str(self.workdir)}))
        self.started = True
        self._network()
        self.start_controller(timeout)
        for host, n in self.engines.items():
            if n:
                self.start_engines(host, n)
        if self.wait:
            self.wait_for_engines(sum(self.engines.values()), timeout)
        return self

    def down(self) -> None:
        """Kill every process and delete every namespace (and so every veth) this object made."""
        if not self.started:
            return
        _remove(self.tag)
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:  # pragma: no cover - killed in its namespace above
                proc.kill()
        self.procs.clear()
        self.started = False
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _network(self) -> None:
        sw = self.ns("sw")
        _ip("netns", "add", sw)
        _ip("-n", sw, "link", "set", "lo", "up")
        _ip("-n", sw, "link", "add", "br0", "type", "bridge")
        _ip("-n", sw, "link", "set", "br0", "up")
        for i, host in enumerate(HOSTS, 1):
            ns = self.ns(host)
            _ip("netns", "add", ns)
            # both ends are created directly inside the namespaces: nothing appears in the machine's own
            _ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", f"port-{host}", "netns", sw)
            _ip("-n", sw, "link", "set", f"port-{host}", "master", "br0")
            _ip("-n", sw, "link", "set", f"port-{host}", "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", f"{address(i)}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")

    # ------------------------------------------------------------------ processes
    def command(self, host: str, argv: Sequence[str]) -> list[str]:
        """``argv`` run on ``host``: in its network namespace and its own UTS namespace (host name)."""
        return ["ip", "netns", "exec", self.ns(host), "unshare", "--uts", "--", "sh", "-c",
                'hostname "$0" && exec "$@"', host_name(host), *argv]

    def environment(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        env.setdefault("OMP_NUM_THREADS", "1")
        env.update(self.extra_env)
        env.update(extra)
        return env

    def spawn(self, host: str, argv: Sequence[str], log: str) -> subprocess.Popen:
        """Start ``argv`` on ``host`` in the background (stdout and stderr to ``workdir/log``)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / log, "ab") as out:
            proc = subprocess.Popen(self.command(host, argv), stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, env=self.environment(), start_new_session=True)
        self.procs.append(proc)
        return proc

    def run(self, host: str, argv: Sequence[str], *, timeout: float = 180.0, **kwargs) -> subprocess.CompletedProcess:
        """Run ``argv`` on ``host`` to completion (a client on host a, say); output captured as text."""
        kwargs.setdefault("capture_output", True)
        return subprocess.run(self.command(host, argv), env=self.environment(), text=True, timeout=timeout,
                              **kwargs)

    def popen(self, host: str, argv: Sequence[str], **kwargs) -> subprocess.Popen:
        """Start ``argv`` on ``host`` with pipes (a client whose progress a test watches)."""
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.STDOUT)
        proc = subprocess.Popen(self.command(host, argv), env=self.environment(), text=True, **kwargs)
        self.procs.append(proc)
        return proc

    def start_controller(self, timeout: float = 60.0) -> None:
        """``ipcontroller`` on host a, listening on a's veth address."""
        argv = controller_command(self.address("a"), self.profile_dir, self.heartbeat_ms, self.heartbeat_misses)
        self.spawn("a", [_bin(argv[0]), *argv[1:], "--log-level=INFO"], "controller.log")
        self._wait_for_files(self.profile_dir, timeout, "controller.log")

    def _wait_for_files(self, profile_dir: Path, timeout: float, log: str) -> None:
        security = profile_dir / "security"
        deadline = time.monotonic() + timeout
        files = (security / "ipcontroller-client.json", security / "ipcontroller-engine.json")
        while not all(f.exists() for f in files):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the controller wrote no connection file in {timeout} s; see {self.workdir / log}")
            time.sleep(0.1)

    def start_one_host_cluster(self, host: str, n: int, name: str = "one-host", timeout: float = 60.0) -> Path:
        """A second cluster all on ``host``: a controller on its loopback and ``mpiexec -n n`` engines
        (one MPI world), as one machine runs them; returns its client connection file.

        The reference that work across hosts is compared with. The engines register in the
        background (a client waits for them).
        """
        profile = self.workdir / name
        argv = controller_command("127.0.0.1", profile, self.heartbeat_ms, self.heartbeat_misses)
        self.spawn(host, [_bin(argv[0]), *argv[1:]], f"{name}-controller.log")
        self._wait_for_files(profile, timeout, f"{name}-controller.log")
        argv = engine_command(n, profile / "security" / "ipcontroller-engine.json", profile)
        argv[0], argv[3] = _bin(argv[0]), _bin(argv[3])
        self.spawn(host, [*argv, "--log-level=WARN"], f"{name}-engines.log")
        return profile / "security" / "ipcontroller-client.json"

    def start_engines(self, host: str, n: int = 1) -> subprocess.Popen:
        """``mpiexec -n n ipengine --mpi`` on ``host`` against the running controller (a host may rejoin)."""
        argv = engine_command(n, self.engine_file, self.profile_dir)
        argv[0], argv[3] = _bin(argv[0]), _bin(argv[3])
        return self.spawn(host, [*argv, "--log-level=WARN"], f"engines-{host}.log")

    def wait_for_engines(self, n: int, timeout: float = 60.0) -> None:
        """Until ``n`` engines are registered (asked from host a)."""
        if n == 0:
            return
        code = ("import sys, ipyparallel as ipp; c = ipp.Client(connection_info=sys.argv[1], timeout=30); "
                "c.wait_for_engines(int(sys.argv[2]), timeout=float(sys.argv[3])); c.close()")
        done = self.run("a", [sys.executable, "-c", code, str(self.client_file), str(n), str(timeout)],
                        timeout=timeout + 40)
        if done.returncode != 0:
            raise RuntimeError(f"{n} engine(s) did not register in {timeout} s: {done.stderr[-2000:]}")

    # ------------------------------------------------------------------ failures
    def link(self, host: str, up: bool) -> None:
        """Take ``host``'s network link down (or bring it up)."""
        _ip("-n", self.ns(host), "link", "set", "eth0", "up" if up else "down")

    def fail(self, host: str) -> float:
        """Crash ``host``: its link goes down, then its processes die (they never say goodbye).

        Returns the ``time.time()`` of the link going down.
        """
        self.link(host, False)
        at = time.time()
        _kill_namespace_processes([self.ns(host)], grace=0.0)
        return at

    def restore(self, host: str, engines: int = 1) -> None:
        """Bring ``host`` back: link up and ``engines`` new engines registered with the running controller."""
        self.link(host, True)
        self.start_engines(host, engines)


def controller_command(ip: str, profile_dir: str | os.PathLike, period_ms: int = HEARTBEAT_MS,
                       misses: int = HEARTBEAT_MISSES) -> list[str]:
    """The controller's command line (as the many-hosts page prints it).

    >>> " ".join(controller_command("10.213.7.1", "/tmp/mh/profile"))[:40]
    'ipcontroller --ip=10.213.7.1 --profile-d'
    """
    return ["ipcontroller", f"--ip={ip}", f"--profile-dir={profile_dir}", f"--HeartMonitor.period={period_ms}",
            f"--HeartMonitor.max_heartmonitor_misses={misses}"]


def engine_command(n: int, engine_file: str | os.PathLike, profile_dir: str | os.PathLike) -> list[str]:
    """The command line of one host's MPI engines (as the many-hosts page prints it)."""
    return ["mpiexec", "-n", str(n), "ipengine", "--mpi", f"--file={engine_file}", f"--profile-dir={profile_dir}"]


def _bin(name: str) -> str:
    """An executable of this Python environment (the venv's ``mpiexec``, ``ipengine``...)."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else (shutil.which(name) or name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.multihost.harness", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="build the hosts, start the controller and engines; print the client file")
    up.add_argument("--dir", required=True, help="folder for the profile and logs")
    up.add_argument("--engines", default="b=1,c=1", help="engines per host, e.g. b=2,c=1")
    down = sub.add_parser("down", help="remove the hosts started with `up --dir DIR`")
    down.add_argument("--dir", required=True)
    sub.add_parser("cleanup", help="remove the leftovers of runs whose owner is gone")
    args = parser.parse_args(argv)
    if args.cmd == "cleanup":
        print(" ".join(cleanup_leftovers()) or "nothing to remove")
        return 0
    state = Path(args.dir) / "hosts.json"
    if args.cmd == "up":
        engines = {k: int(v) for k, v in (part.split("=") for part in args.engines.split(",") if part)}
        hosts = Hosts(engines, workdir=args.dir, detached=True)
        hosts.__enter__()  # its processes live on after this command; `down` kills them by namespace
        state.write_text(json.dumps({"tag": hosts.tag}))
        print(f"client connection file: {hosts.client_file}")
        print(f"run a client on host a: ip netns exec {hosts.ns('a')} python ...")
        return 0
    tag = json.loads(state.read_text())["tag"]
    _remove(tag)
    state.unlink()
    print(f"removed hosts {tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
