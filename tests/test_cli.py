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


# ------------------------------------------------------------------ errors in one line (issue 26, point 4)
def _tiny_store(path):
    from nasnb.results import EvaluationResult
    from nasnb.store import ExperimentStore

    store = ExperimentStore(path)
    study = store.create_study("tiny", {"epochs": 1})
    for seq in range(40):
        study.add_evaluation({"ops": ["conv"] * (seq + 1)}, EvaluationResult(0.5, {}, 1.0, 0.5), seq=seq, seed=seq)
    store.close()
    return path


def _one_line_error(proc, *names):
    """The command failed with one 'nasnb: error:' line naming every one of ``names``, no traceback."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nasnb: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for name in names:
        assert str(name) in lines[0]
    return lines[0]


def _damaged(tmp_path):
    path = _tiny_store(tmp_path / "damaged.sqlite")
    with open(path, "r+b") as f:  # overwrite b-tree pages in the middle of the file
        f.seek(4096 * 2)
        f.write(b"\xff" * 4096 * 2)
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: _write_foreign(p / "foreign.sqlite"), ["another application"]),
    (lambda p: _write(p / "notes.txt", "hello\n"), ["not a SQLite database"]),
    (lambda p: _write(p / "empty.sqlite", ""), ["empty file"]),
    (_damaged, ["damaged"]),
    (lambda p: p, ["directory"]),
    (lambda p: p / "missing.sqlite", ["no experiment store"]),
    (lambda p: Path(__file__).parents[1] / "README.md", ["not a SQLite database"]),
])
def test_studies_fails_in_one_line_naming_the_file(tmp_path, make, words):
    path = make(tmp_path)
    line = _one_line_error(_run("studies", str(path)), path)
    assert all(w in line for w in words)
    debug = _run("studies", str(path), "--debug")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def _write(path, text):
    path.write_text(text)
    return path


def _write_foreign(path):
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (name TEXT)")
    return path


def test_export_fails_in_one_line_for_a_bad_store_study_or_logdir(tmp_path):
    store = _tiny_store(tmp_path / "runs.sqlite")
    _one_line_error(_run("export", "tensorboard", str(tmp_path / "nope.sqlite"), "tiny", "--logdir", "tb"),
                    tmp_path / "nope.sqlite")
    _one_line_error(_run("export", "tensorboard", str(store), "other", "--logdir", str(tmp_path / "tb")),
                    "'other'", "'tiny'")
    _write(tmp_path / "taken", "a file")
    line = _one_line_error(_run("export", "tensorboard", str(store), "tiny", "--logdir", str(tmp_path / "taken")),
                           tmp_path / "taken")
    assert "is a file" in line


def test_a_missing_optional_package_is_one_line_with_the_install_hint(tmp_path):
    store = _tiny_store(tmp_path / "runs.sqlite")
    shadow = tmp_path / "shadow" / "mlflow"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('mlflow is not installed here')\n")
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow.parent), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "nasnb", "export", "mlflow", str(store), "tiny"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    line = _one_line_error(proc, "mlflow")
    assert "pip install 'nasnb[mlflow]'" in line
