"""The refresh tool stores a progress bar as the text of its final state, not its first frame."""

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from refresh import WIDGET_VIEW, progress_bars_as_text  # noqa: E402
from test_notebooks import NOTEBOOKS, IDS  # noqa: E402


@pytest.mark.notebook
def test_a_tqdm_bar_is_stored_as_its_final_text(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from tqdm.auto import tqdm\n"
                                          "for i in tqdm(range(48), desc='training'): pass\nprint('done')")]
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    frozen = nb.cells[0].outputs[0]["data"]
    assert WIDGET_VIEW in frozen and "0/48" in frozen["text/plain"]   # what the kernel left: the first frame
    assert progress_bars_as_text(nb) == 1
    text = nb.cells[0].outputs[0]["data"]["text/plain"]
    assert text.startswith("training: 100%|██████████| 48/48 [") and "&lt;" not in text
    assert nb.cells[0].outputs[1]["text"] == "done\n" and "widgets" not in nb.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_outputs_hold_no_frozen_progress_bar(path):
    nb = nbformat.read(path, as_version=4)
    frozen = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if WIDGET_VIEW in o.get("data", {})
              and "| 0/" in "".join(o["data"].get("text/plain", ""))]
    assert not frozen, f"{path.name}: progress bars stored at their first frame in cells starting {frozen}"
