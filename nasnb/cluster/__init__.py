"""Distributed evaluation on an ipyparallel cluster of MPI engines.

* :class:`Cluster` — context manager that starts MPI engines (or connects to a running
  cluster) and evaluates descriptors on them: ``descriptor_evaluate``, ``map_evaluate``,
  ``submit`` / ``as_completed``, ``data_parallel_evaluate``, ``apply_all``.
* :func:`distributed_context` — a ``torch.distributed`` process group rendezvoused from
  MPI rank/size, the primitive behind data-parallel evaluation and data-parallel DARTS
  (see :mod:`nasnb.cluster.distributed`).

ipyparallel and mpi4py are optional: they are imported when a cluster is used.

Examples
--------
>>> from nasnb.cluster import Cluster
>>> Cluster(n=2, engines="mpi").n
2
"""

from nasnb.cluster.distributed import DistributedContext, data_parallel_evaluate, distributed_context
from nasnb.cluster.environment import Cluster, max_local_engines
from nasnb.cluster.tasks import EngineLostWarning, TaskFuture

__all__ = [
    "Cluster",
    "max_local_engines",
    "DistributedContext",
    "distributed_context",
    "data_parallel_evaluate",
    "EngineLostWarning",
    "TaskFuture",
]
