"""``nord.configurations.all.Configs``: per-dataset settings, shared by this package's evaluators.

Coming from the original framework
----------------------------------
The original ``Configs`` was a singleton whose dicts (``NUM_CLASSES``, ``INPUT_SHAPE``,
``CHANNELS``, ``DATA_LOAD``, ...) every evaluator read. Here every ``Configs()`` is a view of
one shared :class:`~nasnb.data.DatasetRegistry` (created on first use with nasnb's built-in
data sets; the file-based ones read ``$NASNB_DATA_ROOT``). The dicts are read-only
snapshots built from the registry; change the configuration with the ``add_*`` methods.
A ``data_load(percentage)`` function returning ``(trainloader, testloader, classes)`` is
called once with ``percentage=1``; nasnb draws the ``data_percentage`` subset itself
(seeded, the same for every candidate). ``INPUT_SHAPE`` holds the shape without the channel
axis, as in the original. Registering an existing name replaces it, as in the original.

Examples
--------
>>> import numpy as np, torch
>>> def get_toy(percentage=1.0):
...     x = torch.zeros(8, 1, 4, 4); y = torch.arange(8) % 2
...     ds = torch.utils.data.TensorDataset(x, y)
...     return torch.utils.data.DataLoader(ds), torch.utils.data.DataLoader(ds), ('a', 'b')
>>> conf = Configs()
>>> conf.add_classification_dataset(name='toy', num_classes=2, input_shape=(4, 4), channels=1,
...                                 data_load=get_toy)
>>> conf.INPUT_SHAPE['toy'], conf.CHANNELS['toy'], Configs().NUM_CLASSES['toy']
((4, 4), 1, 2)
>>> reset_configs()
>>> names = Configs().print_datasets()   # doctest: +ELLIPSIS
['...', ...]
>>> 'toy' in names
False
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from typing import Any

from nasnb._validation import parameter_error
from nasnb.data import DatasetConfig, DatasetRegistry, default_datasets

__all__ = ["Configs", "reset_configs", "shared_datasets"]

logger = logging.getLogger(__name__)

_SHARED: list[DatasetRegistry] = []  # the one registry of this compatibility package (see module docs)


def shared_datasets() -> DatasetRegistry:
    """The registry every ``Configs()`` and every evaluator of :mod:`nasnb.nord` uses."""
    if not _SHARED:
        _SHARED.append(default_datasets(os.environ.get("NASNB_DATA_ROOT")))
    return _SHARED[0]


def reset_configs() -> None:
    """Forget every added data set (nasnb addition; the original singleton could not be reset)."""
    _SHARED.clear()


def _call_data_load(data_load: Callable[[float], Any]) -> Any:
    return data_load(1.0)


def _loss(criterion: Any) -> Any:
    """A torch loss class (``nn.CrossEntropyLoss``) becomes an instance; names/callables pass."""
    if isinstance(criterion, type):
        return criterion()
    return criterion


class Configs:
    """The datasets known to this package's evaluators (a view of :func:`shared_datasets`)."""

    def __init__(self) -> None:
        self.registry = shared_datasets()

    def _table(self, field: Callable[[DatasetConfig], Any]) -> dict[str, Any]:
        return {name: field(self.registry.get(name)) for name in self.registry.names()}

    @property
    def NUM_CLASSES(self) -> dict[str, int]:  # noqa: N802 - the original's names
        return self._table(lambda c: c.num_outputs)

    @property
    def INPUT_SHAPE(self) -> dict[str, tuple]:  # noqa: N802
        return self._table(lambda c: c.input_shape[1:] if c.channels is not None else c.input_shape)

    @property
    def CHANNELS(self) -> dict[str, int | None]:  # noqa: N802
        return self._table(lambda c: c.channels)

    @property
    def CRITERION(self) -> dict[str, Any]:  # noqa: N802
        return self._table(lambda c: c.loss)

    @property
    def METRIC(self) -> dict[str, tuple]:  # noqa: N802
        return self._table(lambda c: c.metrics)

    @property
    def DIMENSION_KEEPING(self) -> dict[str, int | None]:  # noqa: N802
        return self._table(lambda c: c.fixed_channels)

    @property
    def DATA_LOAD(self) -> dict[str, Callable]:  # noqa: N802
        return self._table(lambda c: c.loader)

    @property
    def DENSE_PART(self) -> dict[str, Any]:  # noqa: N802
        return self._table(lambda c: c.head)

    def print_datasets(self) -> list[str]:
        """Print the list of registered names, as the original; return it."""
        names = list(self.registry.names())
        print(names)
        return names

    def add_dataset(
        self,
        name: str,
        num_classes: int,
        input_shape: tuple,
        channels: int | None,
        criterion: Any,
        metrics: Any,
        dimension_keeping: int | None,
        data_load: Callable,
        dense_part: Any = "thesis",
        *,
        task: str = "classification",
    ) -> None:
        """Register a data set with every setting given.

        ``criterion`` is a nasnb loss name, a ``(output, target) -> loss`` callable or a torch
        loss class (instantiated); ``metrics`` are nasnb metric names (``"accuracy"``,
        ``"mse"``, ``"mae"``); ``dimension_keeping`` is the fixed channel count (or ``None``);
        ``dense_part`` is a nasnb head (``"thesis"``, ``"linear"``, ``None`` or a callable).
        """
        if not callable(data_load):
            raise parameter_error("data_load", "add_dataset", "a function data_load(percentage)", data_load)
        loader = functools.partial(_call_data_load, data_load)
        metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        add = (
            self.registry.add_classification_dataset
            if task == "classification"
            else self.registry.add_regression_dataset
        )
        add(
            name,
            num_classes,
            input_shape,
            channels,
            loader,
            loss=_loss(criterion),
            metrics=metrics,
            fixed_channels=dimension_keeping,
            head=dense_part,
            replace=True,
        )

    def add_classification_dataset(
        self, name: str, num_classes: int, input_shape: tuple, channels: int | None, data_load: Callable
    ) -> None:
        """Register a classification data set (cross-entropy, accuracy, the thesis head)."""
        self.add_dataset(name, num_classes, input_shape, channels, "cross_entropy", ("accuracy",), None, data_load)

    def add_regression_dataset(
        self, name: str, num_classes: int, input_shape: tuple, channels: int | None, data_load: Callable
    ) -> None:
        """Register a regression data set (MSE loss and metric; ``num_classes`` = targets)."""
        self.add_dataset(name, num_classes, input_shape, channels, "mse", ("mse",), None, data_load, task="regression")
