"""The notebooks: jupytext pairing, the BUDGET parameter convention, execution at ``small``, and
each figure shown once.

Every ``notebooks/**/<name>.ipynb`` is paired with ``<name>.py`` (jupytext ``py:percent``): the
script is the source, the notebook carries the outputs of a ``medium`` run. The ``parameters``
cell sets only ``BUDGET`` and ``DATA_ROOT``; the next cell derives every size from ``BUDGET``, so
papermill (``-p BUDGET small``) or ``NASNB_BUDGET=small`` choose the budget. CI executes every
notebook at ``small`` with the inline matplotlib backend a user gets, and fails when a cell shows
the same image twice (a figure displayed and also returned).
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from pathlib import Path

import nbformat
import pytest

jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
ALL_NOTEBOOKS = sorted(p for p in NOTEBOOK_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _edition(path: Path):
    """The classroom edition ("student"/"solution") a notebook was generated as, else None."""
    return nbformat.read(path, as_version=4).metadata.get("nasnb", {}).get("edition")


# classroom student/solution editions are generated from a paired lesson (python -m nasnb.classroom)
# and tested in tests/classroom; every other notebook is a paired source
EDITIONS = [p for p in ALL_NOTEBOOKS if _edition(p)]
NOTEBOOKS = [p for p in ALL_NOTEBOOKS if p not in EDITIONS]
SCRIPTS = sorted(p for p in NOTEBOOK_DIR.rglob("*.py") if ".ipynb_checkpoints" not in p.parts)
IDS = [str(p.relative_to(NOTEBOOK_DIR)) for p in NOTEBOOKS]
RUN_KEY = "nasnb_run"  # notebook metadata of the stored run: {"budget": "medium", "wall_seconds": ...}
IMAGE_TYPES = ("image/png", "image/svg+xml")
BUDGETS = ("small", "medium", "full")


def parameters_index(nb) -> int:
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"expected exactly one cell tagged 'parameters', found {len(tagged)}"
    return tagged[0]


def run_setup_cells(nb, budget_env: str | None, injected: str | None = None) -> dict:
    """Run the parameters cell, an optional papermill-style injected cell and the sizes cell."""
    i = parameters_index(nb)
    cells = [nb.cells[i].source]
    if injected is not None:
        cells.append(injected)
    cells.append(nb.cells[i + 1].source)
    saved = os.environ.get("NASNB_BUDGET")
    try:
        if budget_env is None:
            os.environ.pop("NASNB_BUDGET", None)
        else:
            os.environ["NASNB_BUDGET"] = budget_env
        namespace: dict = {}
        for source in cells:
            exec(compile(source, "<notebook cell>", "exec"), namespace)  # our own notebook sources
    finally:
        if saved is None:
            os.environ.pop("NASNB_BUDGET", None)
        else:
            os.environ["NASNB_BUDGET"] = saved
    return namespace


def sizes_of(namespace: dict) -> dict:
    """The upper-case names a sizes cell defines (the values a budget changes)."""
    return {k: v for k, v in namespace.items() if k.isupper() and k not in ("BUDGET", "DATA_ROOT", "SIZES")}


# what a cell ending in ax.set_title(...), ax.set_ylim(...), ax.plot(...) shows below the figure
STRAY_MATPLOTLIB = re.compile(r"^(Text\(|\[<matplotlib|<matplotlib\.|<Axes)")
STRAY_LIMITS = re.compile(r"^\(-?[\d.]+, -?[\d.]+\)$")   # set_xlim / set_ylim / axis return the limits


def figure_problems(nb) -> list[str]:
    """Describe every code cell that shows the same image (PNG or SVG) more than once, shows a
    matplotlib figure as text only (a returned figure that no image formatter drew), or shows a
    matplotlib call's return value as text (``Text(0.5, 1.0, 'title')``, ``(-1.0, 1.0)``)."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        seen: dict[str, int] = {}
        for output in cell.get("outputs", []):
            data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
            text = data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if text.startswith("<Figure size") and not any(m in data for m in IMAGE_TYPES):
                problems.append(f"cell {index} shows a figure as text only ({text[:40]}...), not as an image")
            elif output.get("output_type") == "execute_result" and (
                    STRAY_MATPLOTLIB.match(text) or STRAY_LIMITS.match(text)
                    and re.search(r"lim\(|axis\(", (cell.source.strip().splitlines() or [""])[-1])):
                problems.append(f"cell {index} ends with a matplotlib call whose return value is shown as text "
                                f"({text[:40]}); end it with ';'")
            for mime in IMAGE_TYPES:
                if mime in data:
                    payload = data[mime]
                    payload = "".join(payload) if isinstance(payload, list) else payload
                    key = mime + hashlib.sha1(payload.encode()).hexdigest()
                    seen[key] = seen.get(key, 0) + 1
        for key, count in seen.items():
            if count > 1:
                problems.append(f"cell {index} shows the same {key[:key.index('/') + 4]}... image {count} times: "
                                f"{cell.source.strip().splitlines()[-1][:80]!r}")
    return problems


def execute(nb, tmp_path, monkeypatch, budget="small"):
    from nbclient import NotebookClient

    monkeypatch.setenv("NASNB_BUDGET", budget)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend, as a user has it
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return nb


# --- pairing -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_paired_with_a_percent_script_in_sync(path):
    nb = nbformat.read(path, as_version=4)
    formats = nb.metadata.get("jupytext", {}).get("formats")
    assert formats == "ipynb,py:percent", f"{path.name}: jupytext formats are {formats!r}, not 'ipynb,py:percent'"
    script = path.with_suffix(".py")
    assert script.exists(), f"{path.name} has no paired script {script.name}"
    from jupytext.compare import compare_notebooks

    # raises with the first differing cell; outputs are not compared
    compare_notebooks(jupytext.read(script), jupytext.read(path), fmt="py:percent")


@pytest.mark.parametrize("path", EDITIONS, ids=[str(p.relative_to(NOTEBOOK_DIR)) for p in EDITIONS])
def test_generated_edition_comes_from_a_paired_lesson(path):
    source = nbformat.read(path, as_version=4).metadata["nasnb"].get("generated_from", "").split()[0]
    assert source.endswith(".py"), f"{path.name}: metadata nasnb.generated_from does not name its source script"
    lesson = NOTEBOOK_DIR / "classroom" / source
    assert lesson.exists() and lesson.with_suffix(".ipynb") in NOTEBOOKS, \
        f"{path.relative_to(NOTEBOOK_DIR)} is generated from {source}, which is not a paired lesson"


@pytest.mark.parametrize("script", SCRIPTS, ids=[str(p.relative_to(NOTEBOOK_DIR)) for p in SCRIPTS])
def test_every_script_in_notebooks_is_a_paired_notebook(script):
    header = script.read_text(encoding="utf-8")[:600]
    assert "format_name: percent" in header, f"{script.name} is not a jupytext percent script"
    assert script.with_suffix(".ipynb").exists(), f"{script.name} has no paired notebook (jupytext --sync it)"


def test_pairing_check_detects_an_edited_script(tmp_path):
    path = NOTEBOOKS[0]
    from jupytext.compare import compare_notebooks

    edited = jupytext.read(path.with_suffix(".py"))
    edited.cells[-1].source += "\n# edited in the script only"
    with pytest.raises(Exception, match="edited in the script only"):
        compare_notebooks(edited, jupytext.read(path), fmt="py:percent")


# --- the BUDGET parameter convention --------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_cell_sets_only_budget_and_data_root(path):
    nb = nbformat.read(path, as_version=4)
    tree = ast.parse(nb.cells[parameters_index(nb)].source)
    assigned = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            continue
        assert isinstance(node, (ast.Assign, ast.AnnAssign)), f"{path.name}: parameters cell has a {type(node).__name__}"
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        assigned |= {t.id for t in targets if isinstance(t, ast.Name)}
    assert assigned == {"BUDGET", "DATA_ROOT"}, f"{path.name}: parameters cell assigns {sorted(assigned)}"
    namespace = run_setup_cells(nb, budget_env=None)
    assert namespace["BUDGET"] == "medium", f"{path.name}: the default budget is {namespace['BUDGET']!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_sizes_follow_an_injected_budget(path):
    nb = nbformat.read(path, as_version=4)
    sizes_cell = nb.cells[parameters_index(nb) + 1].source
    assert "SIZES" in sizes_cell and "[BUDGET]" in sizes_cell, f"{path.name}: the cell after the parameters " \
        "cell must derive the sizes with SIZES = {...}[BUDGET]"
    by_budget = {b: sizes_of(run_setup_cells(nb, budget_env="medium", injected=f'BUDGET = "{b}"')) for b in BUDGETS}
    # papermill injects its cell after the parameters cell: it must win over NASNB_BUDGET
    assert run_setup_cells(nb, budget_env="medium", injected='BUDGET = "small"')["BUDGET"] == "small"
    assert set(by_budget["small"]) == set(by_budget["medium"]) == set(by_budget["full"]), \
        f"{path.name}: the budgets define different names"
    assert by_budget["small"] != by_budget["medium"], f"{path.name}: injecting BUDGET='small' changed no size"
    assert by_budget["small"] == sizes_of(run_setup_cells(nb, budget_env="small")), \
        f"{path.name}: NASNB_BUDGET=small and an injected BUDGET='small' disagree"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_cell_says_how_long_each_budget_takes(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "**Budgets.**" in first.source, \
        f"{path.name}: the first markdown cell must have a **Budgets.** paragraph"
    for budget in BUDGETS:
        assert f"`{budget}`" in first.source, f"{path.name}: the first cell does not mention the {budget} budget"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_outputs_come_from_a_clean_medium_run(path):
    nb = nbformat.read(path, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    if not outputs:
        pytest.skip(f"{path.name} is stored without outputs")
    run = nb.metadata.get(RUN_KEY, {})
    assert run.get("budget") == "medium", f"{path.name}: stored outputs are from budget {run.get('budget')!r}"
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: stored outputs contain an error: {errors[0].get('ename')}"
    assert not figure_problems(nb), f"{path.name}: {figure_problems(nb)}"


# --- execution -----------------------------------------------------------------------------------

@pytest.mark.notebook
def test_figure_check_catches_a_figure_displayed_and_returned(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\n"
                                          "fig, ax = plt.subplots(figsize=(2, 2)); ax.plot([0, 1])\nfig"),
                nbformat.v4.new_code_cell("fig, ax = plt.subplots(figsize=(2, 2)); ax.plot([1, 0]);")]
    execute(nb, tmp_path, monkeypatch)
    problems = figure_problems(nb)
    assert len(problems) == 1 and problems[0].startswith("cell 0 shows the same image/png"), problems
    assert sum(1 for o in nb.cells[1].outputs if "image/png" in o.get("data", {})) == 1


def test_figure_check_catches_a_figure_shown_as_text_only():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("fig")]
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "<Figure size 640x480 with 1 Axes>"},
                                                  execution_count=1)]
    assert figure_problems(nb) == ["cell 0 shows a figure as text only (<Figure size 640x480 with 1 Axes>...), "
                                   "not as an image"]
    nb.cells[0].outputs[0]["data"]["image/png"] = "iVBORw0KGgo="
    assert figure_problems(nb) == []


# lesson sources run in tests/classroom through their solution editions (the same cells plus the
# answers, with the same figure check), so only the chapter notebooks run here
CHAPTERS = [p for p in NOTEBOOKS if "classroom" not in p.parts]


@pytest.mark.notebook
@pytest.mark.parametrize("path", CHAPTERS, ids=[str(p.relative_to(NOTEBOOK_DIR)) for p in CHAPTERS])
def test_notebook_runs_at_small_and_shows_each_figure_once(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # run from a clean copy, whatever outputs are stored
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    execute(nb, tmp_path, monkeypatch)
    problems = figure_problems(nb)
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_figure_check_catches_a_matplotlib_return_value_shown_as_text():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("ax.set_ylim(-1, 1)"), nbformat.v4.new_code_cell("ax.set_title('t')"),
                nbformat.v4.new_code_cell("(1, 2)")]
    for cell, text in zip(nb.cells, ["(-1.0, 1.0)", "Text(0.5, 1.0, 't')", "(1, 2)"]):
        cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": text}, execution_count=1)]
    problems = figure_problems(nb)
    assert [p.split(" ends with")[0] for p in problems] == ["cell 0", "cell 1"], problems
