"""Builders: compile descriptors into torch modules (merge policies, dense heads).

Examples
--------
>>> from nasnb import NeuralDescriptor
>>> from nasnb.builders import build_network
>>> net = build_network(NeuralDescriptor.sequential([("CONV_3.N", {}), ("POOL_2.M", {})]), (1, 8, 8), 10,
...                     fixed_channels=8)
>>> net.shapes
{'layer_0': (8, 8, 8), 'layer_1': (8, 4, 4)}
"""

from nasnb.builders.builder import InferredParameterWarning, build_network
from nasnb.builders.heads import make_head
from nasnb.builders.merge import MergeStep
from nasnb.builders.network import NetworkModule
from nasnb.builders.randomness import GLOBAL_RNG_LOCK, PrivateDropout, private_randomness

__all__ = [
    "build_network",
    "NetworkModule",
    "MergeStep",
    "make_head",
    "InferredParameterWarning",
    "private_randomness",
    "PrivateDropout",
    "GLOBAL_RNG_LOCK",
]
