"""``DistributedConfig``: the settings of the thesis' distributed ``Environment``.

Coming from the original framework: the thesis gives the master's address and port, the
number of processes (``world_size``) and this process' rank (``world_rank``). nasnb starts
the worker processes itself (``world_size`` MPI engines of a :class:`nasnb.cluster.Cluster`)
and picks the ``torch.distributed`` rendezvous on its own, so ``address`` and ``port`` are
kept for the record only, and the script runs once, as rank 0. The port may be given as a
string of digits, as in the thesis' Listing 3.4; it is kept as an int.

Examples
--------
>>> DistributedConfig('127.0.0.1', 12345, world_size=2, world_rank=0)
DistributedConfig(address='127.0.0.1', port=12345, world_size=2, world_rank=0)
>>> DistributedConfig('127.0.0.1', '1234', world_size=4, world_rank=0).port   # the thesis' string port
1234
>>> DistributedConfig('127.0.0.1', 12345, world_size=0)
Traceback (most recent call last):
...
nasnb.exceptions.ParameterError: The 'world_size' parameter of DistributedConfig must be a positive int. Got 0 instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from nasnb._validation import check_positive_int, parameter_error

__all__ = ["DistributedConfig"]


@dataclass(frozen=True)
class DistributedConfig:
    """Master address and port, number of processes and this process' rank."""

    address: str = "127.0.0.1"
    port: int = 29500
    world_size: int = 1
    world_rank: int = 0

    def __post_init__(self) -> None:
        func = "DistributedConfig"
        if not isinstance(self.address, str) or not self.address:
            raise parameter_error("address", func, "a non-empty host name or IP address", self.address)
        if isinstance(self.port, str) and self.port.strip().isdigit():
            object.__setattr__(self, "port", int(self.port.strip()))
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise parameter_error("port", func, "a port number in 1..65535 (an int or a string of digits)", self.port)
        check_positive_int(self.world_size, "world_size", func)
        if (
            isinstance(self.world_rank, bool)
            or not isinstance(self.world_rank, int)
            or not 0 <= self.world_rank < self.world_size
        ):
            raise parameter_error("world_rank", func, f"an int in 0..{self.world_size - 1}", self.world_rank)
