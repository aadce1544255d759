"""A study exported to MLflow and to TensorBoard's HParams, read back with the trackers' own readers.

Two studies: a real regularized-evolution search on NAS-Bench-Graph (benchmark cells as
candidates, engine and timing columns filled by the run loop) and hand-recorded DeepNEAT
genomes with a failed and a queued evaluation.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

import nasnb
from nasnb.benchmarks import NASBenchGraph
from nasnb.exceptions import OptionalDependencyError
from nasnb.export import evaluation_params, export_mlflow, export_tensorboard
from nasnb.results import EvaluationResult
from nasnb.store import ExperimentStore
from nasnb.strategies import RegularizedEvolution


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    store = ExperimentStore(tmp_path_factory.mktemp("store") / "runs.sqlite")
    bench = NASBenchGraph("cora")
    search = RegularizedEvolution(bench, 6, 3, seed=0)
    study = store.create_study("re-cora", {"search": search.config(), "benchmark": "cora"})
    search.run(bench, 10, study=study)

    space = nasnb.layer_choice_space(channels=8)
    rng = np.random.default_rng(1)
    genomes = [space.sample(rng) for _ in range(4)]
    gstudy = store.create_study("genomes", {"space": "layer_choice"})
    settings = {"evaluator": {"optimizer": "Adam", "lr": 0.01}, "evaluate": {"epochs": 2, "dataset": "digits"}}
    results = [EvaluationResult(0.4, {"accuracy": 0.9}, 1.5, 0.9),
               EvaluationResult(0.6, {"accuracy": 0.7}, 1.2, 0.7),
               EvaluationResult(float("nan"), {}, 0.1, 0.0, "failed", "RuntimeError: out of memory"),
               None]  # still queued: not exported
    for seq, (genome, result) in enumerate(zip(genomes, results)):
        gstudy.add_evaluation(space.to_descriptor(genome) if space.invalid_reason(genome) is None else {"seq": seq},
                              result, seq=seq, seed=seq, settings=settings, candidate=genome.to_dict(),
                              engine={"engine_id": "3", "host": "node7", "mpi_rank": 3, "device": "cpu"})
    return study, gstudy


def _best_so_far(values):
    return np.maximum.accumulate(values).tolist()


def test_mlflow_one_nested_run_per_evaluation_with_params_metrics_and_tags(studies, tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 asks for an opt-in to the file store
    study, gstudy = studies
    uri = (tmp_path / "mlruns").as_uri()
    parent_id = export_mlflow(study, tracking_uri=uri, experiment="nasnb-export")
    export_mlflow(gstudy, tracking_uri=uri, experiment="nasnb-export")
    mlflow.set_tracking_uri(uri)
    runs = mlflow.search_runs(experiment_names=["nasnb-export"])
    mine = runs[runs["tags.nasnb.study"] == "re-cora"]
    children = mine[mine["tags.mlflow.parentRunId"] == parent_id].sort_values("tags.seq", key=lambda s: s.astype(int))
    parents = mine[mine["run_id"] == parent_id]
    assert len(parents) == 1 and len(children) == 10

    frame = study.to_dataframe()
    assert children["tags.seq"].astype(int).tolist() == frame["seq"].tolist()
    np.testing.assert_allclose(children["metrics.fitness"], frame["fitness"])
    np.testing.assert_allclose(children["metrics.metrics.test_score"], frame["metrics.test_score"])
    assert (children["status"] == "FINISHED").all() and (children["tags.status"] == "done").all()
    for (_, run), (_, row) in zip(children.iterrows(), frame.iterrows()):
        cand = json.loads(row["candidate_json"])
        assert [run[f"params.candidate.ops.{i}"] for i in range(4)] == cand["ops"]
        assert [int(run[f"params.candidate.links.{i}"]) for i in range(4)] == cand["links"]
        assert run["params.evaluator.evaluator"] == "NASBenchGraph"
        assert run["tags.parent"] == str(row["parent"])
    assert parents.iloc[0]["params.study.benchmark"] == "cora"
    assert parents.iloc[0]["tags.mlflow.runName"] == "re-cora"
    history = mlflow.MlflowClient(uri).get_metric_history(parent_id, "best_fitness")
    assert [m.step for m in history] == frame["seq"].tolist()
    assert [m.value for m in history] == pytest.approx(_best_so_far(frame["fitness"]))

    genome_runs = runs[runs["tags.nasnb.study"] == "genomes"]
    children = genome_runs[genome_runs["tags.mlflow.parentRunId"].notna()].set_index("tags.seq")
    assert sorted(children.index) == ["0", "1", "2"]  # the queued evaluation is not a run
    assert children.loc["2", "status"] == "FAILED" and children.loc["2", "tags.status"] == "failed"
    assert children.loc["2", "tags.error"] == "RuntimeError: out of memory"
    assert children.loc["0", "metrics.metrics.accuracy"] == pytest.approx(0.9)
    assert children.loc["1", "params.evaluate.epochs"] == "2" and children.loc["1", "params.evaluator.optimizer"] == "Adam"
    assert children.loc["1", "tags.engine_host"] == "node7" and children.loc["1", "tags.engine_rank"] == "3"
    genome = json.loads(gstudy.evaluations()[0].candidate_json)
    for gene in genome["layers"]:
        assert children.loc["0", f"params.candidate.layer.{gene['innovation']}"] == gene["type"]
    assert children.loc["0", "params.seed"] == "0"


def _accumulator(path):
    from tensorboard.backend.event_processing import event_accumulator

    acc = event_accumulator.EventAccumulator(str(path), size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    return acc


def _plugin_data(acc, tag):
    from tensorboard.plugins.hparams import plugin_data_pb2

    return plugin_data_pb2.HParamsPluginData.FromString(acc.PluginTagToContent("hparams")[tag])


def test_tensorboard_hparams_sessions_read_back_with_the_event_accumulator(studies, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.plugins.hparams import api_pb2, metadata

    study, gstudy = studies
    logdir = export_tensorboard(study, tmp_path / "tb")
    frame = study.to_dataframe()
    assert sorted(p.name for p in logdir.iterdir() if p.is_dir()) == [f"seq-{s:05d}" for s in frame["seq"]]

    root = _accumulator(logdir)
    experiment = _plugin_data(root, metadata.EXPERIMENT_TAG).experiment
    infos = {i.name: i for i in experiment.hparam_infos}
    assert {f"candidate.ops.{i}" for i in range(4)} <= set(infos)
    ops0 = {v.string_value for v in infos["candidate.ops.0"].domain_discrete.values}
    assert ops0 == {json.loads(c)["ops"][0] for c in frame["candidate_json"]}
    assert infos["candidate.links.0"].type == api_pb2.DATA_TYPE_FLOAT64
    assert {m.name.tag for m in experiment.metric_infos} >= {"fitness", "metrics.test_score", "metrics.latency"}
    best = [e.value for e in root.Scalars("search/best_fitness")]
    assert best == pytest.approx(_best_so_far(frame["fitness"]), rel=1e-6)

    for _, row in frame.iterrows():
        acc = _accumulator(logdir / f"seq-{row['seq']:05d}")
        hparams = _plugin_data(acc, metadata.SESSION_START_INFO_TAG).session_start_info.hparams
        cand = json.loads(row["candidate_json"])
        assert [hparams[f"candidate.ops.{i}"].string_value for i in range(4)] == cand["ops"]
        assert [hparams[f"candidate.links.{i}"].number_value for i in range(4)] == cand["links"]
        assert _plugin_data(acc, metadata.SESSION_END_INFO_TAG).session_end_info.status == api_pb2.STATUS_SUCCESS
        (fitness,) = acc.Scalars("fitness")
        assert fitness.step == row["seq"] and fitness.value == pytest.approx(row["fitness"], rel=1e-6)
        assert acc.Scalars("metrics.test_score")[0].value == pytest.approx(row["metrics.test_score"], rel=1e-6)

    glog = export_tensorboard(gstudy, tmp_path / "tb-genomes")
    assert sorted(p.name for p in glog.iterdir() if p.is_dir()) == ["seq-00000", "seq-00001", "seq-00002"]
    failed = _accumulator(glog / "seq-00002")
    assert _plugin_data(failed, metadata.SESSION_END_INFO_TAG).session_end_info.status == api_pb2.STATUS_FAILURE
    ok = _accumulator(glog / "seq-00000")
    hparams = _plugin_data(ok, metadata.SESSION_START_INFO_TAG).session_start_info.hparams
    expected = evaluation_params({"candidate_json": gstudy.evaluations()[0].candidate_json})
    for name, value in expected.items():   # a gene only some genomes have is written as a string
        if hparams[name].WhichOneof("kind") == "string_value":
            assert hparams[name].string_value == str(value)
        else:
            assert hparams[name].number_value == value
    assert hparams["evaluate.dataset"].string_value == "digits" and hparams["seed"].number_value == 0
    assert ok.Scalars("metrics.accuracy")[0].value == pytest.approx(0.9)

    # every session carries every hyper-parameter, so TensorBoard's parallel coordinates show them all
    names = {i.name for i in _plugin_data(_accumulator(glog), metadata.EXPERIMENT_TAG).experiment.hparam_infos}
    sessions = [set(_plugin_data(_accumulator(glog / f"seq-{s:05d}"), metadata.SESSION_START_INFO_TAG)
                    .session_start_info.hparams) for s in range(3)]
    assert any(len(evaluation_params({"candidate_json": e.candidate_json})) < len(names)
               for e in gstudy.evaluations()[:3])   # the genomes differ in their genes
    assert all(s == names for s in sessions)


@pytest.mark.parametrize("module, call", [("mlflow", lambda s, p: export_mlflow(s, p.as_uri())),
                                          ("tensorboard", lambda s, p: export_tensorboard(s, p))])
def test_a_missing_tracker_names_the_extra_to_install(studies, tmp_path, monkeypatch, module, call):
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    with pytest.raises(OptionalDependencyError, match=rf"pip install 'nasnb\[{module}\]'"):
        call(studies[0], tmp_path / "out")
    assert not (tmp_path / "out").exists()
