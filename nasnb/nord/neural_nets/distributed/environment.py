"""``nord.neural_nets.distributed.environment``: the thesis' ``Environment`` on a nasnb cluster.

Coming from the original framework
----------------------------------
``with Environment(DistributedConfig(address, port, world_size=N, world_rank=0)) as env:``
runs the block on the master, and ``env.descriptor_evaluate(descriptor, epochs, ...)``
trains the network data-parallel on every worker and returns ``(loss, metrics,
total_time)``, as in the thesis. Here the block's process is the master (the client of a
:class:`nasnb.cluster.Cluster`) and the workers are ``world_size`` MPI engines that the
``with`` statement starts and stops; gradients are all-reduced every step over
``torch.distributed`` (:meth:`nasnb.cluster.Cluster.data_parallel_evaluate`). nasnb picks
the rendezvous itself, so ``address`` and ``port`` are recorded only, and a script started
with ``world_rank`` other than 0 is refused (nasnb starts the workers; run the script once).
``untrained=True`` has nothing to distribute and runs on the master. Data sets registered
through ``Configs()`` travel to the engines with the evaluator.

The repository's signature ``Environment(optimizer, optimizer_params, logger)`` works too
(one worker unless ``config=`` is given), as do its helpers: ``print`` and ``log`` (master
only, so always here), ``print_statuses`` (prints ``Master initialized.`` and one
``Worker i of n (local 0)`` line per engine, as the original printed on entering),
``barrier`` (waits until every engine answers), ``workers_wait`` (returns at once: nasnb's
engines wait for work on their own) and ``shutdown`` (stops the engines; prints
``Master stopped``).

Examples
--------
Needs MPI engines (skipped in doctests)::

    with Environment(DistributedConfig('127.0.0.1', 12345, world_size=2, world_rank=0)) as env:
        loss, metrics, total_time = env.descriptor_evaluate(d, epochs=1, dataset='digits')

>>> Environment(DistributedConfig(world_size=2)).master()
True
"""

from __future__ import annotations

import logging
from typing import Any

from nasnb.exceptions import ClusterError, ParameterError
from nasnb.nord.configurations.distributed import DistributedConfig
from nasnb.nord.neural_nets.neural_descriptor import as_nasnb_descriptor

__all__ = ["Environment", "DistributedConfig"]

logger = logging.getLogger(__name__)


class Environment:
    """Context manager of the distributed setting (see the module docs).

    Parameters
    ----------
    config : DistributedConfig, optional
        The thesis' form. Default: one worker (``world_size=1``). An optimizer class or name
        in this place is the repository's form ``Environment(optimizer, optimizer_params,
        logger)``.
    optimizer_params : dict, optional
        Keyword arguments of the optimizer (default ``{}``).
    logger : str, optional
        Name of the logger ``log`` writes to (default ``'NORD'``).
    optimizer : torch.optim class or name, optional
        Keyword form of the optimizer (default Adam, the original's default).
    verbose : bool
        Log each evaluation (INFO level).
    batch_size : int, default 128
        Global batch size (each worker trains on ``batch_size // world_size``).
    engines : {"mpi", "local"}, default "mpi"
        How the workers are started.
    timeout : float, default 120
        Seconds to wait for the workers.
    """

    def __init__(
        self,
        config: Any = None,
        optimizer_params: dict | None = None,
        logger: str | None = None,
        *,
        optimizer: Any = None,
        verbose: bool = False,
        batch_size: int = 128,
        engines: str = "mpi",
        timeout: float = 120.0,
    ) -> None:
        from nasnb.nord.neural_nets.neural_evaluators import LocalEvaluator

        if config is not None and not isinstance(config, DistributedConfig):
            if not (isinstance(config, str) or isinstance(config, type)):
                raise ParameterError(
                    f"The 'config' parameter of Environment must be a DistributedConfig (or, in "
                    f"the repository's form, an optimizer class or name). Got {config!r} instead."
                )
            if optimizer is not None:
                raise ParameterError(
                    "Environment got an optimizer both in the place of 'config' and as 'optimizer='; give it once."
                )
            config, optimizer = None, config
        if logger is not None and not isinstance(logger, str):
            raise ParameterError(f"The 'logger' parameter of Environment must be a logger name. Got {logger!r}.")
        config = DistributedConfig() if config is None else config
        self.config = config
        self.world_size, self.world_rank, self.local_rank = config.world_size, config.world_rank, 0
        self.verbose = bool(verbose)
        self.logger = logging.getLogger("NORD" if logger is None else logger)
        self.engines, self.timeout = engines, float(timeout)
        self.ev = LocalEvaluator(
            "Adam" if optimizer is None else optimizer, optimizer_params, verbose, batch_size=batch_size
        )
        self.cluster: Any = None

    def master(self) -> bool:
        """True: the ``with`` block runs on the master only."""
        return True

    def print(self, msg: Any) -> None:
        """Print ``msg`` once (from the master), as the original."""
        print(msg)

    def log(self, msg: Any) -> None:
        """Log ``msg`` at INFO level to this environment's logger (from the master)."""
        self.logger.info("%s", msg)

    def __enter__(self) -> Environment:
        if self.world_rank != 0:
            raise ClusterError(
                f"This script was started as rank {self.world_rank}; nasnb starts the "
                f"{self.world_size} workers itself, so run it once, with world_rank=0."
            )
        from nasnb.cluster import Cluster

        self.cluster = Cluster(
            n=self.world_size, engines=self.engines, evaluator=self.ev.nasnb_evaluator, timeout=self.timeout
        )
        self.cluster.__enter__()
        logger.info(
            "master initialized with %d worker(s) (%s:%s recorded, not used)",
            self.world_size,
            self.config.address,
            self.config.port,
        )
        self.print_statuses()
        self.workers_wait()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop(*exc_info)

    def _stop(self, *exc_info: Any) -> bool:
        cluster, self.cluster = self.cluster, None
        if cluster is None:
            return False
        cluster.__exit__(*(exc_info or (None, None, None)))
        return True

    def shutdown(self) -> None:
        """Stop the workers (the ``with`` statement does it on exit); prints ``Master stopped``."""
        if self._stop():
            self.print("Master stopped")

    def workers_wait(self) -> None:
        """Nothing to do on the master: nasnb's engines wait for work on their own."""

    def _require(self) -> Any:
        if self.cluster is None:
            raise ClusterError("The environment is not running: use it inside `with Environment(...) as env:`.")
        return self.cluster

    def print_statuses(self) -> None:
        """Print ``Master initialized.`` and one line per worker (rank, world size, local rank)."""
        cluster = self._require()
        self.print("Master initialized.")
        self.log("Master initialized.")
        for i in range(cluster.num_engines):
            msg = f"Worker {i + 1} of {int(self.world_size)} (local 0)"
            self.print(msg)
            self.log(msg)

    def barrier(self) -> None:
        """Return once every worker has answered."""
        self._require().apply_all(_answer, distributed=False)

    def descriptor_evaluate(
        self,
        descriptor: Any,
        epochs: int = 5,
        data_percentage: float = 1.0,
        untrained: bool = False,
        dataset: str | None = None,
        *,
        seed: int | None = None,
    ) -> tuple[float, dict, float]:
        """Train ``descriptor`` data-parallel on the workers; ``(loss, metrics, total_time)``."""
        from nasnb.nord.neural_nets.neural_evaluators import _global_seed, _non_functional

        cluster = self._require()
        if untrained:
            return self.ev.descriptor_evaluate(descriptor, 0, data_percentage, True, dataset, seed=seed)
        config = self.ev.dataset_config(dataset)
        seed = _global_seed() if seed is None else seed
        result = cluster.data_parallel_evaluate(
            as_nasnb_descriptor(descriptor), epochs, config.name, data_percentage, seed
        )
        if self.verbose:
            logger.info("data-parallel evaluation on %d worker(s): %s", self.world_size, result)
        if result.status == "invalid":
            logger.info("non-functional network (%s)", result.message)
            return _non_functional(config.metrics)
        return result.loss, dict(result.metrics), result.total_time


def _answer() -> bool:
    """What each worker runs for :meth:`Environment.barrier`."""
    return True
