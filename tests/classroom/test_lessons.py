"""The six lessons run: each student edition top to bottom (*Run All* with every exercise blank:
each check answers ``Not yet`` with its hint, the cells that build on an answer say they are
skipped, no exception escapes the notebook), and each solution edition to the end, with every
check passing and every figure shown once. Budget ``small``, as in CI."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import nbformat
import pytest

from nasnb.classroom import exercises, hint
from nasnb.classroom.editions import EDITION_DIRS, EXERCISE_TAG

pytest.importorskip("nbclient")

CLASSROOM = Path(__file__).resolve().parents[2] / "notebooks" / "classroom"
LESSONS = sorted(p.stem for p in CLASSROOM.glob("[0-9][0-9]_*.py"))
IMAGE_TYPES = ("image/png", "image/svg+xml")


def _edition(lesson: str, edition: str):
    return nbformat.read(CLASSROOM / EDITION_DIRS[edition] / f"{lesson}.ipynb", as_version=4)


def _execute(nb, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("NASNB_BUDGET", "small")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend, as a student has it
    # an exception in any cell fails the test here (CellExecutionError names the cell)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def _is_exercise(cell) -> bool:
    return cell.cell_type == "code" and EXERCISE_TAG in cell.metadata.get("tags", [])


def _exercise_id(cell) -> str:
    found = re.findall(r'check\("([0-9]{2}\.[a-z_0-9]+)"', cell.source)
    assert len(found) == 1, f"an exercise cell must call check once: {cell.source!r}"
    return found[0]


def _verdict(cell) -> str:
    """The HTML of the CheckResult the cell displayed."""
    html = [o["data"]["text/html"] for o in cell.outputs
            if o.get("output_type") == "execute_result" and "text/html" in o.get("data", {})]
    assert len(html) == 1, f"{_exercise_id(cell)}: expected one displayed verdict, got outputs {cell.outputs}"
    return "".join(html[0]) if isinstance(html[0], list) else html[0]


def _repeated_images(nb) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells):
        seen: dict[str, int] = {}
        for output in cell.get("outputs", []):
            for mime in IMAGE_TYPES:
                payload = output.get("data", {}).get(mime)
                if payload is not None:
                    key = mime + hashlib.sha1("".join(payload).encode()).hexdigest()
                    seen[key] = seen.get(key, 0) + 1
        problems += [f"cell {index} shows an image {n} times" for n in seen.values() if n > 1]
    return problems


def _html_escape(text: str) -> str:
    import html

    return html.escape(text)


@pytest.mark.notebook
@pytest.mark.parametrize("lesson", LESSONS)
def test_student_edition_runs_top_to_bottom_and_every_blank_exercise_gives_its_hint(lesson, tmp_path,
                                                                                     monkeypatch):
    nb = _edition(lesson, "student")
    if "cluster" in lesson:   # its cluster run belongs to the cluster-marked test below: up to the first exercise
        first = next(i for i, c in enumerate(nb.cells) if _is_exercise(c))
        nb.cells = nb.cells[:first + 1]
    _execute(nb, tmp_path, monkeypatch)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    cells = [c for c in nb.cells if _is_exercise(c)]
    expected = exercises(lesson[:2])
    assert [_exercise_id(c) for c in cells] == (expected[:1] if "cluster" in lesson else expected)
    for cell in cells:   # "No answer yet" for a blank value; a blank function's result is judged (and fails)
        verdict = _verdict(cell)
        assert "Not yet" in verdict and ("No answer yet" in verdict or "def " in cell.source)
        assert _html_escape(hint(_exercise_id(cell))) in verdict
    skipped = [c for c in nb.cells if c.cell_type == "code" and "solved(" in c.source and not _is_exercise(c)]
    for cell in skipped:   # a cell that builds on an answer shows why it did nothing
        shown = "".join(str(o.get("data", {}).get("text/html", "")) for o in cell.outputs)
        assert "Skipped" in shown, f"{lesson}: a cell guarded by solved() shows {cell.outputs}"


def _check_solution(lesson, tmp_path, monkeypatch):
    nb = _execute(_edition(lesson, "solution"), tmp_path, monkeypatch)
    cells = [c for c in nb.cells if _is_exercise(c)]
    assert [_exercise_id(c) for c in cells] == exercises(lesson[:2])
    for cell in cells:
        verdict = _verdict(cell)
        assert "Correct" in verdict, f"{_exercise_id(cell)} does not pass in the solution edition: {verdict}"
    assert not _repeated_images(nb), _repeated_images(nb)
    images = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert images >= 1, "a lesson's figures were not shown as images"
    return nb


@pytest.mark.notebook
@pytest.mark.parametrize("lesson", [name for name in LESSONS if "cluster" not in name])
def test_solution_edition_runs_to_the_end_and_every_check_passes(lesson, tmp_path, monkeypatch):
    _check_solution(lesson, tmp_path, monkeypatch)


@pytest.mark.notebook
@pytest.mark.cluster
def test_cluster_lesson_solution_runs_on_two_engines_with_the_serial_history(tmp_path, monkeypatch):
    lesson = next(name for name in LESSONS if "cluster" in name)
    nb = _check_solution(lesson, tmp_path, monkeypatch)
    # the comparison table: the batch run on the cluster differs from the serial one nowhere
    table = next("".join(o["data"]["text/html"]) for c in nb.cells for o in c.get("outputs", [])
                 if "text/html" in o.get("data", {}) and "fitness values that differ from serial" in
                 "".join(o["data"]["text/html"]))
    row = re.search(r"<th>cluster, batch</th>\s*<td>(\d+)</td>\s*<td>[^<]*</td>\s*<td>(\d+)</td>\s*<td>(\d+)</td>",
                    table)
    assert row is not None, table
    assert int(row.group(1)) > 0 and row.group(2) == "0" and row.group(3) == "0"
