"""``nord.neural_nets.distributed``: the thesis' distributed ``Environment`` (see
:mod:`nasnb.nord.neural_nets.distributed.environment`).

Both import paths of the original work: ``from nord.neural_nets.distributed import
Environment`` and, as in the thesis' Listing 3.4, ``from
nord.neural_nets.distributed.environment import Environment``.

Examples
--------
>>> from nasnb.nord.neural_nets.distributed.environment import Environment as E
>>> E is Environment
True
"""

from nasnb.nord.configurations.distributed import DistributedConfig
from nasnb.nord.neural_nets.distributed import environment
from nasnb.nord.neural_nets.distributed.environment import Environment

__all__ = ["Environment", "DistributedConfig", "environment"]
