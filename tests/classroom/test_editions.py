"""Student and solution editions: generated from one source per lesson, and in sync with it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from nasnb.classroom import build_editions, exercises, make_editions, split_solution
from nasnb.classroom.editions import EXERCISE_TAG, TEACHER_TAG, find_sources, main
from nasnb.exceptions import ParameterError

pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parents[2]
CLASSROOM = ROOT / "notebooks" / "classroom"
SOURCES = sorted(CLASSROOM.glob("[0-9][0-9]_*.py"))
IDS = [p.stem for p in SOURCES]


def test_there_are_six_lessons_each_with_its_exercises():
    assert [p.stem[:2] for p in SOURCES] == ["01", "02", "03", "04", "05", "06"]
    assert find_sources([CLASSROOM]) == SOURCES


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_committed_editions_are_in_sync_with_their_source(source):
    stale = make_editions(source, check=True)
    assert not stale, f"out of date: {[str(p.relative_to(ROOT)) for p in stale]}; run " \
                      "python -m nasnb.classroom notebooks/classroom"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_editions_hold_every_exercise_once_and_hide_answers_and_notes_from_students(source):
    editions = build_editions(source)
    lesson_exercises = exercises(source.stem[:2])
    assert lesson_exercises
    for name, nb in editions.items():
        checks = [c for c in nb.cells if EXERCISE_TAG in c.metadata.get("tags", [])]
        ids = [e for c in checks for e in lesson_exercises if f'check("{e}"' in c.source]
        assert ids == lesson_exercises, f"{name}: exercise cells check {ids}"
        assert not any("SOLUTION" in c.source for c in nb.cells), f"{name} edition still has solution markers"
        assert all(c.source.lstrip().startswith("# Your answer") for c in checks)
        assert nb.metadata["nasnb"]["edition"] == name and "jupytext" not in nb.metadata
    student, solution = editions["student"], editions["solution"]
    assert not any(TEACHER_TAG in c.metadata.get("tags", []) for c in student.cells)
    notes = [c for c in solution.cells if TEACHER_TAG in c.metadata.get("tags", [])]
    assert notes and "Teacher notes" in notes[0].source
    for text in ("**Goals.**", "**Timing", "**Common mistakes.**", "**In a lab of N students.**"):
        assert text in notes[0].source, f"the teacher notes lack {text}"
    s_checks = [c for c in student.cells if EXERCISE_TAG in c.metadata.get("tags", [])]
    a_checks = [c for c in solution.cells if EXERCISE_TAG in c.metadata.get("tags", [])]
    for s_cell, a_cell in zip(s_checks, a_checks):
        assert "..." in s_cell.source and s_cell.source != a_cell.source
        # the student cell is the answer cell minus the solution: '# Your answer', placeholders, the check
        assert s_cell.source.splitlines()[-1] == a_cell.source.splitlines()[-1]


def test_split_solution_placeholders():
    cell = ("import math\n# Your answer\n### BEGIN SOLUTION\nhelper = 7\ndef f(row):\n    '''Doc.'''\n"
            "    return helper\nx: int = 2\n### END SOLUTION\ncheck('e', f)")
    student, solution = split_solution(cell)
    assert student == "import math\n# Your answer\ndef f(row):\n    '''Doc.'''\n    ...  # your code\ncheck('e', f)"
    assert solution == cell.replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION\n", "")
    # nothing after the block uses a defined name: every name gets a placeholder
    assert split_solution("### BEGIN SOLUTION\na, (b, c) = 1, (2, 3)\n### END SOLUTION")[0] == \
        "a = ...\nb = ...\nc = ..."
    assert split_solution("no markers\nx = 1") == ("no markers\nx = 1", "no markers\nx = 1")


def test_indented_block_keeps_its_indentation():
    cell = "if True:\n    ### BEGIN SOLUTION\n    y = 3\n    ### END SOLUTION\n    print(y)"
    assert split_solution(cell)[0] == "if True:\n    y = ...\n    print(y)"


@pytest.mark.parametrize("cell, match", [
    ("### BEGIN SOLUTION\nx = 1", "without an END"),
    ("x = 1\n### END SOLUTION", "without a BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "inside another"),
    ("### BEGIN SOLUTION\nprint(1)\n### END SOLUTION", "defines no name"),
    ("### BEGIN SOLUTION\nx = (\n### END SOLUTION", "not valid Python"),
])
def test_malformed_solution_blocks_name_the_problem(cell, match):
    with pytest.raises(ParameterError, match=match):
        split_solution(cell, where="lesson 9, cell 3")


def test_markers_in_a_markdown_cell_are_refused():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("### BEGIN SOLUTION\nsecret\n### END SOLUTION")]
    with pytest.raises(ParameterError, match="only allowed in code cells"):
        build_editions(nb, name="demo")


def _lesson(tmp_path: Path, answer: str = "3") -> Path:
    path = tmp_path / "09_demo.py"
    path.write_text("# ---\n# jupyter:\n#   jupytext:\n#     text_representation:\n#       format_name: percent\n"
                    "# ---\n\n# %% [markdown]\n# # Demo\n\n# %% [markdown] tags=[\"teacher\"]\n# notes\n\n"
                    f"# %%\n# Your answer\n### BEGIN SOLUTION\nn = {answer}\n### END SOLUTION\nn\n",
                    encoding="utf-8")
    return path


def test_make_editions_writes_valid_notebooks_and_check_finds_stale_ones(tmp_path):
    source = _lesson(tmp_path)
    written = make_editions(source)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["student/09_demo.ipynb",
                                                                     "solutions/09_demo.ipynb"]
    student = nbformat.read(written[0], as_version=4)
    nbformat.validate(student)
    assert [c.source for c in student.cells] == ["# Demo", "# Your answer\nn = ...\nn"]
    assert [c.id for c in student.cells] == ["student-000", "student-001"]
    assert make_editions(source, check=True) == []
    before = written[1].read_text()
    assert make_editions(source) == written and written[1].read_text() == before  # deterministic
    _lesson(tmp_path, answer="4")
    assert make_editions(source, check=True) == [written[1]]  # only the solution edition changed
    written[0].unlink()
    assert make_editions(source, check=True) == written


def test_command_line_writes_and_checks(tmp_path, capsys):
    source = _lesson(tmp_path)
    out = tmp_path / "out"
    assert main([str(tmp_path), "--check", "--outdir", str(out)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([str(source), "--outdir", str(out)]) == 0
    assert (out / "solutions" / "09_demo.ipynb").is_file()
    assert main([str(tmp_path), "--check", "--outdir", str(out)]) == 0
    assert main([str(tmp_path / "missing.py")]) == 2
    assert "neither a lesson script" in capsys.readouterr().err
