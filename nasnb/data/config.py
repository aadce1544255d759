"""Dataset configurations and the dataset registry.

A :class:`DatasetConfig` holds everything a study needs to know about a data set
(the thesis' "data curator and configuration"): number of outputs, input shape,
channels, loss, metrics, fixed-channel setting, dense head, data organisation and
the loader. A :class:`DatasetRegistry` is a plain object mapping names to configs;
there is no global registry: :func:`nasnb.data.default_datasets` builds a new one
with the built-ins on every call, so registrations never leak between studies.

Loader contract
---------------
A loader is any callable; it is called as ``loader(**config.loader_kwargs)`` and
must return one of

* ``(x_train, y_train, x_test, y_test)`` -- numpy arrays or torch tensors; ``x``
  has shape ``(n, *input_shape)``; ``y`` holds class indices (classification) or
  targets (regression). ``uint8`` inputs are scaled to ``[0, 1]`` batch by batch;
* ``(train_dataset, test_dataset)`` -- two ``(x, y)`` array pairs, or two
  map-style ``torch.utils.data.Dataset`` objects yielding ``(x, y)``;
* ``(train_loader, test_loader, classes)`` -- the thesis' form: two
  ``torch.utils.data.DataLoader`` objects (their ``.dataset`` is used) and the
  number (or list) of classes.

Examples
--------
>>> import numpy as np
>>> def my_loader():
...     x = np.zeros((8, 1, 4, 4), np.float32); y = np.arange(8) % 2
...     return x, y, x, y
>>> reg = DatasetRegistry()
>>> reg.add_classification_dataset("toy", 2, (4, 4), 1, my_loader).input_shape
(1, 4, 4)
>>> reg.names()
['toy']
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from nasnb._validation import check_choice, check_positive_int, parameter_error
from nasnb.exceptions import DatasetError

__all__ = ["DatasetConfig", "DatasetRegistry", "TASKS", "ORGANISATIONS"]

logger = logging.getLogger(__name__)

TASKS = ("classification", "regression")
ORGANISATIONS = ("matrix", "graph")


_MAX_DIM = 2**31


def _shape(input_shape: Any, func: str) -> tuple[int, ...]:
    """A non-empty tuple of positive ints (numpy ints allowed; bools, floats, strings refused)."""
    expected = "a non-empty tuple of positive ints"
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Iterable):
        raise parameter_error("input_shape", func, expected, input_shape)
    shape = tuple(input_shape)
    if (
        not shape
        or len(shape) > 8
        or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and 0 < int(s) < _MAX_DIM for s in shape)
    ):
        raise parameter_error("input_shape", func, expected + " (at most 8 of them)", input_shape)
    return tuple(int(s) for s in shape)


def _full_shape(input_shape: Any, channels: int | None, func: str) -> tuple[int, ...]:
    """Return the input shape including the channel axis (see ``add_classification_dataset``)."""
    shape = _shape(input_shape, func)
    if channels is None:
        return shape
    channels = check_positive_int(channels, "channels", func)
    if len(shape) >= 2 and shape[0] == channels:
        return shape
    return (channels,) + shape


@dataclass(frozen=True)
class DatasetConfig:
    """Everything an evaluator needs to know about one data set.

    Parameters
    ----------
    name : str
        Registry name.
    task : {"classification", "regression"}
    num_outputs : int
        Classes (classification) or regression targets.
    input_shape : tuple of int
        Shape of one sample without the batch axis, channels first:
        ``(C, H, W)`` images, ``(C, L)`` series, ``(F,)`` flat features.
    channels : int or None
        Input channels (``input_shape[0]``); ``None`` for flat data.
    loader : callable
        See the module's loader contract; called as ``loader(**loader_kwargs)``.
    loss : str or callable
        ``"cross_entropy"``, ``"mse"``, ``"l1"``, ``"smooth_l1"``, ``"nll"`` or a
        callable ``(output, target) -> scalar tensor``.
    metrics : tuple of str
        Names from ``"accuracy"``, ``"mse"``, ``"mae"``; the first one is the fitness.
    fixed_channels : int or None
        Channel count every layer keeps (thesis ch. 6 uses 64); ``None`` = free.
    head : str, callable or None
        Dense head passed to the builder (``"thesis"``, ``"linear"``, ``None``, callable).
    organisation : {"matrix", "graph"}
        Tensor data (images, series, features) or graph data (torch_geometric).
    loader_kwargs : mapping
        Keyword arguments for the loader (e.g. ``root``).
    description : str
        Free text shown by ``DatasetRegistry.describe``.

    Examples
    --------
    >>> import numpy as np
    >>> c = DatasetConfig("toy", "regression", 1, (3,), None, loader=lambda: None,
    ...                   loss="mse", metrics=("mse",))
    >>> c.fitness_metric
    'mse'
    """

    name: str
    task: str
    num_outputs: int
    input_shape: tuple[int, ...]
    channels: int | None
    loader: Callable[..., Any]
    loss: Any = "cross_entropy"
    metrics: tuple[str, ...] = ("accuracy",)
    fixed_channels: int | None = None
    head: Any = "thesis"
    organisation: str = "matrix"
    loader_kwargs: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        func = "DatasetConfig"
        if not isinstance(self.name, str) or not self.name:
            raise parameter_error("name", func, "a non-empty str", self.name)
        check_choice(self.task, TASKS, "task", func)
        check_choice(self.organisation, ORGANISATIONS, "organisation", func)
        check_positive_int(self.num_outputs, "num_outputs", func)
        if self.fixed_channels is not None:
            check_positive_int(self.fixed_channels, "fixed_channels", func)
        if not callable(self.loader):
            raise parameter_error("loader", func, "a callable", self.loader)
        from nasnb.data.metrics import LOSSES, METRICS  # local: tiny module, no torch at import

        if not callable(self.loss):
            check_choice(self.loss, tuple(LOSSES), "loss", func)
        if not isinstance(self.metrics, (str, tuple, list)):
            raise parameter_error("metrics", func, "a metric name or a tuple of metric names", self.metrics)
        metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
        if not metrics:
            raise parameter_error("metrics", func, "a non-empty tuple of metric names", self.metrics)
        for m in metrics:
            check_choice(m, tuple(METRICS), "metrics", func)
        if self.channels is not None:
            check_positive_int(self.channels, "channels", func)
        if not isinstance(self.loader_kwargs, Mapping) or not all(isinstance(k, str) for k in self.loader_kwargs):
            raise parameter_error("loader_kwargs", func, "a dict of keyword arguments", self.loader_kwargs)
        if not isinstance(self.description, str):
            raise parameter_error("description", func, "a str", self.description)
        object.__setattr__(self, "metrics", metrics)
        object.__setattr__(self, "input_shape", _shape(self.input_shape, func))
        object.__setattr__(self, "loader_kwargs", dict(self.loader_kwargs))

    @property
    def fitness_metric(self) -> str:
        """Name of the metric a search maximises (negated for error metrics)."""
        return self.metrics[0]

    def with_options(self, **loader_kwargs: Any) -> DatasetConfig:
        """Return a copy whose loader gets these keyword arguments too.

        Examples
        --------
        >>> c = DatasetConfig("t", "classification", 2, (1, 2), 1, loader=dict)
        >>> c.with_options(root="/data").loader_kwargs
        {'root': '/data'}
        """
        return dataclasses.replace(self, loader_kwargs={**self.loader_kwargs, **loader_kwargs})

    def load(self) -> Any:
        """Call the loader and return its raw output (see the loader contract)."""
        return self.loader(**self.loader_kwargs)


class DatasetRegistry:
    """Name → :class:`DatasetConfig` mapping owned by the caller (no global state).

    Examples
    --------
    >>> import numpy as np
    >>> reg = DatasetRegistry()
    >>> _ = reg.add_regression_dataset("line", 1, (3,), None,
    ...     lambda: (np.ones((4, 3)), np.ones(4), np.ones((2, 3)), np.ones(2)))
    >>> reg.get("line").loss, "line" in reg
    ('mse', True)
    """

    def __init__(self, configs: Mapping[str, DatasetConfig] | None = None) -> None:
        self._configs: dict[str, DatasetConfig] = {}
        for config in (configs or {}).values():
            self.add_dataset(config)

    # -- registration -------------------------------------------------------------
    def add_dataset(self, config: DatasetConfig, *, replace: bool = False) -> DatasetConfig:
        """Register a ready :class:`DatasetConfig` (``replace=True`` to overwrite)."""
        if not isinstance(config, DatasetConfig):
            raise parameter_error("config", "add_dataset", "a DatasetConfig", config)
        if config.name in self._configs and not replace:
            raise DatasetError(
                f"A dataset named {config.name!r} is already registered; pass replace=True to overwrite it."
            )
        self._configs[config.name] = config
        logger.debug("registered dataset %r", config.name)
        return config

    def add_classification_dataset(
        self,
        name: str,
        num_classes: int,
        input_shape: Any,
        channels: int | None,
        loader: Callable[..., Any],
        *,
        loss: Any = "cross_entropy",
        metrics: tuple[str, ...] = ("accuracy",),
        fixed_channels: int | None = None,
        head: Any = "thesis",
        organisation: str = "matrix",
        loader_kwargs: Mapping[str, Any] | None = None,
        description: str = "",
        replace: bool = False,
    ) -> DatasetConfig:
        """Register a classification data set (the thesis' registration call).

        ``input_shape`` may include the channel axis (``(1, 28, 28)``) or not
        (``(28, 28)``): when its first entry differs from ``channels`` the channel
        axis is prepended. ``channels=None`` keeps ``input_shape`` as given (flat data).
        """
        shape = _full_shape(input_shape, channels, "add_classification_dataset")
        config = DatasetConfig(
            name,
            "classification",
            num_classes,
            shape,
            channels,
            loader,
            loss=loss,
            metrics=metrics,
            fixed_channels=fixed_channels,
            head=head,
            organisation=organisation,
            loader_kwargs=loader_kwargs or {},
            description=description,
        )
        return self.add_dataset(config, replace=replace)

    def add_regression_dataset(
        self,
        name: str,
        num_outputs: int,
        input_shape: Any,
        channels: int | None,
        loader: Callable[..., Any],
        *,
        loss: Any = "mse",
        metrics: tuple[str, ...] = ("mse",),
        fixed_channels: int | None = None,
        head: Any = "thesis",
        organisation: str = "matrix",
        loader_kwargs: Mapping[str, Any] | None = None,
        description: str = "",
        replace: bool = False,
    ) -> DatasetConfig:
        """Register a regression data set (targets of shape ``(n,)`` or ``(n, num_outputs)``)."""
        shape = _full_shape(input_shape, channels, "add_regression_dataset")
        config = DatasetConfig(
            name,
            "regression",
            num_outputs,
            shape,
            channels,
            loader,
            loss=loss,
            metrics=metrics,
            fixed_channels=fixed_channels,
            head=head,
            organisation=organisation,
            loader_kwargs=loader_kwargs or {},
            description=description,
        )
        return self.add_dataset(config, replace=replace)

    def configure(self, name: str, **loader_kwargs: Any) -> DatasetConfig:
        """Give a registered data set's loader more options, e.g. ``root=...``.

        Examples
        --------
        >>> from nasnb.data import default_datasets
        >>> reg = default_datasets()
        >>> reg.configure("activity_recognition", root="/data/ar").loader_kwargs["root"]
        '/data/ar'
        """
        config = self.get(name).with_options(**loader_kwargs)
        self._configs[name] = config
        return config

    def remove(self, name: str) -> None:
        """Unregister a data set."""
        self.get(name)
        del self._configs[name]

    # -- access -------------------------------------------------------------------
    def get(self, name: Any) -> DatasetConfig:
        """Return the config of ``name`` (a config passes through unchanged)."""
        if isinstance(name, DatasetConfig):
            return name
        try:
            return self._configs[name]
        except (KeyError, TypeError):
            close = difflib.get_close_matches(str(name), list(self._configs), n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            known = ", ".join(repr(n) for n in self.names()) or "none"
            raise DatasetError(f"Unknown dataset {name!r}.{hint} Registered datasets: {known}.") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._configs)

    def copy(self) -> DatasetRegistry:
        """A new registry with the same configs."""
        return DatasetRegistry(self._configs)

    def describe(self) -> str:
        """One line per data set: name, task, outputs, input shape."""
        return "\n".join(
            f"{c.name}: {c.task}, {c.num_outputs} outputs, input {c.input_shape}"
            + (f" - {c.description}" if c.description else "")
            for c in (self._configs[n] for n in self.names())
        )

    def __contains__(self, name: object) -> bool:
        return name in self._configs

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._configs)

    def __repr__(self) -> str:
        return f"DatasetRegistry({self.names()})"
