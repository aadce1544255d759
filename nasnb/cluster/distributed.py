"""Data parallelism on the engines: a ``torch.distributed`` process group set up from MPI.

This is the thesis' DistributedEvaluator rebuilt on PyTorch's distributed API.

:func:`distributed_context` — the primitive
    A context manager that runs *on every engine at once*. It reads the MPI rank and
    world size (mpi4py), lets rank 0 pick a free TCP port and broadcasts it (and rank
    0's address: ``127.0.0.1`` when all ranks share a host) over MPI, initialises a
    ``torch.distributed`` process group (``nccl`` on the engine's GPU
    ``cuda:(local rank mod GPUs on its host)`` when CUDA is available, see
    :mod:`nasnb.cluster.devices`; ``gloo`` on CPU) and always destroys it on exit, even
    after an error. It yields a
    :class:`DistributedContext` with ``rank``, ``world_size``, ``device``,
    ``backend`` and helpers (:meth:`DistributedContext.allreduce_gradients`,
    :meth:`DistributedContext.shard`). Engines that are not MPI ranks of one world can
    be given ``rank``/``world_size``/``port`` explicitly.

``Cluster.apply_all(fn, *args, distributed=True)`` — how client code uses it
    Runs ``fn(ctx, *args, **kwargs)`` on every engine inside the context above and
    returns the list of return values ordered by rank. Data-parallel DARTS (first- or
    second-order) is written as such an ``fn``: build the supernet with the same
    seed on every rank, shard the data with ``ctx.shard``, call
    ``ctx.allreduce_gradients(model)`` after each ``backward()`` (or pass it as
    ``after_backward=`` to :func:`nasnb.evaluators.train.train_epochs`), return the
    result from rank 0.

:func:`data_parallel_evaluate` — one network, many engines
    Built on the two above with the shared training loop: every rank builds the
    network with the same seed, trains on its shard of the training set with the
    per-rank batch ``batch_size // world_size`` (so one step sees the same number of
    samples as a single-process step), gradients are averaged with all-reduce after
    each backward pass, and rank 0 tests the model and returns the
    :class:`~nasnb.results.EvaluationResult` ``(loss, metrics, total_time)``.

Examples
--------
Outside MPI a one-rank group still works (useful to debug an ``fn`` serially):

>>> with distributed_context(rank=0, world_size=1) as ctx:
...     (ctx.rank, ctx.world_size, ctx.backend)
(0, 1, 'gloo')
"""

from __future__ import annotations

import contextlib
import datetime
import math
import os
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

__all__ = [
    "DistributedContext",
    "distributed_context",
    "free_port",
    "host_address",
    "rendezvous_point",
    "data_parallel_evaluate",
]


def free_port() -> int:
    """A TCP port that was free a moment ago on this host."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def _controller_host() -> str | None:
    """On an ipyparallel engine, the host part of the controller address it registered at."""
    app = sys.modules.get("ipyparallel.engine.app")
    if app is None or not app.IPEngine.initialized():
        return None
    return urlparse(app.IPEngine.instance().registration_url or "").hostname


def host_address() -> str:
    """The IPv4 address other hosts reach this process at.

    On an engine: the local end of its route to the controller (a UDP ``connect``, which sends
    nothing), so engines that all reach the controller reach each other. Elsewhere, or when the
    controller is on the loopback: what the host name resolves to (Debian maps it to
    ``127.0.1.1``, which is why engines ask the route).

    >>> isinstance(host_address(), str)
    True
    """
    controller = _controller_host()
    if controller and not controller.startswith("127.") and controller not in ("localhost", "::1"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((controller, 9))
                return s.getsockname()[0]
            except OSError:
                pass
    return socket.gethostbyname(socket.gethostname())


def _interface_of(address: str) -> str | None:
    """Name of the network interface that holds ``address`` (None when psutil is missing or none does)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - the [cluster] extra installs it
        return None
    for name, addrs in psutil.net_if_addrs().items():
        if any(a.family == socket.AF_INET and a.address == address for a in addrs):
            return name
    return None


@contextlib.contextmanager
def _gloo_interface(master_addr: str) -> Iterator[None]:
    """Let gloo listen on the interface of :func:`host_address` while a group across hosts forms.

    gloo binds to what the host name resolves to, the loopback on Debian-like hosts, so peers on
    other hosts cannot connect; ``GLOO_SOCKET_IFNAME`` set by the user is kept.
    """
    if "GLOO_SOCKET_IFNAME" in os.environ or master_addr.startswith("127.") or master_addr in ("localhost", "::1"):
        yield
        return
    iface = _interface_of(host_address())
    if iface is not None:
        os.environ["GLOO_SOCKET_IFNAME"] = iface
    try:
        yield
    finally:
        if iface is not None:
            os.environ.pop("GLOO_SOCKET_IFNAME", None)


def rendezvous_point() -> tuple[str, int]:
    """``(host_address(), free_port())`` of this process: where rank 0 of a group across hosts listens."""
    return host_address(), free_port()


@dataclass
class DistributedContext:
    """Where this process stands in the data-parallel group (yielded by :func:`distributed_context`)."""

    rank: int
    world_size: int
    backend: str
    device: Any

    def allreduce_gradients(self, model: Any) -> None:
        """Average the gradients of ``model`` over all ranks (call after ``backward()``)."""
        import torch.distributed as dist

        if self.world_size == 1:
            return
        for p in model.parameters():
            if p.grad is not None:
                dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
                p.grad.div_(self.world_size)

    def broadcast_parameters(self, model: Any, src: int = 0) -> None:
        """Copy parameters and buffers of rank ``src`` to every rank."""
        import torch.distributed as dist

        if self.world_size == 1:
            return
        for t in list(model.parameters()) + list(model.buffers()):
            dist.broadcast(t.data, src=src)

    def allreduce_mean(self, value: float) -> float:
        """Mean of a float over all ranks."""
        import torch
        import torch.distributed as dist

        t = torch.tensor([float(value)], dtype=torch.float64, device=self.device)  # nccl reduces GPU tensors only
        if self.world_size > 1:
            dist.all_reduce(t, op=dist.ReduceOp.SUM)
        return float(t.item()) / self.world_size

    def shard(self, n: int, seed: int) -> Any:
        """Indices of this rank's equal share of ``range(n)`` after a seeded permutation.

        Every rank gets ``n // world_size`` samples (the remainder is left out) so all
        ranks take the same number of steps, which collective operations require.
        """
        import torch

        perm = torch.randperm(n, generator=torch.Generator().manual_seed(int(seed)))
        per = n // self.world_size
        return perm[self.rank * per : (self.rank + 1) * per]


def _mpi_rendezvous() -> tuple[int, int, str, int, int]:
    """Rank, world size, rank 0's address, a port rank 0 found free, and this rank's local rank."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    hosts = comm.allgather(socket.gethostname())
    if rank == 0:
        addr = "127.0.0.1" if len(set(hosts)) == 1 else host_address()
        payload = (addr, free_port())
    else:
        payload = None
    addr, port = comm.bcast(payload, root=0)
    return rank, size, addr, port, hosts[:rank].count(hosts[rank])


def _local_rank(rank: int, master_addr: str) -> int:
    """Local rank of an explicitly ranked process: the launcher's, the engine index on this host, else a guess."""
    from nasnb.cluster import devices

    local = devices.engine_local_rank(default=None)
    if local is None:  # every rank on this host when they meet on the loopback address
        local = rank if master_addr in ("127.0.0.1", "localhost", "::1") else 0
    return local


@contextlib.contextmanager
def distributed_context(
    backend: str | None = None,
    *,
    rank: int | None = None,
    world_size: int | None = None,
    master_addr: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = 120.0,
    local_rank: int | None = None,
) -> Iterator[DistributedContext]:
    """Set up a ``torch.distributed`` process group for the duration of a ``with`` block.

    Parameters
    ----------
    backend : {"gloo", "nccl"}, optional
        Default ``"nccl"`` when CUDA is available, else ``"gloo"``. ``"nccl"`` trains on
        ``cuda:(local_rank % torch.cuda.device_count())``, ``"gloo"`` on the CPU.
    rank, world_size, master_addr, port : optional
        Explicit rendezvous; when ``rank`` is None they come from MPI (rank 0 picks a
        free port and broadcasts it with mpi4py).
    timeout : float
        Seconds a collective may wait before failing.
    local_rank : int, optional
        Index of this process among the group's processes on its host (picks the GPU).
        Default: from the MPI ranks' host names; with an explicit ``rank``, the
        launcher's local rank (:func:`nasnb.cluster.devices.env_local_rank`), else the
        engine's index on its host, else ``rank`` when ``master_addr`` is a loopback address.
    """
    import torch
    import torch.distributed as dist

    from nasnb._validation import parameter_error
    from nasnb.cluster.devices import device_for_rank

    if rank is None:
        rank, world_size, master_addr, port, mpi_local = _mpi_rendezvous()
        local_rank = mpi_local if local_rank is None else local_rank
    elif world_size is None:
        raise ValueError("distributed_context: pass world_size together with rank.")
    if port is None:
        if world_size != 1:
            raise ValueError("distributed_context: pass the rendezvous port with an explicit rank.")
        port = free_port()
    if backend not in (None, "gloo", "nccl"):
        raise parameter_error("backend", "distributed_context", "'gloo', 'nccl' or None", backend)
    if backend == "gloo":
        device = torch.device("cpu")
    else:
        local_rank = _local_rank(rank, master_addr) if local_rank is None else local_rank
        device = torch.device(device_for_rank(local_rank))
        if device.type != "cuda" and backend == "nccl":
            raise parameter_error(
                "backend",
                "distributed_context",
                "'gloo' or None here ('nccl' needs CUDA, which is not available)",
                backend,
            )
        backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if dist.is_initialized():
        raise RuntimeError("A torch.distributed process group is already active in this process.")
    with _gloo_interface(master_addr):
        dist.init_process_group(
            backend,
            init_method=f"tcp://{master_addr}:{port}",
            rank=rank,
            world_size=world_size,
            timeout=datetime.timedelta(seconds=timeout),
        )
    try:
        yield DistributedContext(rank, world_size, backend, device)
    finally:
        dist.destroy_process_group()


def data_parallel_evaluate(
    ctx: DistributedContext,
    evaluator: Any,
    descriptor: Any,
    epochs: int,
    dataset: Any,
    percentage: float = 1.0,
    seed: int = 0,
) -> Any:
    """Train ``descriptor`` data-parallel inside ``ctx``; rank 0 returns the result, others None.

    Data, model and collectives live on ``ctx.device``: the engine's GPU with NCCL when
    CUDA is available (the default of :func:`distributed_context`), the CPU with gloo.

    ``evaluator`` is a :class:`~nasnb.evaluators.LocalEvaluator` (its optimizer, batch
    size, merge policy and data splits are used).
    """
    import torch

    from nasnb.builders import build_network
    from nasnb.data.batches import TensorBatches
    from nasnb.data.metrics import resolve_loss
    from nasnb.evaluators.local import fitness_from_metrics
    from nasnb.evaluators.train import evaluate, resolve_optimizer, train_epochs
    from nasnb.exceptions import BuildError, DatasetError, DescriptorError
    from nasnb.results import EvaluationResult

    start = time.perf_counter()
    config = evaluator.registry().get(dataset)
    splits = evaluator.splits(config, percentage, ctx.device)
    if splits.train_tensors is None:
        raise DatasetError(f"Data-parallel evaluation needs in-memory tensors; dataset {config.name!r} has none.")
    x, y = splits.train_tensors
    idx = ctx.shard(len(x), seed).to(x.device)
    local_batch = max(1, evaluator.batch_size // ctx.world_size)
    with torch.random.fork_rng(devices=[ctx.device.index or 0] if ctx.device.type == "cuda" else []):
        torch.manual_seed(int(seed))
        try:
            model = build_network(
                descriptor,
                config.input_shape,
                config.num_outputs,
                merge=evaluator.merge,
                fixed_channels=config.fixed_channels,
                head=config.head,
                registry=evaluator.layer_registry,
            ).to(ctx.device)
        except (DescriptorError, BuildError) as exc:  # same outcome on every rank: no collective needed
            return EvaluationResult.invalid(f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
        ctx.broadcast_parameters(model)
        optimizer = resolve_optimizer(evaluator.optimizer_class)(model.parameters(), **evaluator.optimizer_params)
        batches = TensorBatches(
            x.index_select(0, idx), y.index_select(0, idx), local_batch, shuffle=True, seed=int(seed) * 1000 + ctx.rank
        )
        loss_fn = resolve_loss(config.loss)
        # every rank runs every epoch (no early stop) so the collectives stay in step
        losses = train_epochs(
            model, batches, optimizer, loss_fn, epochs, stop_on_nonfinite=False, after_backward=ctx.allreduce_gradients
        )
    train_loss = ctx.allreduce_mean(losses[-1])
    if ctx.rank != 0:
        return None
    if not math.isfinite(train_loss):
        return EvaluationResult.diverged(f"training loss became {train_loss}", time.perf_counter() - start)
    try:
        target = splits.test if evaluator.evaluate_on == "test" else splits.validation
        loss, metrics = evaluate(model, target, loss_fn, metrics=config.metrics, device=ctx.device)
    except (RuntimeError, ValueError, ArithmeticError):
        return EvaluationResult.failed(traceback.format_exc(), time.perf_counter() - start)
    total = time.perf_counter() - start
    if not math.isfinite(loss):
        return EvaluationResult.diverged(f"test loss is {loss}", total)
    return EvaluationResult(loss, metrics, total, fitness_from_metrics(config, metrics))
