"""The Binder and conda environments install what ``pip install -e ".[all]"`` installs, and what the notebooks import.

``binder/environment.yml`` (mybinder.org) and the top-level ``environment.yml`` are written by
hand for conda-forge; this keeps them in step with ``pyproject.toml``: every dependency and
every package of the ``all`` extra (expanding ``nasnb[...]`` self-references) must appear,
under its conda-forge name or in the ``pip:`` section.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")
tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = [ROOT / "binder" / "environment.yml", ROOT / "environment.yml"]

#: PyPI name (normalised) -> conda-forge name, where they differ
CONDA_NAMES = {"torch": "pytorch", "graphviz": "python-graphviz", "torch-geometric": "pytorch_geometric"}
#: top-level module a notebook imports -> the package (normalised PyPI name) that provides it
MODULE_PACKAGES = {"IPython": "ipykernel", "sklearn": "scikit-learn", "torch_geometric": "torch-geometric",
                   "yaml": "pyyaml", "PIL": "pillow"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name(requirement: str) -> str:
    return _normalise(re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0])


def _required() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    names: set[str] = set()

    def add(requirement: str) -> None:
        match = re.fullmatch(r"\s*nasnb\[([^\]]+)\]\s*", requirement)
        if match:
            for extra in match.group(1).split(","):
                for r in extras[extra.strip()]:
                    add(r)
        else:
            names.add(_name(requirement))

    for requirement in [*project["dependencies"], *extras["all"]]:
        add(requirement)
    return names


def _provided(path: Path) -> tuple[set[str], set[str]]:
    env = yaml.safe_load(path.read_text())
    conda, pip = set(), set()
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip |= {_name(p) for p in item.get("pip", []) if not p.startswith("-")}
        else:
            conda.add(_normalise(re.split(r"[\s=<>!]", item, maxsplit=1)[0]))
    return conda, pip


def _notebook_imports() -> set[str]:
    modules = set()
    for script in sorted((ROOT / "notebooks").rglob("*.py")):
        if script.name.startswith("_"):
            continue
        tree = ast.parse(script.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m != "nasnb"}


def test_pyproject_requirements_are_parsed():
    required = _required()
    # the core and a package of each extra that ``all`` pulls in: the parsing above is not vacuous
    assert {"torch", "numpy", "ipyparallel", "cloudpickle", "mnist1d", "plotly", "torch-geometric",
            "statsmodels", "jupyterlab"} <= required


@pytest.mark.parametrize("path", ENVIRONMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_environment_installs_everything_pip_install_all_installs(path):
    conda, pip = _provided(path)
    missing = sorted(name for name in _required()
                     if _normalise(CONDA_NAMES.get(name, name)) not in conda and name not in pip)
    assert missing == [], f"{path.relative_to(ROOT)} lacks {missing} (pyproject.toml's dependencies / [all])"


@pytest.mark.parametrize("path", ENVIRONMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_environment_python_satisfies_requires_python(path):
    conda, _ = _provided(path)
    assert "python" in conda
    spec = next(d for d in yaml.safe_load(path.read_text())["dependencies"]
                if isinstance(d, str) and d.startswith("python="))
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    wanted = tuple(int(x) for x in minimum.removeprefix(">=").split("."))
    assert tuple(int(x) for x in spec.split("=")[1].split(".")[:2]) >= wanted


@pytest.mark.parametrize("path", ENVIRONMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_package_a_notebook_imports_is_in_the_environment(path):
    conda, pip = _provided(path)
    imports = _notebook_imports()
    assert {"numpy", "torch"} <= imports  # the notebooks were found and parsed
    missing = []
    for module in sorted(imports):
        package = _normalise(MODULE_PACKAGES.get(module, module))
        if _normalise(CONDA_NAMES.get(package, package)) not in conda and package not in pip:
            missing.append(module)
    assert missing == [], f"notebooks import {missing}, which {path.relative_to(ROOT)} does not install"


def test_binder_installs_nasnb_itself_and_runs_small_budgets():
    post = (ROOT / "binder" / "postBuild").read_text()
    assert re.search(r"pip install .*-e \.", post)
    start = (ROOT / "binder" / "start").read_text()
    assert "NASNB_BUDGET" in start and 'exec "$@"' in start


def test_readme_has_a_binder_badge_opening_jupyterlab():
    head = (ROOT / "README.md").read_text().split("\n## ", 1)[0]
    badge = re.search(r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]"
                      r"\((https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/[\w.-]+\?[^)]*)\)", head)
    assert badge, "README: no Binder badge above the first section"
    assert "urlpath=lab" in badge.group(1)   # opens JupyterLab, not the classic notebook
    assert (ROOT / "binder" / "environment.yml").exists() and (ROOT / "binder" / "postBuild").exists()
