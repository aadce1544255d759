"""Generate the nasnb notebooks (no outputs, no execution counts).

Each notebook is a list of cells: strings starting with ``"md:"`` are Markdown, ``"params:"``
the parameters cell (tagged ``parameters``; it reads ``NASNB_BUDGET``), anything else code.
Run ``python notebooks/_make_notebooks.py`` after editing; the .ipynb files are overwritten.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _nb_chapters import CHAPTERS  # noqa: E402
from _nb_classroom import CLASSROOM  # noqa: E402
from _nb_quickstart import QUICKSTART  # noqa: E402


def _cell(text: str):
    text = text.strip("\n")
    if text.startswith("md:"):
        return nbformat.v4.new_markdown_cell(text[3:].strip("\n"))
    if text.startswith("params:"):
        cell = nbformat.v4.new_code_cell(text[7:].strip("\n"))
        cell.metadata["tags"] = ["parameters"]
        return cell
    return nbformat.v4.new_code_cell(text)


THREADS_PARAM = (
    "\n# torch threads: tiny networks train several times faster on one thread (fewer sync costs);\n"
    "# None keeps torch's default, better for the larger full-budget networks.\n"
    'THREADS = 1 if BUDGET == "small" else None')
THREADS_CELL = """import torch

if THREADS:
    torch.set_num_threads(THREADS)"""


def with_threads(cells: list[str]) -> list[str]:
    """Add the THREADS parameter and the cell that applies it after the parameters cell."""
    out = []
    for text in cells:
        if text.lstrip("\n").startswith("params:"):
            out += [text.rstrip("\n") + THREADS_PARAM, THREADS_CELL]
        else:
            out.append(text)
    return out


def make(cells: list[str]):
    cells = with_threads(cells)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [_cell(c) for c in cells]
    for i, cell in enumerate(nb.cells):  # stable ids keep diffs small
        cell["id"] = f"cell-{i:02d}"
    return nb


def main() -> None:
    notebooks = {"00_quickstart.ipynb": QUICKSTART, **CHAPTERS,
                 **{f"classroom/{name}": cells for name, cells in CLASSROOM.items()}}
    for name, cells in notebooks.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nb = make(cells)
        nbformat.validate(nb)
        nbformat.write(nb, path)


if __name__ == "__main__":
    main()
