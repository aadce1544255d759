"""Layer registry: layer type names → torch module factories (importing it does not import torch).

Built-in names: the allowed ``torch.nn`` classes (``"nn.Conv2d"``, ...; see
:data:`nasnb.layers.torch_layers.ALLOWED`), the thesis blocks (``"deepneat_conv"`` and the
twelve chapter-6 choices ``"CONV_{2,3,5}.{H,N}"``, ``"POOL_{2,3,5}.{A,M}"``), and the
NAS-Bench-101 / NAS-Bench-201 operations.

Examples
--------
>>> from nasnb.layers import default_registry
>>> reg = default_registry().copy()
>>> def halve(shape):
...     from torch import nn
...     return nn.AvgPool1d(2), (shape[0], shape[1] // 2)
>>> reg.register_layer("halve", halve, ranks=[2])
>>> "halve" in reg, "halve" in default_registry()
(True, False)
"""

from nasnb.layers.registry import BUILDER_ARGUMENTS, LayerInfo, LayerRegistry, default_registry
from nasnb.layers.shapes import Shape, shape_text

__all__ = ["LayerRegistry", "LayerInfo", "default_registry", "BUILDER_ARGUMENTS", "Shape", "shape_text"]
