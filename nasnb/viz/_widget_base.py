"""Shared plumbing of nasnb's ipywidgets apps: lazy UI, rich display, record loading."""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from nasnb._optional import require
from nasnb.exceptions import NasnbError, ParameterError
from nasnb.viz._records import as_descriptor, genome_of_row

__all__ = ["WidgetApp", "widgets_module", "row_descriptors"]


def widgets_module():
    """``ipywidgets``, or an :class:`OptionalDependencyError` with an install hint."""
    return require("ipywidgets", extra="viz", purpose="build notebook widgets")


class WidgetApp:
    """Base of the viz widgets: the constructor stores arguments, :attr:`widget` builds the UI.

    A subclass implements ``_build() -> ipywidgets.Widget``. The app displays itself when it
    is the last expression of a cell.
    """

    _ui: Any = None

    @property
    def widget(self):
        """The top-level ipywidgets container (built on first access)."""
        if self._ui is None:
            self._ui = self._build()
        return self._ui

    def _build(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


def row_descriptors(frame: pd.DataFrame, descriptors: Any = None) -> list[Any]:
    """One drawable descriptor (or ``None``) per row of ``frame``.

    Sources, in order: ``descriptors`` (a sequence parallel to the rows, or a callable of a
    row), a genome column (whole graph, inactive nodes included), ``descriptor_json``.
    """
    if descriptors is not None and not callable(descriptors):
        items: Sequence[Any] = list(descriptors)
        if len(items) != len(frame):
            raise ParameterError(f"The 'descriptors' parameter has {len(items)} entries for {len(frame)} records; "
                                 "give one per record (None where there is none).")
    out = []
    for i, (_, row) in enumerate(frame.iterrows()):
        if descriptors is not None:
            item = descriptors(row) if callable(descriptors) else items[i]
        else:
            item = genome_of_row(row)
            if item is None or item.get("format") != "nasnb.genome":
                item = row.get("descriptor_json")
        if item is None or (isinstance(item, float) and item != item):
            out.append(None)
            continue
        try:
            out.append(as_descriptor(item, func="row_descriptors"))
        except (NasnbError, ValueError):
            out.append(None)
    return out
