"""Exception hierarchy of nasnb.

Every error raised on purpose by nasnb is a :class:`NasnbError`. Each concrete
class also subclasses the builtin that best describes it, so callers that only
know Python's builtins (``ValueError``, ``RuntimeError``, ``TimeoutError``,
``ImportError``) still catch them.

Examples
--------
>>> from nasnb.exceptions import DescriptorError, NasnbError
>>> issubclass(DescriptorError, ValueError) and issubclass(DescriptorError, NasnbError)
True
"""

from __future__ import annotations

__all__ = [
    "NasnbError",
    "ParameterError",
    "DescriptorError",
    "UnknownLayerError",
    "LayerParameterError",
    "SerializationError",
    "BuildError",
    "DatasetError",
    "BenchmarkError",
    "StoreError",
    "StudyConfigError",
    "SettingsMismatchError",
    "EvaluationError",
    "SearchError",
    "ClusterError",
    "ClusterTimeoutError",
    "OptionalDependencyError",
]


class NasnbError(Exception):
    """Base class of every error nasnb raises on purpose."""


class ParameterError(NasnbError, ValueError):
    """An argument of a public function has a bad type or value."""


class DescriptorError(NasnbError, ValueError):
    """A descriptor is not a valid network description (cycle, dangling name, ...)."""


class UnknownLayerError(DescriptorError):
    """A layer type is not in the layer registry."""


class LayerParameterError(DescriptorError):
    """The parameters given to a layer do not fit that layer type."""


class SerializationError(NasnbError, ValueError):
    """A JSON document is malformed, of an unknown schema version, or hostile."""


class BuildError(NasnbError, ValueError):
    """A descriptor cannot be compiled into a working network (shapes, paths)."""


class DatasetError(NasnbError, ValueError):
    """A dataset is unknown, misconfigured, or its files are malformed."""


class BenchmarkError(NasnbError, ValueError):
    """A tabular benchmark file is malformed or an architecture is not in it."""


class StoreError(NasnbError, RuntimeError):
    """The experiment store cannot be opened or written."""


class StudyConfigError(StoreError, ValueError):
    """A study was re-opened with a configuration different from the stored one."""


class SettingsMismatchError(StudyConfigError):
    """A study is run with other evaluation settings (seed, evaluator configuration,
    ``evaluate_kwargs``) than the ones its rows were recorded with.

    ``differences`` lists the differing keys (e.g. ``["evaluate.epochs"]``).
    """

    def __init__(self, message: str, differences: list | tuple = ()) -> None:
        super().__init__(message)
        self.differences = list(differences)


class EvaluationError(NasnbError, RuntimeError):
    """An evaluation failed for a reason other than the candidate being invalid."""


class SearchError(NasnbError, ValueError):
    """A search or its history cannot answer what was asked (e.g. the best of no evaluations)."""


class ClusterError(NasnbError, RuntimeError):
    """The ipyparallel cluster cannot be started, reached or used."""


class ClusterTimeoutError(ClusterError, TimeoutError):
    """The cluster did not answer within the given timeout."""


class OptionalDependencyError(NasnbError, ImportError):
    """An optional dependency is needed for the feature that was called."""
