"""``nord.neural_nets.layers``: the original's layer helpers, mapped onto torch and nasnb.

Coming from the original framework: ``Identity`` and ``Flatten`` are ``torch.nn``'s,
``ScaleLayer`` is nasnb's weight-scaling layer (:class:`nasnb.layers.modules.Scale`, the
DeepNEAT "S" of the thesis), ``types_dict`` groups the ``torch.nn`` layer classes by kind and
``find_layer_type`` names the kind of one class. The original's ``SizeScaleLayer`` and
``Conv2d151`` were used by no example or listing and are not provided (nasnb's builder
resizes inputs itself, see the porting page).

Examples
--------
>>> import torch.nn as nn
>>> find_layer_type(nn.Conv2d), find_layer_type(nn.MaxPool2d), find_layer_type(nn.ReLU)
('convolutions', 'pooling', 'activations')
"""

from __future__ import annotations

from typing import Any

import torch.nn as nn

from nasnb.exceptions import UnknownLayerError
from nasnb.layers.modules import Scale as ScaleLayer

__all__ = ["Identity", "Flatten", "ScaleLayer", "types_dict", "find_layer_type"]

Identity = nn.Identity
Flatten = nn.Flatten

#: ``torch.nn`` layer classes by kind, as the original grouped them.
types_dict: dict[str, list[type]] = {
    "convolutions": [nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d],
    "pooling": [
        nn.MaxPool1d,
        nn.MaxPool2d,
        nn.MaxPool3d,
        nn.AvgPool1d,
        nn.AvgPool2d,
        nn.AvgPool3d,
        nn.AdaptiveMaxPool1d,
        nn.AdaptiveMaxPool2d,
        nn.AdaptiveAvgPool1d,
        nn.AdaptiveAvgPool2d,
    ],
    "activations": [
        nn.ReLU,
        nn.ReLU6,
        nn.ELU,
        nn.SELU,
        nn.LeakyReLU,
        nn.PReLU,
        nn.Sigmoid,
        nn.Tanh,
        nn.Softmax,
        nn.LogSoftmax,
        nn.Hardtanh,
        nn.Threshold,
        nn.Softplus,
        nn.GELU,
    ],
    "dropout": [nn.Dropout, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout],
    "linear": [nn.Linear],
    "normalization": [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.InstanceNorm2d],
    "other": [Identity, Flatten, ScaleLayer],
}


def find_layer_type(layer: Any) -> str:
    """The kind (a key of ``types_dict``) of a layer class.

    Raises :class:`~nasnb.exceptions.UnknownLayerError` for a class in no group.
    """
    for kind, classes in types_dict.items():
        if layer in classes:
            return kind
    raise UnknownLayerError(f"{layer!r} is in none of the layer groups ({', '.join(types_dict)}).")
