"""A real one-node Slurm cluster (munged, slurmctld, slurmd) in a network namespace of its own.

Debian's ``slurm-wlm`` and ``munge`` packages (installed with apt-get when missing; root
only). Nothing is configured outside a temporary folder: a munge key, ``slurm.conf``
(``SlurmctldHost=localhost``, one node ``localhost`` with 2 CPUs, partition ``debug``;
``KillWait=1``: a cancelled job's processes get SIGKILL 1 s after SIGTERM, which MPI engines
may outlive) and ``cgroup.conf``; the daemons run in the foreground, started directly (no systemd), inside a
fresh network namespace, so their ports cannot clash with anything on the machine. The
namespace has a veth pair with a private address (``10.213.7.100``, inside the namespace
only): glibc resolves ``localhost`` for Slurm (``AI_ADDRCONFIG``) only when a non-loopback
address exists. Daemons enter only the network namespace (``nsenter --net``), so they see the
machine's cgroup file system.

Commands (``sbatch``, ``scancel``, a client) run in the namespace through :meth:`Slurm.run`
and :meth:`Slurm.popen` with ``SLURM_CONF`` set.

Examples
--------
>>> sorted(config_files("/tmp/x"))
['cgroup.conf', 'slurm.conf']
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from .harness import PREFIX, REGISTRY, _ip, _remove, cleanup_leftovers

__all__ = ["Slurm", "ensure_installed", "config_files"]

PACKAGES = ("slurm-wlm", "munge")
TOOLS = ("slurmctld", "slurmd", "munged", "mungekey", "sbatch", "scancel", "squeue", "sinfo", "srun", "nsenter")


def ensure_installed(timeout: float = 900.0) -> None:
    """Install Slurm and munge with apt-get when a tool is missing (as ``make system-deps`` does)."""
    if all(shutil.which(t) for t in TOOLS):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=timeout, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *PACKAGES], check=True, env=env, timeout=timeout,
                   capture_output=True)
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        raise RuntimeError(f"apt-get installed {PACKAGES} but {missing} are still not on PATH")


def config_files(root: str | os.PathLike) -> dict[str, str]:
    """The contents of ``slurm.conf`` and ``cgroup.conf`` for a one-node cluster kept under ``root``."""
    root = Path(root)
    slurm = f"""\
ClusterName=nasnbmh
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={root}/munge/socket
CredType=cred/munge
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/run/slurmctld.pid
SlurmdPidFile={root}/run/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=1
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=localhost CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
"""
    return {"slurm.conf": slurm, "cgroup.conf": "CgroupPlugin=cgroup/v1\n"}


class Slurm:
    """Start munged, slurmctld and slurmd (``with Slurm() as slurm:``); stop them and remove everything after."""

    def __init__(self, workdir: str | os.PathLike | None = None, env: dict[str, str] | None = None) -> None:
        self.tag = uuid.uuid4().hex[:6]
        self._own_dir = workdir is None
        self.workdir = Path(workdir if workdir is not None else tempfile.mkdtemp(prefix="nasnb-slurm-"))
        self.extra_env = dict(env or {})
        self.started = False

    @property
    def ns(self) -> str:
        return f"{PREFIX}{self.tag}-slurm"

    @property
    def conf(self) -> Path:
        return self.workdir / "slurm.conf"

    def environment(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, SLURM_CONF=str(self.conf))
        env.update(self.extra_env)
        env.update(extra)
        return env

    def command(self, argv: Sequence[str]) -> list[str]:
        return ["nsenter", f"--net=/run/netns/{self.ns}", "--", *argv]

    def run(self, argv: Sequence[str], *, timeout: float = 60.0, check: bool = True, **kwargs
            ) -> subprocess.CompletedProcess:
        kwargs.setdefault("capture_output", True)
        done = subprocess.run(self.command(argv), env=self.environment(), text=True, timeout=timeout, **kwargs)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stdout}{done.stderr}")
        return done

    def popen(self, argv: Sequence[str], **kwargs) -> subprocess.Popen:
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.STDOUT)
        return subprocess.Popen(self.command(argv), env=self.environment(), text=True, **kwargs)

    def _daemon(self, argv: Sequence[str], log: str) -> None:
        with open(self.workdir / "log" / log, "ab") as out:
            subprocess.Popen(self.command(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             env=self.environment(), start_new_session=True)

    def __enter__(self) -> Slurm:
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.down()

    def up(self, timeout: float = 60.0) -> Slurm:
        ensure_installed()
        cleanup_leftovers()
        REGISTRY.mkdir(parents=True, exist_ok=True)
        (REGISTRY / f"{self.tag}.json").write_text(f'{{"owner": {os.getpid()}}}')
        self.started = True
        for sub in ("state", "spool", "run", "log", "munge"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir / "munge", 0o700)
        for name, text in config_files(self.workdir).items():
            (self.workdir / name).write_text(text)
        _ip("netns", "add", self.ns)
        _ip("-n", self.ns, "link", "set", "lo", "up")
        _ip("-n", self.ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
        _ip("-n", self.ns, "addr", "add", "10.213.7.100/24", "dev", "eth0")
        for dev in ("eth0", "eth1"):
            _ip("-n", self.ns, "link", "set", dev, "up")
        munge = self.workdir / "munge"
        subprocess.run(["mungekey", "-c", "-k", str(munge / "munge.key")], check=True, capture_output=True,
                       timeout=30)
        self.run(["munged", "--force", f"--socket={munge / 'socket'}", f"--key-file={munge / 'munge.key'}",
                  f"--pid-file={munge / 'pid'}", f"--log-file={munge / 'log'}", f"--seed-file={munge / 'seed'}"])
        self._daemon(["slurmctld", "-D", "-f", str(self.conf)], "slurmctld.out")
        self._daemon(["slurmd", "-D", "-f", str(self.conf), "-N", "localhost"], "slurmd.out")
        deadline = time.monotonic() + timeout
        while True:
            state = self.run(["sinfo", "-h", "-o", "%t"], check=False, timeout=30).stdout.strip()
            if state == "idle":
                return self
            if time.monotonic() > deadline:
                logs = "".join((self.workdir / "log" / f).read_text()[-1500:] for f in ("slurmctld.out", "slurmd.out"))
                raise RuntimeError(f"Slurm's node is not idle after {timeout} s (state {state!r}): {logs}")
            time.sleep(0.3)

    def down(self) -> None:
        """Kill every process in the namespace (daemons, jobs, controllers) and delete it."""
        if not self.started:
            return
        _remove(self.tag)
        self.started = False
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # ------------------------------------------------------------------ jobs
    def sbatch(self, script: str | os.PathLike, *args: str, cwd: str | os.PathLike | None = None) -> int:
        out = self.run(["sbatch", "--parsable", *args, str(script)], cwd=cwd).stdout.strip()
        return int(out.split(";")[0])

    def state(self, job: int) -> str:
        """The job's state (``PENDING``, ``RUNNING``...; ``""`` once it left the queue)."""
        return self.run(["squeue", "-h", "-j", str(job), "-o", "%T"], check=False).stdout.strip()

    def wait_state(self, job: int, states: Sequence[str], timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while (state := self.state(job)) not in states:
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job} is {state!r}, not one of {list(states)}, after {timeout} s")
            time.sleep(0.2)
        return state
