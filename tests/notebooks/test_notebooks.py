"""Execute every notebook headlessly with its small budget, and keep them output-free in git.

Notebooks read ``NASNB_BUDGET`` in their parameters cell: ``small`` here (CI), ``full`` by
default for users.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
IDS = [str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: cell {i} has stored outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert tagged, f"{path.name}: no cell tagged 'parameters'"
    assert "NASNB_BUDGET" in tagged[0].source, f"{path.name}: the parameters cell must read NASNB_BUDGET"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_executes_with_small_budget(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("NASNB_BUDGET", "small")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    os.environ["NASNB_NOTEBOOK_DIR"] = str(path.parent)
    client.execute()
