"""A reproduction ledger: each thesis target beside our number and what became of it.

Every chapter notebook ends with one. A row names a target (``"Table 4.3, 3-D, 10 generations"``),
the published value, ours, their difference and a status:

* ``"reproduced"`` -- ours agrees with the published value (within the note's tolerance);
* ``"differs"`` -- ours disagrees; the note says why (``"differs because ..."``);
* ``"partial"`` -- part of the target is reproduced; the note says which part;
* ``"not attempted"`` -- the note says why (missing data, budget, ...).

Values may be numbers or short strings (``"0.161 ± 0.02"``, ``"GCN wins"``); the difference is
computed as ``ours - published`` when both are numbers.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass

from nasnb.exceptions import ParameterError

__all__ = ["Ledger", "LedgerRow", "STATUSES"]

#: The allowed statuses, in the order a ledger is summarised.
STATUSES = ("reproduced", "partial", "differs", "not attempted")

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
    {'reproduced': 1, 'partial': 0, 'differs': 0, 'not attempted': 1}
    """

    def __init__(self, title: str | None = None, *, digits: int = 3):
        if not isinstance(digits, numbers.Integral) or digits < 1:
            raise ParameterError(f"digits must be a positive integer, got {digits!r}")
        self.title = title
        self.digits = int(digits)
        self.rows: list[LedgerRow] = []

    def add(self, target: str, published, ours, *, status: str, note: str = "",
            difference=None) -> None:
        """Add a row.

        Parameters
        ----------
        target : str
            The thesis target, with its number (``"Table 5.4, 2-D, tau=0.75"``).
        published, ours : float, str or None
            The published value and ours (``None`` when there is none).
        status : {"reproduced", "partial", "differs", "not attempted"}
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
        if status != "reproduced" and not str(note).strip():
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

        frame = pd.DataFrame([[getattr(row, c) for c in COLUMNS] for row in self.rows],
                             columns=list(COLUMNS))
        differences = [row.difference for row in self.rows]
        if all(d is None or _is_number(d) for d in differences):
            frame["difference"] = pd.to_numeric(frame["difference"], errors="coerce").astype(float)
        return frame

    def _cells(self) -> list[list[str]]:
        return [[_format(getattr(row, c), self.digits) for c in COLUMNS] for row in self.rows]

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table (with the title as a heading when one is set)."""
        def escape(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = [f"### {self.title}", ""] if self.title else []
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
        lines += ["| " + " | ".join(escape(c) for c in cells) + " |" for cells in self._cells()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = f"<h4>{html.escape(self.title)}</h4>" if self.title else ""
        header = "".join(f"<th>{c}</th>" for c in COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                       for cells in self._cells())
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items() if n)
        return (f"{head}<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>{html.escape(counts)}</p>")

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items() if n) or "empty"
        return f"Ledger({self.title!r}: {counts})"
