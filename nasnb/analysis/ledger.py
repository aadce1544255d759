"""A reproduction ledger: each thesis target beside our number and what became of it.

Every chapter notebook ends with one. A row names a target (``"Table 4.3, 3-D, 10 generations"``),
the published value, ours, their difference and a status:

* ``"reproduced"`` -- ours agrees with the published value (within the note's tolerance);
* ``"differs"`` -- ours disagrees; the note says why (``"differs because ..."``);
* ``"partial"`` -- part of the target is reproduced; the note says which part;
* ``"not attempted"`` -- the note says why (missing data, budget, ...);
* ``"diagram"`` -- a figure with nothing to reproduce (a schematic); the note says what it shows.

A ledger is shown as HTML in a notebook (every string escaped, with the rows embedded as JSON
so that :func:`Ledger.from_html` reads them back) and as Markdown (:meth:`Ledger.to_markdown`,
every string HTML-escaped as well, since Markdown renderers pass HTML through). The page
``notebooks/README.md`` is generated from the chapter notebooks' ledgers
(:mod:`nasnb.analysis.ledger_page`).

Values may be numbers or short strings (``"0.161 ± 0.02"``, ``"GCN wins"``); the difference is
computed as ``ours - published`` when both are numbers.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import cast

from nasnb.exceptions import ParameterError

__all__ = ["Ledger", "LedgerRow", "STATUSES", "escape_markdown"]

#: The allowed statuses, in the order a ledger is summarised.
STATUSES = ("reproduced", "partial", "differs", "not attempted", "diagram")
_NO_NOTE = ("reproduced",)

COLUMNS = ("target", "published", "ours", "difference", "status", "note")


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _format(value, digits: int) -> str:
    if value is None:
        return ""
    if _is_number(value):
        if isinstance(value, numbers.Integral):
            return str(int(value))
        if math.isnan(float(value)):
            return "nan"
        return f"{float(value):.{digits}g}"
    return str(value)


def escape_markdown(text: object) -> str:
    """``text`` safe in a Markdown table cell: HTML-escaped, pipes escaped, one line.

    Examples
    --------
    >>> print(escape_markdown("<img src=x onerror=alert(1)> | a"))
    &lt;img src=x onerror=alert(1)&gt; \\| a
    """
    out = html.escape(str(text), quote=False).replace("|", "\\|")
    return re.sub(r"[\r\n]+", " ", out)


def _plain(value):
    """A JSON-safe copy of a cell value (numbers stay numbers)."""
    if value is None or isinstance(value, str):
        return value
    if _is_number(value):
        if isinstance(value, numbers.Integral):
            return int(value)
        return float(value) if math.isfinite(float(value)) else str(float(value))
    return str(value)


_JSON_OPEN = '<script type="application/json" data-nasnb-ledger>'


class _LedgerHTML(HTMLParser):
    """Collects the JSON embedded by :meth:`Ledger._repr_html_`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and ("data-nasnb-ledger", None) in attrs:
            self.inside = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.chunks.append(data)


@dataclass(frozen=True)
class LedgerRow:
    """One target of a :class:`Ledger` (see the module docstring for the fields)."""

    target: str
    published: object
    ours: object
    difference: object
    status: str
    note: str


class Ledger:
    """Rows of *target | published | ours | difference | status | note*.

    Parameters
    ----------
    title : str, optional
        A heading for :meth:`to_markdown` and the HTML display (e.g. ``"Chapter 4"``).
    digits : int, default 3
        Significant digits used when numbers are written as text.

    Examples
    --------
    >>> from nasnb.analysis.ledger import Ledger
    >>> ledger = Ledger("Chapter 3")
    >>> ledger.add("Search logic, evolution (s)", 0.8, 0.5, status="reproduced",
    ...            note="same order of magnitude")
    >>> ledger.add("NAS-Bench-101 run", "0.8 s", None, status="not attempted",
    ...            note="because the 2 GB benchmark file is not embedded")
    >>> ledger.to_frame()[["target", "difference", "status"]]
                            target  difference         status
    0  Search logic, evolution (s)        -0.3     reproduced
    1            NAS-Bench-101 run         NaN  not attempted
    >>> print(ledger.to_markdown().splitlines()[2])
    | target | published | ours | difference | status | note |
    >>> ledger.counts()
    {'reproduced': 1, 'partial': 0, 'differs': 0, 'not attempted': 1, 'diagram': 0}
    """

    def __init__(self, title: str | None = None, *, digits: int = 3):
        if not isinstance(digits, numbers.Integral) or int(digits) < 1:
            raise ParameterError(f"digits must be a positive integer, got {digits!r}")
        self.title: str | None = title
        self.digits: int = int(digits)
        self.rows: list[LedgerRow] = []

    def add(self, target: str, published, ours, *, status: str, note: str = "", difference=None) -> None:
        """Add a row.

        Parameters
        ----------
        target : str
            The thesis target, with its number (``"Table 5.4, 2-D, tau=0.75"``).
        published, ours : float, str or None
            The published value and ours (``None`` when there is none).
        status : {"reproduced", "partial", "differs", "not attempted", "diagram"}
            What became of the target.
        note : str
            Why it differs / was not attempted, or the tolerance used. Required unless the
            status is ``"reproduced"``.
        difference : float or str, optional
            Defaults to ``ours - published`` when both are numbers.

        Raises
        ------
        ParameterError
            For an empty target, an unknown status, or a missing note where one is required.
        """
        if not isinstance(target, str) or not target.strip():
            raise ParameterError(f"target must be a non-empty string, got {target!r}")
        if status not in STATUSES:
            raise ParameterError(f"status of {target!r} must be one of {STATUSES}, got {status!r}")
        if status not in _NO_NOTE and not str(note).strip():
            raise ParameterError(f"{target!r} is {status!r}: give a note saying why")
        if difference is None and _is_number(published) and _is_number(ours):
            difference = float(ours) - float(published)
        self.rows.append(LedgerRow(target, published, ours, difference, status, str(note)))

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def counts(self) -> dict[str, int]:
        """Number of rows per status, in the order of :data:`STATUSES`."""
        return {status: sum(row.status == status for row in self.rows) for status in STATUSES}

    def to_frame(self):
        """The rows as a :class:`pandas.DataFrame` with the columns of the module docstring.

        ``difference`` is numeric (NaN where there is none) when every difference is a number.
        """
        import pandas as pd

        frame = pd.DataFrame([[getattr(row, c) for c in COLUMNS] for row in self.rows], columns=list(COLUMNS))
        differences = [row.difference for row in self.rows]
        if all(d is None or _is_number(d) for d in differences):
            frame["difference"] = pd.to_numeric(frame["difference"], errors="coerce").astype(float)
        return frame

    def _cells(self) -> list[list[str]]:
        return [[_format(getattr(row, c), self.digits) for c in COLUMNS] for row in self.rows]

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table (with the title as a heading when one is set).

        Every string is HTML-escaped (Markdown passes HTML through), pipes are escaped and
        line breaks become spaces.
        """
        lines = [f"### {escape_markdown(self.title)}", ""] if self.title else []
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
        lines += ["| " + " | ".join(escape_markdown(c) for c in cells) + " |" for cells in self._cells()]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready form: title, digits and the rows (values as given)."""
        return {
            "title": self.title,
            "digits": self.digits,
            "rows": [
                {
                    c: _plain(getattr(row, c)) if c in ("published", "ours", "difference") else getattr(row, c)
                    for c in COLUMNS
                }
                for row in self.rows
            ],
        }

    @classmethod
    def from_dict(cls, data) -> Ledger:
        """Inverse of :meth:`to_dict` (every row checked as :meth:`add` does)."""
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            raise ParameterError("A ledger document is a dict with a 'rows' list.")
        ledger = cls(data.get("title"), digits=data.get("digits", 3))
        for row in data["rows"]:
            if not isinstance(row, dict):
                raise ParameterError(f"A ledger row must be a dict, got {row!r}.")
            # add() checks target and status (None or a non-string is refused there)
            ledger.add(
                cast(str, row.get("target")),
                row.get("published"),
                row.get("ours"),
                status=cast(str, row.get("status")),
                note=row.get("note") or "",
                difference=row.get("difference"),
            )
        return ledger

    @classmethod
    def from_html(cls, text: str) -> Ledger:
        """The ledger embedded in :meth:`_repr_html_` output (e.g. a saved notebook's).

        Raises :class:`~nasnb.exceptions.ParameterError` when ``text`` holds no ledger.
        """
        parser = _LedgerHTML()
        parser.feed(text)
        if not parser.chunks:
            raise ParameterError("The HTML holds no embedded nasnb ledger.")
        try:
            data = json.loads("".join(parser.chunks))
        except ValueError as exc:
            raise ParameterError(f"The embedded ledger is not valid JSON: {exc}.") from None
        return cls.from_dict(data)

    def _repr_html_(self) -> str:
        head = f"<h4>{html.escape(self.title)}</h4>" if self.title else ""
        header = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>" for cells in self._cells()
        )
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items() if n)
        # "</" cannot end the script early: every "<" in the JSON is written as \u003c
        payload = json.dumps(self.to_dict(), ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")
        return (
            f"{head}<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>{html.escape(counts)}</p>{_JSON_OPEN}{payload}</script>"
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items() if n) or "empty"
        return f"Ledger({self.title!r}: {counts})"
