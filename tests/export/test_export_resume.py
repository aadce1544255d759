"""Exports survive repetition and interruption (issue 26, point 5).

An export killed at any point (a real SIGKILL of a subprocess, or an interrupt injected at a
chosen call) and run again leaves exactly one MLflow run per evaluation under one FINISHED
parent, or exactly one TensorBoard session per evaluation and one root event file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from nasnb.export import export_mlflow, export_tensorboard
from nasnb.results import EvaluationResult
from nasnb.store import ExperimentStore

N = 8


@pytest.fixture()
def store_path(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = ExperimentStore(path)
    study = store.create_study("resume-me", {"epochs": 1})
    for seq in range(N):
        result = (EvaluationResult(0.5, {"accuracy": 0.1 * seq}, 1.0, 0.1 * seq) if seq != 3 else
                  EvaluationResult.failed("RuntimeError: boom"))
        study.add_evaluation({"ops": ["conv"] * (seq + 1)}, result, seq=seq, seed=seq,
                             candidate={"ops": ["conv"] * (seq + 1)})
    store.close()
    return path


def _study(path):
    return ExperimentStore(path, read_only=True).load_study("resume-me")


def _kill_at(script: str, tmp_path, env_extra=None):
    """Run ``script`` in a subprocess that SIGKILLs itself where the script says; return its exit code."""
    env = {**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true", **(env_extra or {})}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    return proc


# ------------------------------------------------------------------ MLflow
def _mlflow_runs(uri):
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name("resume-me")
    return client.search_runs([experiment.experiment_id], max_results=1000) if experiment else []


def _check_mlflow(uri, parent_id):
    runs = _mlflow_runs(uri)
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent_id]
    assert [p.info.run_id for p in parents] == [parent_id] and parents[0].info.status == "FINISHED"
    assert len(runs) == N + 1 and sorted(int(r.data.tags["seq"]) for r in children) == list(range(N))
    assert {r.info.status for r in children} == {"FINISHED", "FAILED"}
    from mlflow import MlflowClient

    steps = [m.step for m in MlflowClient(uri).get_metric_history(parent_id, "best_fitness")]
    assert steps == [s for s in range(N) if s != 3]  # the failed evaluation is no point of the curve


def test_mlflow_export_twice_gives_one_run_per_evaluation(store_path, tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    first = export_mlflow(_study(store_path), uri)
    second = export_mlflow(_study(store_path), uri)
    assert first == second
    _check_mlflow(uri, first)


@pytest.mark.parametrize("kill_at", [1, 5, N + 1])  # the first child, a middle one, the parent's termination
def test_mlflow_export_killed_and_run_again(store_path, tmp_path, monkeypatch, kill_at):
    pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    proc = _kill_at(f"""
        import os, signal
        from mlflow import MlflowClient
        from nasnb.export import export_mlflow
        from nasnb.store import ExperimentStore
        calls = [0]
        original = MlflowClient.set_terminated
        def dying(self, *args, **kwargs):
            calls[0] += 1
            if calls[0] == {kill_at}:
                os.kill(os.getpid(), signal.SIGKILL)  # killed right before this run is terminated
            return original(self, *args, **kwargs)
        MlflowClient.set_terminated = dying
        export_mlflow(ExperimentStore({str(store_path)!r}, read_only=True).load_study("resume-me"), {uri!r})
        """, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert any(r.info.status == "RUNNING" for r in _mlflow_runs(uri))  # the kill left a run unfinished
    parent = export_mlflow(_study(store_path), uri)
    _check_mlflow(uri, parent)


def test_mlflow_export_adds_evaluations_recorded_since(store_path, tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    parent = export_mlflow(_study(store_path), uri)
    store = ExperimentStore(store_path)
    store.load_study("resume-me").add_evaluation({"ops": ["pool"]}, EvaluationResult(0.1, {}, 1.0, 0.95),
                                                 seq=N, seed=N, candidate={"ops": ["pool"]})
    store.close()
    assert export_mlflow(_study(store_path), uri) == parent
    runs = _mlflow_runs(uri)
    assert len(runs) == N + 2 and sorted(int(r.data.tags["seq"]) for r in runs if "seq" in r.data.tags) == \
        list(range(N + 1))


def test_mlflow_export_replaces_the_run_of_an_evaluation_recorded_again(store_path, tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    export_mlflow(_study(store_path), uri)
    store = ExperimentStore(store_path)
    study = store.load_study("resume-me")
    [failed] = study.evaluations(status="failed")
    study.add_evaluation({"ops": ["conv"] * (failed.seq + 1)}, EvaluationResult(0.2, {}, 1.0, 0.8),
                         seq=failed.seq, seed=failed.seed, candidate={"ops": ["conv"] * (failed.seq + 1)},
                         overwrite=True)  # a failed evaluation run again (retry_failed)
    store.close()
    export_mlflow(_study(store_path), uri)
    runs = [r for r in _mlflow_runs(uri) if r.data.tags.get("seq") == str(failed.seq)]
    assert len(runs) == 1 and runs[0].info.status == "FINISHED" and runs[0].data.metrics["fitness"] == 0.8


def test_a_long_study_name_is_shortened_for_mlflow_and_kept_whole_as_tags(tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    from mlflow import MlflowClient

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    name = "long-" + "n" * 9990 + "-end"
    study = ExperimentStore(tmp_path / "s.sqlite").create_study(name, {})
    study.add_evaluation({"ops": ["a"]}, EvaluationResult(0.1, {}, 1.0, 0.5), seq=0, seed=0)
    uri = (tmp_path / "mlruns").as_uri()
    parent = MlflowClient(uri).get_run(export_mlflow(study, uri))
    experiment = MlflowClient(uri).get_experiment(parent.info.experiment_id)
    assert len(experiment.name) <= 500 and experiment.name.startswith("long-nnn")
    assert len(parent.info.run_name) <= 500
    tags = parent.data.tags
    assert tags["nasnb.study"] + tags["nasnb.study.1"] == name


# ------------------------------------------------------------------ TensorBoard
def _check_tensorboard(logdir):
    entries = sorted(p.name for p in logdir.iterdir())
    root_events = [e for e in entries if e.startswith("events.out.tfevents")]
    sessions = [e for e in entries if e.startswith("seq-")]
    assert len(root_events) == 1 and sessions == [f"seq-{s:05d}" for s in range(N)]
    for s in sessions:
        assert len(list((logdir / s).iterdir())) == 1  # one event file: one session record
    assert [p.name for p in logdir.parent.iterdir() if ".nasnb-" in p.name] == []  # no scratch left


def test_tensorboard_export_twice_replaces_the_first(store_path, tmp_path):
    pytest.importorskip("tensorboard")
    logdir = tmp_path / "tb"
    export_tensorboard(_study(store_path), logdir)
    export_tensorboard(_study(store_path), logdir)
    _check_tensorboard(logdir)


@pytest.mark.parametrize("where", ["sessions", "swap"])
def test_tensorboard_export_killed_and_run_again(store_path, tmp_path, where):
    pytest.importorskip("tensorboard")
    logdir = tmp_path / "tb"
    export_tensorboard(_study(store_path), logdir)  # an earlier export, then one killed half-way
    hook = ("""
        import nasnb.export as ex
        calls = [0]
        original = ex._hparams_summary
        def dying(data):
            calls[0] += 1
            if calls[0] == 6:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(data)
        ex._hparams_summary = dying
        """ if where == "sessions" else """
        import nasnb.export as ex
        calls = [0]
        original = os.replace
        def dying(a, b):
            calls[0] += 1
            if calls[0] == 2:  # the earlier export moved away, the new one not yet in place
                os.kill(os.getpid(), signal.SIGKILL)
            return original(a, b)
        os.replace = dying
        """)
    proc = _kill_at(f"""
        import os, signal
        {textwrap.indent(textwrap.dedent(hook), '        ').strip()}
        from nasnb.export import export_tensorboard
        from nasnb.store import ExperimentStore
        export_tensorboard(ExperimentStore({str(store_path)!r}, read_only=True).load_study("resume-me"),
                           {str(logdir)!r})
        """, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert [p.name for p in tmp_path.iterdir() if ".nasnb-" in p.name]  # the kill left scratch behind
    export_tensorboard(_study(store_path), logdir)
    _check_tensorboard(logdir)


def test_tensorboard_export_refuses_a_logdir_it_would_clobber(store_path, tmp_path):
    pytest.importorskip("tensorboard")
    from nasnb.exceptions import ParameterError

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.tex").write_text("precious")
    with pytest.raises(ParameterError, match="thesis.tex"):
        export_tensorboard(_study(store_path), tmp_path / "notes")
    assert (tmp_path / "notes" / "thesis.tex").read_text() == "precious"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError, match="is a file"):
        export_tensorboard(_study(store_path), tmp_path / "file")
