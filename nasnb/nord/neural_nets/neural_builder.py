"""``nord.neural_nets.NeuralNet``: a descriptor compiled into a torch module.

Coming from the original framework: ``NeuralNet(net_descriptor, num_classes, input_shape,
input_channels)`` builds the network with nasnb's builder (Minimum-Viable-Size merging, the
thesis' dense head, declared input sizes inferred with a warning). ``keep_dimensions`` is
the fixed channel count (nasnb's ``"fixed"`` merge policy). The original ``sort`` and
``untrained`` arguments are accepted and have no effect. ``input_shape`` must be a tuple of
ints (``NeuralNet(..., input_shape=32)`` raises :class:`~nasnb.exceptions.ParameterError`).
Original-style descriptors are read through their ``to_nasnb()`` view. A descriptor that cannot become a
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

from nasnb._validation import parameter_error
from nasnb.nord.neural_nets.neural_descriptor import as_nasnb_descriptor

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

    def __init__(
        self,
        net_descriptor: Any,
        num_classes: int,
        input_shape: tuple,
        input_channels: int | None,
        sort: bool = False,
        untrained: bool = False,
        keep_dimensions: int | None = None,
        dense_part: Any = "thesis",
        *,
        merge: str | None = None,
    ) -> None:
        super().__init__()
        from nasnb.builders import build_network

        if (
            not isinstance(input_shape, (tuple, list))
            or not input_shape
            or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in input_shape)
        ):
            raise parameter_error("input_shape", "NeuralNet", "a tuple of positive ints such as (32, 32)", input_shape)
        if input_channels is not None and (
            isinstance(input_channels, bool) or not isinstance(input_channels, int) or input_channels <= 0
        ):
            raise parameter_error("input_channels", "NeuralNet", "a positive int or None", input_channels)
        shape = tuple(input_shape) if input_channels is None else (input_channels, *tuple(input_shape))
        if merge is None:
            merge = "mvs" if keep_dimensions is None else "fixed"
        self.descriptor = net_descriptor
        self.network = build_network(
            as_nasnb_descriptor(net_descriptor),
            shape,
            num_classes,
            head=dense_part,
            merge=merge,
            fixed_channels=keep_dimensions,
        )
        self.functional = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)

    def plot(self, title: str | None = None, **kwargs: Any):
        """Figure of the realised network (merges included); never shown."""
        from nasnb.viz import plot_realised

        fig = plot_realised(as_nasnb_descriptor(self.descriptor), network=self.network, **kwargs)
        if title is not None and hasattr(fig, "suptitle"):
            fig.suptitle(title)
        return fig

    def __repr__(self) -> str:
        return self.network.summary()
