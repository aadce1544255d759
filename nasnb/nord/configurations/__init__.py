"""``nord.configurations``: the shared dataset configuration and the distributed settings.

Coming from the original framework: ``Configs`` lives in :mod:`.all` as before;
``DistributedConfig`` (the thesis' settings of the distributed environment) is importable
from here and from :mod:`nasnb.nord.neural_nets.distributed`.

Examples
--------
>>> from nasnb.nord.configurations import Configs
>>> Configs().NUM_CLASSES['digits']
10
"""

from nasnb.nord.configurations.all import Configs, reset_configs
from nasnb.nord.configurations.distributed import DistributedConfig

__all__ = ["Configs", "DistributedConfig", "reset_configs"]
