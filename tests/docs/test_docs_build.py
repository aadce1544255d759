"""The documentation site builds with warnings as errors and holds what it promises.

``sphinx-build -W --keep-going -b html docs <tmp>``, as ``make docs`` and CI run it: every
notebook is rendered as committed (never executed: a cell shows outputs only where the
committed notebook has them), the API reference has a page for every public subpackage with
the members of its ``__all__`` (e.g. ``nasnb.strategies.Strategy.run``), and the porting and
many-hosts pages are there.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="the docs extra is not installed (pip install -e '.[docs]')")
pytest.importorskip("myst_nb", reason="the docs extra is not installed (pip install -e '.[docs]')")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-j", "1", "-q", "-b", "html",
                           str(ROOT / "docs"), str(out)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    warnings = [line for line in (proc.stdout + proc.stderr).splitlines() if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0 and not warnings, "\n".join(warnings) or proc.stderr[-3000:]
    return out


def _notebooks():
    return [p for p in sorted((ROOT / "notebooks").rglob("*.ipynb"))
            if not any(part.startswith((".", "_")) for part in p.relative_to(ROOT / "notebooks").parts)]


def test_every_notebook_is_rendered_with_the_outputs_it_was_committed_with(site):
    notebooks = _notebooks()
    assert len(notebooks) >= 10
    index = (site / "notebooks" / "index.html").read_text()
    for path in notebooks:
        relative = path.relative_to(ROOT / "notebooks").with_suffix(".html")
        page = site / "notebooks" / relative
        assert page.is_file(), f"no page for {relative}"
        assert relative.as_posix() in index
        nb = json.loads(path.read_text())
        html = page.read_text()
        title = next(line.lstrip("# ").strip() for c in nb["cells"] if c["cell_type"] == "markdown"
                     for line in "".join(c["source"]).splitlines() if line.startswith("# "))
        assert _words(title)[:60] in _words(html), f"{relative}: title {title!r} not rendered"
        with_outputs = sum(bool(c.get("outputs")) for c in nb["cells"] if c["cell_type"] == "code")
        rendered = len(re.findall(r'class="cell_output', html))
        assert rendered == with_outputs, f"{relative}: {rendered} output blocks, notebook has {with_outputs}"
        code = next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code" and c["source"])
        first = next(line for line in code.splitlines() if line.strip())
        assert _words(first)[:40] in _words(html), f"{relative}: code cell not rendered"


def test_every_widget_output_shows_its_static_snapshot(site):
    """A built page shows each widget's HTML snapshot (its live view needs a kernel the site lacks)."""
    checked = 0
    for path in _notebooks():
        nb = json.loads(path.read_text())
        widgets = []
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "application/vnd.jupyter.widget-view+json" in data and "text/html" in data:
                    found = re.search(r'data-widget="(\w+)"', "".join(data["text/html"]))
                    if found:
                        widgets.append(found.group(1))
        if not widgets:
            continue
        relative = path.relative_to(ROOT / "notebooks").with_suffix(".html")
        html = (site / "notebooks" / relative).read_text()
        shown = re.findall(r'class="nasnb-snapshot" data-widget="(\w+)"', html)
        assert sorted(shown) == sorted(widgets), f"{relative}: snapshots {shown}, widgets {widgets}"
        checked += len(widgets)
    assert checked >= 3   # the quickstart's explorer and editor, chapter 6, lesson 1 at least


def _text(html: str) -> str:
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", html)))


def _words(text: str) -> str:
    """Letters and digits only: smart quotes, dashes and markup do not matter."""
    return " ".join(re.findall(r"[A-Za-z0-9]+", _text(text)))


def test_api_reference_documents_each_subpackage_and_strategy_run(site):
    import nasnb

    api = site / "api"
    for name in ("descriptors", "builders", "evaluators", "strategies", "store", "cluster", "analysis", "viz",
                 "export", "nord"):
        assert (api / f"nasnb.{name}.html").is_file(), name
    page = (api / "generated" / "nasnb.strategies.Strategy.html").read_text()
    assert 'id="nasnb.strategies.Strategy.run"' in page
    text = _text(page)
    assert "evaluate_kwargs" in text and "progress" in text  # the numpydoc parameters of run
    store_page = _text((api / "nasnb.store.html").read_text())
    for member in nasnb.store.__all__:
        assert member in store_page
    assert 'id="nasnb.export.export_mlflow"' in (api / "generated" / "nasnb.export.export_mlflow.html").read_text()


def test_porting_and_many_hosts_pages(site):
    porting = _text((site / "porting.html").read_text())
    assert "from nasnb.nord.neural_nets import NeuralDescriptor, LocalEvaluator" in porting
    assert "Data come from the shared configuration" in porting  # nasnb.nord's module documentation
    hosts = _text((site / "many-hosts.html").read_text())
    for phrase in ("ipcluster start --engines=mpi -n 64 --profile=mpi64", 'nasnb.Cluster(profile="mpi64", n=64)',
                   "srun --mpi=pmi2 ipengine --mpi", "Where the data and the store live"):
        assert phrase in hosts, phrase
    index = _text((site / "index.html").read_text())
    for page in ("Getting started", "User guide", "Notebooks", "Coming from the original framework",
                 "Many hosts", "API reference"):
        assert page in index, page
