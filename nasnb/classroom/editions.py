"""Student and solution editions of a lesson, generated from one source.

A lesson's source is a jupytext percent script (``notebooks/classroom/<name>.py``, paired with
its ``.ipynb``). Two conventions mark what only the teacher sees:

* in a code cell, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` are the
  answer. The **solution edition** keeps them (without the markers); the **student edition**
  replaces them with a placeholder per name the block defines: ``name = ...`` for an assigned
  name, ``def f(args): <docstring> ...`` for a function. The cell's ``check(...)`` line, after
  the block, stays in both: with the placeholder it answers ``Not yet`` with a hint, never an
  exception. Both editions tag such a cell ``exercise``.
* a cell tagged ``teacher`` (teacher notes, answers to discussion questions) is kept only in
  the solution edition.

:func:`make_editions` writes ``<outdir>/student/<name>.ipynb`` and
``<outdir>/solutions/<name>.ipynb`` (no outputs, cell ids and metadata fixed, so the files only
change when the source does), or with ``check=True`` lists the ones that are out of date. From
a shell: ``python -m nasnb.classroom notebooks/classroom`` (add ``--check`` in CI). Reading
the percent script needs ``jupytext`` (``pip install jupytext``).

Examples
--------
>>> cell = 'x = 1\\n# Your answer\\n### BEGIN SOLUTION\\nanswer = x + 1\\n### END SOLUTION\\ncheck("e", answer)'
>>> student, solution = split_solution(cell)
>>> print(student)
x = 1
# Your answer
answer = ...
check("e", answer)
>>> print(solution)
x = 1
# Your answer
answer = x + 1
check("e", answer)
"""

from __future__ import annotations

import argparse
import ast
import copy
import logging
import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nasnb._optional import require
from nasnb.exceptions import ParameterError

__all__ = [
    "split_solution",
    "build_editions",
    "make_editions",
    "find_sources",
    "main",
    "EDITION_DIRS",
    "TEACHER_TAG",
    "EXERCISE_TAG",
]

logger = logging.getLogger(__name__)

#: Sub-folder of each edition, next to the sources.
EDITION_DIRS = {"student": "student", "solution": "solutions"}
#: Cells with this tag appear only in the solution edition.
TEACHER_TAG = "teacher"
#: Tag the editions give to every cell with a solution block.
EXERCISE_TAG = "exercise"

_BEGIN = re.compile(r"^(?P<indent>\s*)#+\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*#+\s*END SOLUTION\s*$")


def _used_names(code: str) -> set[str] | None:
    """Names that ``code`` reads (None when it does not parse on its own)."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return None
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _placeholders(block: str, indent: str, where: str, after: str = "") -> list[str]:
    """Placeholder lines for the names a solution block defines and the code ``after`` it uses.

    When ``after`` uses none of them (or does not parse), every defined name gets one.
    """
    code = textwrap.dedent(block)
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ParameterError(f"The solution block of {where} is not valid Python: {exc}") from exc
    groups: dict[str, list[str]] = {}  # name -> its placeholder lines, in definition order

    def names(target: ast.AST) -> Iterable[str]:
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                yield from names(element)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in groups:
                continue
            lines = [f"{indent}def {node.name}({ast.unparse(node.args)}):"]
            if ast.get_docstring(node) is not None:  # keep the contract the student must meet
                first, *rest = (ast.get_source_segment(code, node.body[0]) or "").splitlines()
                lines.append(f"{indent}    {first}")
                lines.extend(f"{indent}{line}" if line.strip() else "" for line in rest)
            groups[node.name] = lines + [f"{indent}    ...  # your code"]
            continue
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        for target in targets:
            for name in names(target):
                groups.setdefault(name, [f"{indent}{name} = ..."])
    if not groups:
        raise ParameterError(
            f"The solution block of {where} defines no name: assign the answer to a variable "
            "(or define a function) that the check after the block uses."
        )
    used = _used_names(after)
    if used and used & set(groups):  # only what the rest of the cell needs: helper names stay hidden
        groups = {name: lines for name, lines in groups.items() if name in used}
    return [line for lines in groups.values() for line in lines]


def split_solution(source: str, *, where: str = "the cell") -> tuple[str, str]:
    """``(student, solution)`` sources of one code cell with ``### BEGIN/END SOLUTION`` blocks.

    A cell without markers comes back unchanged twice. In the student source each block becomes
    placeholders (``name = ...``, or a function's signature, docstring and ``...``) for the names
    it defines that the code after it uses (all of them if the code after uses none).

    Raises
    ------
    ParameterError
        When the markers are unbalanced or nested, or a block is not valid Python or defines no
        name (``where`` names the cell in the message).
    """
    lines = source.splitlines()
    student: list[str] = []
    solution: list[str] = []
    begin_at: int | None = None
    indent = ""
    for number, line in enumerate(lines):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if begin_at is not None:
                raise ParameterError(f"{where}, line {number + 1}: BEGIN SOLUTION inside another solution block.")
            begin_at, indent = number, begin.group("indent")
        elif end:
            if begin_at is None:
                raise ParameterError(f"{where}, line {number + 1}: END SOLUTION without a BEGIN SOLUTION.")
            block = "\n".join(lines[begin_at + 1 : number])
            after = "\n".join(x for x in lines[number + 1 :] if not (_BEGIN.match(x) or _END.match(x)))
            student.extend(_placeholders(block, indent, where, after))
            begin_at = None
        else:
            solution.append(line)
            if begin_at is None:
                student.append(line)
    if begin_at is not None:
        raise ParameterError(f"{where}: BEGIN SOLUTION without an END SOLUTION.")
    return "\n".join(student), "\n".join(solution)


def _has_markers(source: str) -> bool:
    return any(_BEGIN.match(line) or _END.match(line) for line in source.splitlines())


def _read_source(source: Any):
    """A notebook from a percent script path (via jupytext) or a notebook object."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ParameterError(f"The 'source' parameter must be an existing lesson script. Got {str(path)!r}.")
        jupytext = require("jupytext", extra="test", purpose="read a lesson's percent script")
        return jupytext.read(path, fmt="py:percent" if path.suffix == ".py" else None), path.stem
    if hasattr(source, "cells"):
        return source, str(source.get("metadata", {}).get("nasnb", {}).get("name", "lesson"))
    raise ParameterError(f"The 'source' parameter must be a path or a notebook. Got {type(source).__name__}.")


def build_editions(source: Any, *, name: str | None = None) -> dict[str, Any]:
    """The two editions of a lesson as ``nbformat`` notebooks: ``{"student": nb, "solution": nb}``.

    Parameters
    ----------
    source : str, Path or notebook
        The lesson's percent script (or a notebook read from it).
    name : str, optional
        Lesson name recorded in the editions' metadata (default: the script's stem).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("notes", metadata={"tags": ["teacher"]}),
    ...             nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 2\\n### END SOLUTION\\nx")]
    >>> ed = build_editions(nb, name="demo")
    >>> [c.source for c in ed["student"].cells], [c.source for c in ed["solution"].cells]
    (['x = ...\\nx'], ['notes', 'x = 2\\nx'])
    >>> ed["student"].cells[0].metadata["tags"]
    ['exercise']
    """
    nbformat = require("nbformat", extra="test", purpose="write notebooks")
    nb, stem = _read_source(source)
    name = name or stem
    out: dict[str, Any] = {}
    for edition in EDITION_DIRS:
        cells: list[Any] = []
        for index, cell in enumerate(nb.cells):
            tags = [t for t in cell.get("metadata", {}).get("tags", [])]
            if TEACHER_TAG in tags and edition == "student":
                continue
            text = cell.source
            if cell.cell_type == "code" and _has_markers(text):
                student, solution = split_solution(text, where=f"{name}, cell {index}")
                text = student if edition == "student" else solution
                if EXERCISE_TAG not in tags:
                    tags.append(EXERCISE_TAG)
            elif _has_markers(text):
                raise ParameterError(
                    f"{name}, cell {index}: solution markers are only allowed in code cells "
                    f"(tag a {cell.cell_type} cell {TEACHER_TAG!r} instead)."
                )
            cell_metadata = {"tags": tags} if tags else {}
            new = (
                nbformat.v4.new_code_cell(text, metadata=cell_metadata)
                if cell.cell_type == "code"
                else nbformat.v4.new_markdown_cell(text, metadata=cell_metadata)
                if cell.cell_type == "markdown"
                else nbformat.v4.new_raw_cell(text, metadata=cell_metadata)
            )
            new["id"] = f"{edition}-{len(cells):03d}"
            cells.append(new)
        metadata = {k: copy.deepcopy(v) for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")}
        metadata.setdefault("kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"})
        metadata["nasnb"] = {
            "edition": edition,
            "lesson": name,
            "generated_from": f"{name}.py (python -m nasnb.classroom); edit the source, not this file",
        }
        edition_nb = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
        edition_nb.nbformat, edition_nb.nbformat_minor = 4, 5
        nbformat.validate(edition_nb)
        out[edition] = edition_nb
    return out


def _text(nb) -> str:
    nbformat = require("nbformat", extra="test", purpose="write notebooks")
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def make_editions(source: str | Path, outdir: str | Path | None = None, *, check: bool = False) -> list[Path]:
    """Write a lesson's student and solution editions, or list the out-of-date ones.

    Parameters
    ----------
    source : str or Path
        The lesson's percent script, e.g. ``notebooks/classroom/04_one_shot_darts.py``.
    outdir : str or Path, optional
        Where the ``student/`` and ``solutions/`` folders are (default: the source's folder).
    check : bool
        Write nothing; return the editions that are missing or differ from what the source
        gives (CI uses this to keep the committed editions in sync).

    Returns
    -------
    list of Path
        Both edition files (``check=False``; each is rewritten only when it changed), or those
        out of date (``check=True``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "lesson.py").write_text(
    ...     "# %%\\n# Your answer\\n### BEGIN SOLUTION\\nn = 3\\n### END SOLUTION\\nn\\n")
    >>> [p.relative_to(tmp).as_posix() for p in make_editions(tmp / "lesson.py")]
    ['student/lesson.ipynb', 'solutions/lesson.ipynb']
    >>> make_editions(tmp / "lesson.py", check=True)
    []
    """
    source = Path(source)
    outdir = Path(outdir) if outdir is not None else source.parent
    done = []
    for edition, nb in build_editions(source).items():
        path = outdir / EDITION_DIRS[edition] / f"{source.stem}.ipynb"
        text = _text(nb)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                done.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            logger.info("wrote %s", path)
        done.append(path)
    return done


def find_sources(paths: Sequence[str | Path]) -> list[Path]:
    """Lesson sources among ``paths``: files as given, and the percent scripts directly in folders.

    Examples
    --------
    >>> find_sources([])
    []
    """
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found.extend(
                p for p in sorted(item.glob("*.py")) if "format_name: percent" in p.read_text(encoding="utf-8")[:1000]
            )
        elif item.is_file():
            found.append(item)
        else:
            raise ParameterError(f"{str(item)!r} is neither a lesson script nor a folder of them.")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nasnb.classroom [--check] [--outdir DIR] SOURCE...``; returns the exit status.

    Writes the editions of every lesson source (a percent script, or a folder of them); with
    ``--check`` writes nothing and exits 1 when an edition is missing or out of date.
    """
    parser = argparse.ArgumentParser(
        prog="python -m nasnb.classroom",
        description="Generate the student and solution editions of classroom lessons from their sources "
        "(jupytext percent scripts with ### BEGIN/END SOLUTION blocks and 'teacher' cells).",
    )
    parser.add_argument("sources", nargs="+", help="lesson scripts, or folders of them (e.g. notebooks/classroom)")
    parser.add_argument(
        "--outdir", default=None, help="folder holding student/ and solutions/ (default: next to each source)"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if an edition is missing or differs from its source"
    )
    args = parser.parse_args(argv)
    try:
        sources = find_sources(args.sources)
        stale = [p for s in sources for p in make_editions(s, args.outdir, check=True)]
        if not args.check:
            for source in sources:
                make_editions(source, args.outdir)
    except ParameterError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if args.check:
        for path in stale:
            sys.stderr.write(f"out of date: {path} (run python -m nasnb.classroom {' '.join(args.sources)})\n")
        sys.stdout.write(f"{len(sources)} lesson(s): {'editions in sync' if not stale else f'{len(stale)} stale'}\n")
        return 1 if stale else 0
    sys.stdout.write(
        f"{len(sources)} lesson(s): {len(stale)} edition(s) written, "
        f"{2 * len(sources) - len(stale)} already up to date\n"
    )
    return 0
