"""Text that reaches a browser: escaped for HTML, or for plotly's text renderer.

Every name a view shows (study, search label, layer name and type, status, setup, metric,
title) can come from a shared study file; it is escaped where it enters markup, never trusted.
plotly draws its titles, legends, tick labels and hover texts from a small HTML subset and
turns ``&lt;``, ``&gt;`` and ``&amp;`` back into characters, so a name shows as written.

Examples
--------
>>> html_text('<b a="1">')
'&lt;b a=&quot;1&quot;&gt;'
>>> chart_text("a<b & 'c'")
"a&lt;b &amp; 'c'"
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

__all__ = ["html_text", "chart_text", "chart_texts"]


def html_text(value: Any) -> str:
    """``str(value)`` escaped for HTML text and attribute values."""
    return html.escape(str(value), quote=True)


def chart_text(value: Any) -> str:
    """``str(value)`` escaped for plotly text (titles, trace names, tick labels, hover text)."""
    return html.escape(str(value), quote=False)


def chart_texts(values: Iterable[Any]) -> list[str]:
    """:func:`chart_text` of each value."""
    return [chart_text(v) for v in values]
