"""``nord.neural_nets.NeuralNet``: a descriptor compiled into a torch module.

Coming from the original framework: ``NeuralNet(net_descriptor, num_classes, input_shape,
input_channels)`` builds the network with nasnb's builder (Minimum-Viable-Size merging, the
thesis' dense head, declared input sizes inferred with a warning). ``keep_dimensions`` is
the fixed channel count (nasnb's ``"fixed"`` merge policy). The original ``sort`` and
``untrained`` arguments are accepted and have no effect. A descriptor that cannot become a
network raises :class:`~nasnb.exceptions.BuildError` (the original returned a module flagged
``functional = False``). ``plot()`` returns a matplotlib figure of the realised network.

Examples
--------
>>> import torch, torch.nn as nn
>>> from nasnb.nord.neural_nets import NeuralDescriptor
>>> d = NeuralDescriptor()
>>> _ = d.add_layer_sequential(nn.Conv1d, {'in_channels': 3, 'out_channels': 5, 'kernel_size': 3})
>>> net = NeuralNet(d, num_classes=7, input_shape=(52,), input_channels=3)
>>> net(torch.zeros(2, 3, 52)).shape, net.functional
(torch.Size([2, 7]), True)
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["NeuralNet"]


class NeuralNet(torch.nn.Module):
    """The network of ``net_descriptor`` with a dense head of ``num_classes`` outputs.

    Attributes
    ----------
    network : NetworkModule
        The nasnb network (``summary()``, ``shapes``, ``merges``).
    descriptor : NeuralDescriptor
        The descriptor it was built from (unchanged).
    """

    def __init__(self, net_descriptor: Any, num_classes: int, input_shape: tuple, input_channels: int | None,
                 sort: bool = False, untrained: bool = False, keep_dimensions: int | None = None,
                 dense_part: Any = "thesis") -> None:
        super().__init__()
        from nasnb.builders import build_network

        shape = tuple(input_shape) if input_channels is None else (int(input_channels), *tuple(input_shape))
        self.descriptor = net_descriptor
        self.network = build_network(net_descriptor, shape, num_classes, head=dense_part,
                                     merge="mvs" if keep_dimensions is None else "fixed",
                                     fixed_channels=keep_dimensions)
        self.functional = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)

    def plot(self, title: str | None = None, **kwargs: Any):
        """Figure of the realised network (merges included); never shown."""
        from nasnb.viz import plot_realised

        fig = plot_realised(self.descriptor, network=self.network, **kwargs)
        if title is not None and hasattr(fig, "suptitle"):
            fig.suptitle(title)
        return fig

    def __repr__(self) -> str:
        return self.network.summary()
