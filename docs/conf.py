"""Sphinx configuration of the nasnb documentation (``make docs``).

Built with warnings as errors in CI (``tests/docs/test_docs_build.py``). On every build this
file

* copies the notebooks (``../notebooks/**/*.ipynb``) into ``notebooks/``, where myst-nb
  renders them as they were committed, outputs included: they are never executed here;
* writes one API page per public subpackage (``api/nasnb.<name>.rst``) with an autosummary
  of its ``__all__``; autosummary then writes a page per object into ``api/generated/``.

Both are git-ignored and rewritten each time, so a renamed object leaves no stale page.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import nasnb  # noqa: E402

log = logging.getLogger("nasnb.docs")

project = "nasnb"
author = "the nasnb authors"
copyright = "nasnb authors, MIT licence"
release = version = nasnb.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", ".gitignore"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# ---------------------------------------------------------------- notebooks (never executed)
nb_execution_mode = "off"
# a widget output shows the static HTML snapshot it carries (text/html): the site has no kernel, and
# a widget view without saved state would render as nothing
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# ---------------------------------------------------------------- API reference
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"          # signatures show the types; numpydoc sections describe them
autodoc_inherit_docstrings = False  # torch.nn / builtin docstrings are not ours (nor numpydoc)
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True  # dataclass fields: documented once, by their class page's members
napoleon_custom_sections = ["Coming from the original framework", "Differences from the original",
                            ("Attributes (after :attr:`widget` is built)", "attributes")]
nitpicky = False
suppress_warnings = [
    # an object re-exported by two subpackages (``nasnb.store.Study`` and ``nasnb.store.study.Study``)
    "autosummary.import_cycle",
    "ref.python",           # ``Study`` in a docstring may name several documented objects
    "myst.header",          # notebooks number thesis tables with ### headings under the title
    "mystnb.unknown_mime_type",  # widget views: the static snapshot next to them is shown instead
    "misc.highlighting_failure",  # notebook outputs that are not valid Python
    "duplicate_declaration",
    "autodoc.duplicate_object",
]

#: subpackages and modules documented in the API reference, in reading order
API_MODULES = ["descriptors", "layers", "builders", "data", "evaluators", "results", "genomes", "spaces",
               "strategies", "executors", "benchmarks", "store", "cluster", "analysis", "viz", "predictors",
               "darts", "export", "classroom", "nord", "exceptions"]
API_MODULES += [m for m in nasnb._SUBPACKAGES if m not in API_MODULES]


def _write_api_pages() -> list[str]:
    api = HERE / "api"
    for stale in [*api.glob("nasnb.*.rst"), api / "generated"]:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink(missing_ok=True)
    written, seen = [], {}
    for name in API_MODULES:
        module_name = f"nasnb.{name}"
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:  # a heavy optional part that is not installed
            log.warning("API reference: skipping %s, which cannot be imported (%s)", module_name, exc)
            continue
        names = []
        for n in getattr(module, "__all__", []):
            obj = getattr(module, n, None)
            if n.startswith("_") or (callable(obj) or isinstance(obj, type)) and id(obj) in seen:
                continue  # documented once, on the page of the first subpackage that exports it
            seen.setdefault(id(obj), obj)  # (kept alive so ids stay unique)
            names.append(n)
        title = f"``{module_name}``"
        lines = [title, "=" * len(title), "", f".. automodule:: {module_name}", "   :no-members:", ""]
        if names:
            lines += [".. currentmodule:: " + module_name, "", ".. autosummary::", "   :toctree: generated",
                      "   :nosignatures:", "", *[f"   {n}" for n in names], ""]
        (api / f"{module_name}.rst").write_text("\n".join(lines))
        written.append(module_name)
    return written


#: headings of the notebook folders on the notebooks page (other folders: their path)
NOTEBOOK_SECTIONS = {".": "Thesis chapters", "classroom": "Classroom lessons",
                     "classroom/student": "Classroom lessons: student edition",
                     "classroom/solutions": "Classroom lessons: solution edition"}


def _copy_notebooks() -> list[str]:
    """Copy the notebooks as committed and write ``notebooks/index.md`` listing them by folder."""
    target = HERE / "notebooks"
    if target.exists():
        shutil.rmtree(target)
    folders: dict[str, list[str]] = {}
    for source in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        relative = source.relative_to(ROOT / "notebooks")
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        (target / relative.parent).mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / relative)
        folders.setdefault(relative.parent.as_posix(), []).append(relative.with_suffix("").as_posix())
    lines = ["# Notebooks", "",
             "The notebooks as committed in `notebooks/`, with the outputs they were saved with (this site",
             "never executes them). Each reads `NASNB_BUDGET` (`small`, `medium`, `full`) in its",
             "`parameters` cell; open them in JupyterLab (`make lab`) or on Binder to run them.", ""]
    order = sorted(folders, key=lambda f: (f not in NOTEBOOK_SECTIONS, list(NOTEBOOK_SECTIONS).index(f)
                                           if f in NOTEBOOK_SECTIONS else 0, f))
    for folder in order:
        lines += [f"## {NOTEBOOK_SECTIONS.get(folder, folder)}", "", "```{toctree}", ":maxdepth: 1", "",
                  *folders[folder], "```", ""]
    (target / "index.md").write_text("\n".join(lines))
    return [n for names in folders.values() for n in names]


API_WRITTEN = _write_api_pages()
NOTEBOOKS = _copy_notebooks()

# ---------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"nasnb {version}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "navbar_align": "left",
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"api/generated/*": []}
html_show_sourcelink = False


def _drop_type_docstrings(app, what, name, obj, options, lines):
    """A constant without a ``#:`` comment would show its type's docstring (``dict(**kwargs)``...)."""
    if what in ("data", "attribute") and lines:
        doc = getattr(type(obj), "__doc__", None)
        if not isinstance(doc, str):
            return
        if doc and "\n".join(lines).strip() == "\n".join(line.strip() for line in doc.strip().splitlines()).strip() \
                or doc and lines[0].strip() == doc.strip().splitlines()[0].strip():
            lines[:] = []


def setup(app):
    app.connect("autodoc-process-docstring", _drop_type_docstrings)
