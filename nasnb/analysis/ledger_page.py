"""``notebooks/README.md``, generated from the chapter notebooks' ledgers.

Each chapter notebook (``notebooks/0N_*.py`` and its executed ``.ipynb``) ends with a
:class:`~nasnb.analysis.ledger.Ledger`. This module reads, per notebook:

* the ledger its committed run displayed (the output of the cell that shows ``ledger``):
  the JSON that :meth:`Ledger._repr_html_` embeds, or the HTML table of older outputs;
* the rows its ``.py`` adds with literal arguments only (``ledger.add("Fig. 5.1", None, None,
  status="diagram", note=...)``), read with :mod:`ast` (nothing is executed).

The page lists the run's rows, then the literal rows the run does not show yet (the ledger
cell changed after the committed run: the page says so and names the notebook to re-execute).
A summary groups the rows by table / figure: ``reproduced`` only when every row of it is,
otherwise ``partial`` with how many rows are reproduced. Every string is escaped.

``python -m nasnb.analysis.ledger_page`` rewrites the page; ``--check`` exits 1 when the
committed page differs from what the notebooks give.

Examples
--------
>>> from nasnb.analysis.ledger import Ledger
>>> ledger = Ledger("Chapter 9")
>>> ledger.add("Table 9.1, row 1", 0.5, 0.5, status="reproduced")
>>> ledger.add("Table 9.1, row 2", 0.5, 0.7, status="differs", note="because")
>>> summarize(list(ledger))
[('Table 9.1', 2, 'partial', '1 of 2 rows reproduced')]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from nasnb.analysis.ledger import COLUMNS, STATUSES, Ledger, LedgerRow, escape_markdown
from nasnb.exceptions import ParameterError

__all__ = ["CHAPTERS", "NotebookLedger", "read_notebook_ledger", "summarize", "render_page", "main"]

#: Chapter notebooks, in page order, with their chapter titles.
CHAPTERS = (
    ("03_framework", "Chapter 3 — the framework"),
    ("04_optimizers_ranking", "Chapter 4 — optimizers, epochs and ranking retention"),
    ("05_reduced_epochs", "Chapter 5 — reduced training epochs"),
    ("06_distributed_evolution", "Chapter 6 — distributed regularized evolution"),
    ("07_egraph", "Chapter 7 — EGraph, evolving graph neural networks as predictors"),
    ("08_darts", "Chapter 8 — distributed DARTS"),
    ("09_proxies", "Beyond the thesis — zero-cost proxies"),
)

_ID = re.compile(r"^(Table|Tables|Fig\.|Figs\.|Figure|Listing|Listings)\s+(\d+\.\d+)")


@dataclass
class NotebookLedger:
    """What one notebook's ledger gives the page.

    ``run``: the committed run's ledger; ``pending``: literal rows of the ``.py`` the run does
    not show; ``stale``: targets of the run the ``.py`` no longer writes; ``unseen``: targets
    the ``.py`` computes that the run does not show (both mean: re-execute the notebook).
    """

    name: str
    run: Ledger | None
    pending: list[LedgerRow] = field(default_factory=list)
    stale: set[str] = field(default_factory=set)
    unseen: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[LedgerRow]:
        return (list(self.run) if self.run is not None else []) + self.pending


class _TableParser(HTMLParser):
    """Rows of a ledger table in older notebook outputs (no embedded JSON)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th", "h4"):
            self._cell, self._in = [], tag
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        if tag in ("td", "th", "h4") and self._cell is not None:
            text = "".join(self._cell)
            if tag == "h4":
                self.title = text
            elif tag == "td" and self._row is not None:
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._row:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _ledger_from_output(text: str) -> Ledger:
    try:
        return Ledger.from_html(text)
    except ParameterError:
        pass
    parser = _TableParser()
    parser.feed(text)
    ledger = Ledger(parser.title)
    for cells in parser.rows:
        if len(cells) != len(COLUMNS):
            raise ParameterError(f"A ledger row of the notebook output has {len(cells)} cells: {cells!r}.")
        row = dict(zip(COLUMNS, cells))
        ledger.add(
            row["target"],
            row["published"] or None,
            row["ours"] or None,
            status=row["status"],
            note=row["note"],
            difference=row["difference"] or None,
        )
    return ledger


def _run_ledger(ipynb: Path) -> Ledger | None:
    """The last ledger the notebook's committed run displayed (``None`` if it shows none)."""
    notebook = json.loads(ipynb.read_text(encoding="utf-8"))
    found = None
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            html = output.get("data", {}).get("text/html")
            if html is None:
                continue
            html = "".join(html) if isinstance(html, list) else html
            if "data-nasnb-ledger" in html or "<th>target</th><th>published</th>" in html:
                found = _ledger_from_output(html)
    return found


def _target_pattern(node: ast.AST) -> tuple[str, re.Pattern]:
    """A regex for the targets an ``add`` call's first argument can give (anything if unknown)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, re.compile(re.escape(node.value) + r"\Z")
    if isinstance(node, ast.JoinedStr):
        parts = [
            re.escape(v.value) if isinstance(v, ast.Constant) and isinstance(v.value, str) else ".*"
            for v in node.values
        ]
        return ast.unparse(node), re.compile("".join(parts) + r"\Z", re.S)
    return ast.unparse(node), re.compile(".*", re.S)


def _ledger_calls(source: str, filename: str) -> tuple[list[LedgerRow], list[tuple[str, re.Pattern]]]:
    """Literal rows (in source order) and the target patterns of every row the source writes."""
    rows, patterns = [], []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr == "to_ledger" and any(isinstance(a, ast.Name) and a.id == "ledger" for a in node.args):
            # a reconciliation's rows: one per cell of a thesis table ("Table 4.3, G=10, original", ...)
            patterns.append((ast.unparse(node), re.compile(r"Table \d+\.\d+(,| conclusion).*", re.S)))
            continue
        if not (
            node.func.attr == "add"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "ledger"
            and node.args
        ):
            continue
        patterns.append(_target_pattern(node.args[0]))
        if any(k.arg is None for k in node.keywords):
            continue  # ``**options``: a computed row, the run shows it
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
        except ValueError:
            continue  # a computed row: the run shows it
        scratch = Ledger()
        scratch.add(*args, **kwargs)
        rows.append((node.lineno, node.col_offset, scratch.rows[0]))
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))], patterns


def read_notebook_ledger(directory: str | os.PathLike, name: str) -> NotebookLedger:
    """The run's ledger of ``name`` and the literal rows of its ``.py`` the run does not show."""
    directory = Path(directory)
    run = _run_ledger(directory / f"{name}.ipynb") if (directory / f"{name}.ipynb").exists() else None
    literal, patterns = _ledger_calls((directory / f"{name}.py").read_text(encoding="utf-8"), f"{name}.py")
    shown = [row.target for row in run] if run is not None else []
    stale = {t for t in shown if not any(p.match(t) for _, p in patterns)}
    literal_targets = {row.target for row in literal}
    unseen = [text for text, p in patterns if text not in literal_targets and not any(p.match(t) for t in shown)]
    return NotebookLedger(name, run, [row for row in literal if row.target not in shown], stale, unseen)


def _thesis_id(target: str) -> str | None:
    match = _ID.match(target)
    if match is None:
        return None
    kind = {"Tables": "Table", "Figs.": "Fig.", "Figure": "Fig.", "Listings": "Listing"}.get(
        match.group(1), match.group(1)
    )
    return f"{kind} {match.group(2)}"


def summarize(rows: list[LedgerRow]) -> list[tuple[str, int, str, str]]:
    """``(table or figure, rows, status, detail)`` per thesis table / figure / listing named by the rows."""
    groups: dict[str, list[LedgerRow]] = {}
    for row in rows:
        key = _thesis_id(row.target)
        if key is not None:
            groups.setdefault(key, []).append(row)
    out = []
    for key, members in groups.items():
        statuses = [r.status for r in members]
        reproduced = statuses.count("reproduced")
        if len(set(statuses)) == 1:
            status = statuses[0]
            detail = f"{len(members)} of {len(members)} rows {status}" if len(members) > 1 else ""
        elif reproduced:
            status, detail = "partial", f"{reproduced} of {len(members)} rows reproduced"
        else:
            worst = next(s for s in ("differs", "partial", "not attempted", "diagram") if s in statuses)
            status = worst
            detail = ", ".join(f"{statuses.count(s)} {s}" for s in STATUSES if s in statuses)
        out.append((key, len(members), status, detail))
    return out


_HEAD = """# Reproduction ledger: every thesis target, its notebook and its status

<!-- GENERATED by `python -m nasnb.analysis.ledger_page` from the chapter notebooks' ledgers:
     edit the notebooks' ledger cells, never this page (tests/notebooks/test_ledger.py checks it). -->

Every table, figure and listing of the thesis (G. Kyriakides, *Parallel and Distributed Methods
for Autonomous Design of Artificial Neural Networks*, 2022, chapters 3–8), the chapter notebook
that holds it, and what became of it. Each chapter notebook ends with a ledger
(`nasnb.analysis.ledger.Ledger`: *target | published | ours | difference | status | note*);
this page is generated from those ledgers (the rows of each notebook's committed run, and the
rows its ledger cell writes with literal values), so the two cannot disagree.

**Status** is one of:

| status | meaning |
|---|---|
| `reproduced` | ours agrees with the published value or claim (within the tolerance the note gives) |
| `partial` | part of the target is reproduced (the note says which part) |
| `differs` | ours disagrees; the note says why, as far as we know |
| `not attempted` | the note says why (data not embedded, budget, hardware) |
| `diagram` | a schematic figure with nothing to reproduce; the note says what it shows |

Statuses refer to the notebook's committed run (its budget is in the notebook); published values
are quoted as the notebook's ledger writes them. In the summaries, a table or figure is
`reproduced` only when every one of its rows is; otherwise `partial` with the count.
"""


def _cell(value: object) -> str:
    return escape_markdown("" if value is None else value)


def render_page(directory: str | os.PathLike) -> str:
    """The text of ``notebooks/README.md`` for the notebooks in ``directory``."""
    parts = [_HEAD]
    for name, title in CHAPTERS:
        nb = read_notebook_ledger(directory, name)
        digits = nb.run.digits if nb.run is not None else 3
        shown = Ledger(digits=digits)
        shown.rows = nb.rows
        parts.append(f"## {escape_markdown(title)} (`{name}`)\n")
        if nb.pending:
            parts.append(
                f"Rows marked † are literal rows of the ledger cell of `{name}` that its committed run does "
                f"not show yet (they do not depend on the run).\n"
            )
        if nb.stale or nb.unseen:
            parts.append(
                f"**The computed rows of `{name}` changed after its committed run: re-execute the notebook.** "
                f"Rows marked ‡ are in the run but no longer written by the ledger cell"
                + (
                    f"; {len(nb.unseen)} computed row(s) appear after re-execution: "
                    + "; ".join(f"`{_cell(u)}`" for u in nb.unseen)
                    if nb.unseen
                    else ""
                )
                + ".\n"
            )
        counts = ", ".join(f"{n} {s}" for s, n in shown.counts().items() if n) or "no rows"
        parts.append(f"Rows: {len(shown)} ({counts}).\n")
        summary = summarize(shown.rows)
        if summary:
            parts.append("| table / figure | rows | status | detail |\n|---|---|---|---|")
            parts.extend(f"| {_cell(k)} | {n} | {_cell(s)} | {_cell(d)} |" for k, n, s, d in summary)
            parts.append("")
        parts.append("| target | published | ours | status | note |\n|---|---|---|---|---|")
        pending = {id(r) for r in nb.pending}
        for row, cells in zip(shown.rows, shown._cells()):
            values = dict(zip(COLUMNS, cells))
            mark = " †" if id(row) in pending else " ‡" if row.target in nb.stale else ""
            parts.append(
                f"| {_cell(values['target'])}{mark} | {_cell(values['published'])} | "
                f"{_cell(values['ours'])} | {_cell(values['status'])} | {_cell(values['note'])} |"
            )
        parts.append("")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Command line: rewrite (or ``--check``) ``notebooks/README.md``."""
    parser = argparse.ArgumentParser(prog="python -m nasnb.analysis.ledger_page", description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", default="notebooks", help="the notebooks folder (default: notebooks)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the page differs from the notebooks")
    args = parser.parse_args(argv)
    page = render_page(args.notebooks)
    target = Path(args.notebooks) / "README.md"
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != page:
            print(
                f"{target} differs from the notebooks' ledgers: run python -m nasnb.analysis.ledger_page",
                file=sys.stderr,
            )
            return 1
        return 0
    target.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
