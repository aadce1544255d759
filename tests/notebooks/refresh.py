"""Execute notebooks at the ``medium`` budget and store their outputs (the committed outputs).

Usage (from the repository root, one notebook at a time on a small machine)::

    python tests/notebooks/refresh.py notebooks/07_egraph.ipynb [more.ipynb ...]

Each notebook runs in a fresh kernel with the inline matplotlib backend (as a reader has it), in
a temporary working folder holding a copy of the notebook's ``data/`` folder (the committed full
runs it shows), so the stores it writes stay out of the repository. Its outputs are written back only when the run raised no error, no
cell shows a figure twice or as text only, and the notebook's sources did not change while it
ran (someone editing the paired script). Widget state is not stored (anywidget bundles make it
megabytes); the widgets' static HTML snapshots are what GitHub, nbviewer and the docs show, and a
tqdm progress bar is stored as the text of its final state (``training: 100%|██████████| 48/48
[01:10<00:00, ...]``), not as the first frame its text fallback froze. The
run is recorded in the notebook metadata as ``nasnb_run: {"budget": "medium", "wall_seconds": ...}``,
which ``test_committed_outputs_come_from_a_clean_medium_run`` checks.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_notebooks import RUN_KEY, figure_problems  # noqa: E402


def refresh(path: Path, budget: str = "medium", timeout: int = 1800, write: bool = True) -> dict:
    """Execute ``path`` at ``budget``; store the outputs if the run is clean. Returns a summary."""
    from nbclient import NotebookClient

    os.environ.pop("MPLBACKEND", None)
    os.environ["NASNB_BUDGET"] = budget
    nb = nbformat.read(path, as_version=4)
    sources = [(c.cell_type, c.source) for c in nb.cells]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    error = ""
    workdir = Path(tempfile.mkdtemp(prefix="nasnb-refresh-"))
    if (path.parent / "data").is_dir():   # the notebook's committed data (full runs), as beside it
        shutil.copytree(path.parent / "data", workdir / "data")
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(workdir)}}).execute()
    except Exception as exc:  # noqa: BLE001 - reported, the notebook is left unchanged
        error = f"{type(exc).__name__}: {str(exc)[-1000:]}"
    seconds = round(time.perf_counter() - start, 1)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    progress_bars_as_text(nb)
    nb.metadata[RUN_KEY] = {"budget": budget, "wall_seconds": seconds}
    problems = figure_problems(nb)
    changed = [(c.cell_type, c.source) for c in nbformat.read(path, as_version=4).cells] != sources
    stored = write and not error and not problems and not changed
    if stored:
        nbformat.write(nb, path)
    return {"notebook": str(path), "budget": budget, "seconds": seconds, "error": error,
            "figure_problems": problems, "sources_changed_meanwhile": changed, "stored": stored}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def progress_bars_as_text(nb) -> int:
    """Replace each tqdm notebook bar by the text of its final state; drop the widget state.

    A tqdm bar is an ``HBox(HTML(prefix), FloatProgress, HTML(suffix))`` whose text fallback is
    frozen at its first frame (``0/48``). Returns the number of bars replaced.
    """
    state = nb.metadata.pop("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})

    def model(ref):
        return state.get(str(ref).removeprefix("IPY_MODEL_"), {})

    replaced = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            box = model(view.get("model_id")) if isinstance(view, dict) else {}
            children = [model(c) for c in box.get("state", {}).get("children", [])]
            names = [c.get("model_name") for c in children]
            if box.get("model_name") != "HBoxModel" or names != ["HTMLModel", "FloatProgressModel", "HTMLModel"]:
                continue
            prefix, bar, suffix = (c.get("state", {}) for c in children)
            filled = round(10 * bar.get("value", 0) / bar["max"]) if bar.get("max") else 0
            text = f"{prefix.get('value', '')}|{'█' * filled}{' ' * (10 - filled)}|{suffix.get('value', '')}"
            text = html.unescape(text).replace("\u2007", " ")   # tqdm writes HTML with figure spaces
            output["data"] = {"text/plain": text}
            replaced += 1
    return replaced


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--budget", default="medium", choices=("small", "medium", "full"))
    parser.add_argument("--dry-run", action="store_true", help="run and report, write nothing")
    args = parser.parse_args(argv)
    ok = True
    for path in args.notebooks:
        summary = refresh(path, args.budget, write=not args.dry_run)
        print(json.dumps(summary), flush=True)
        ok &= not summary["error"] and not summary["figure_problems"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
