"""The README's main job (`python -m nasnb demo`) on embedded data."""

import subprocess
import sys
from pathlib import Path

import pytest

from nasnb.cli import demo


def test_demo_trains_searches_and_writes_figures(tmp_path):
    report = demo(tmp_path, "small", cluster=False, seed=0)
    assert report["branched_accuracy"] > 0.5          # 10 classes: chance is 0.1
    assert report["best_fitness"] >= report["branched_accuracy"] - 0.2
    for name in ("progress.png", "overlay.png", "demo.sqlite"):
        assert (tmp_path / name).stat().st_size > 0


def test_demo_command_line_rejects_an_unknown_budget():
    proc = subprocess.run([sys.executable, "-m", "nasnb", "demo", "--budget", "huge"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "invalid choice: 'huge'" in proc.stderr


def _run(*args):
    return subprocess.run([sys.executable, "-m", "nasnb", *args], capture_output=True, text=True, timeout=120)


def test_console_command_is_installed_and_prints_the_version():
    import shutil
    import tomllib

    import nasnb

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["nasnb"] == "nasnb.cli:main" and project["version"] == nasnb.__version__
    script = shutil.which("nasnb")  # installed by `pip install -e .` (make test-install)
    assert script, "the nasnb console command is not on PATH: reinstall with pip install -e ."
    proc = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == f"nasnb {nasnb.__version__}"
    assert _run("--version").stdout.strip() == f"nasnb {nasnb.__version__}"


def _documented(parser):
    """Every option and subcommand of an argparse parser (recursively) with its help text."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, child in action.choices.items():
                yield f"{parser.prog} {name}", helps.get(name)
                yield from _documented(child)
        elif not isinstance(action, argparse._HelpAction):
            yield f"{parser.prog} {'/'.join(action.option_strings) or action.dest}", action.help


def test_every_subcommand_and_option_has_a_help_text():
    from nasnb.cli import _parser

    items = dict(_documented(_parser()))
    assert {"nasnb demo", "nasnb export", "nasnb export mlflow", "nasnb export tensorboard", "nasnb studies",
            "nasnb --version", "nasnb demo --budget", "nasnb export mlflow --tracking-uri"} <= set(items)
    assert [name for name, text in items.items() if not text or len(text) < 10] == []
    top = _run("--help")
    assert top.returncode == 0
    for command in ("demo", "export", "studies", "--version"):
        assert command in top.stdout
    demo_help = _run("demo", "--help").stdout
    assert "--no-cluster" in demo_help and "2-engine MPI cluster" in demo_help
    assert "--logdir" in _run("export", "tensorboard", "--help").stdout


def test_studies_and_export_commands_read_a_store(tmp_path):
    pytest.importorskip("tensorboard")
    from nasnb.results import EvaluationResult
    from nasnb.store import ExperimentStore

    store = ExperimentStore(tmp_path / "runs.sqlite")
    study = store.create_study("tiny", {"epochs": 1})
    for seq, fit in enumerate([0.5, 0.7]):
        study.add_evaluation({"ops": ["conv", "pool"][: seq + 1]}, EvaluationResult(1 - fit, {"accuracy": fit}, 1.0, fit),
                             seq=seq, seed=seq, candidate={"ops": ["conv", "pool"][: seq + 1]})
    store.close()
    listed = _run("studies", str(tmp_path / "runs.sqlite"))
    assert listed.returncode == 0 and listed.stdout.split() == ["tiny", "2", "evaluations"]
    out = _run("export", "tensorboard", str(tmp_path / "runs.sqlite"), "tiny", "--logdir", str(tmp_path / "tb"))
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "tb").iterdir() if p.is_dir()) == ["seq-00000", "seq-00001"]
    missing = _run("export", "tensorboard", str(tmp_path / "runs.sqlite"), "nope", "--logdir", str(tmp_path / "x"))
    assert missing.returncode == 1 and "has no study 'nope'" in missing.stderr and "tiny" in missing.stderr
