"""Every call form of the compatibility layer beyond the scripts: evaluator options, the
configuration, data curators, benchmark evaluators' options and errors, genomes."""

import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _tabular_files import write_nats_dir  # noqa: E402
from _tabular_fixtures import NB201_ARCHS  # noqa: E402

import nasnb.nord as nord  # noqa: E402
from nasnb.benchmarks import NASBench201  # noqa: E402
from nasnb.benchmarks.nb201_format import parse_arch_string  # noqa: E402
from nasnb.builders import build_network  # noqa: E402
from nasnb.exceptions import BenchmarkError, ClusterError, DatasetError, ParameterError  # noqa: E402
from nasnb.nord.configurations import Configs, DistributedConfig, reset_configs  # noqa: E402
from nasnb.nord.data_curators import get_cifar10, get_digits  # noqa: E402
from nasnb.nord.design.metaheuristics.genetics.neat import Genome, Innovation  # noqa: E402
from nasnb.nord.neural_nets import (LocalEvaluator, NASBench_101Evaluator, NATSBench_Evaluator,  # noqa: E402
                                    NeuralDescriptor)
from nasnb.nord.neural_nets.distributed import Environment  # noqa: E402
from nasnb.nord.neural_nets.natsbench_evaluator import descriptor_to_ops  # noqa: E402


def small_descriptor():
    d = NeuralDescriptor()
    d.add_layer_sequential(nn.Conv2d, {"in_channels": 1, "out_channels": 4, "kernel_size": 3})
    d.add_layer_sequential(nn.ReLU, {})
    return d


@pytest.fixture
def evaluator():
    return LocalEvaluator(torch.optim.Adam, {"lr": 0.01}, batch_size=64, device="cpu")


def params_of(net):
    return [p.detach().clone() for p in net.parameters()]


def test_untrained_and_return_net(evaluator):
    d = small_descriptor()
    loss, metrics, total_time, net = evaluator.descriptor_evaluate(d, 1, untrained=True, dataset="digits",
                                                                   return_net=True, seed=5)
    reference = build_network(d.to_nasnb(), (1, 8, 8), 10, seed=5)
    assert all(torch.equal(a, b) for a, b in zip(params_of(net), params_of(reference)))  # never trained
    assert total_time < 0.05 and 0.0 <= metrics["accuracy"] <= 0.3
    loss2, metrics2, time2, trained = evaluator.descriptor_evaluate(d, 2, dataset="digits", return_net=True, seed=5)
    assert not all(torch.equal(a, b) for a, b in zip(params_of(trained), params_of(reference)))
    assert metrics2["accuracy"] > metrics["accuracy"] and loss2 < loss and time2 > 0
    # the returned network is the one that was tested
    x, y = evaluator.nasnb_evaluator.splits("digits").test_tensors
    with torch.no_grad():
        accuracy = (trained.eval()(x).argmax(1) == y).float().mean().item()
    assert accuracy == pytest.approx(metrics2["accuracy"])


def test_positional_form_dataset_reuse_and_net_evaluate(evaluator):
    d = small_descriptor()
    with pytest.raises(ParameterError, match="'dataset'"):
        evaluator.descriptor_evaluate(d, 1)
    first = evaluator.descriptor_evaluate(d, 1, 1.0, False, "digits", seed=3)  # the original's order
    assert evaluator.descriptor_evaluate(d, 1, seed=3)[:2] == first[:2]  # dataset=None: the previous one
    half = evaluator.descriptor_evaluate(d, 1, 0.5, seed=3)
    assert half[:2] != first[:2]
    net = build_network(d.to_nasnb(), (1, 8, 8), 10, seed=0)
    loss, metrics, total_time = evaluator.net_evaluate(net, 1, dataset="digits", seed=0)
    assert math.isfinite(loss) and 0.0 <= metrics["accuracy"] <= 1.0


def test_seed_comes_from_torch_global_generator(evaluator):
    d = small_descriptor()
    torch.manual_seed(11)
    a = evaluator.descriptor_evaluate(d, 1, dataset="digits")
    b = evaluator.descriptor_evaluate(d, 1, dataset="digits")
    torch.manual_seed(11)
    assert evaluator.descriptor_evaluate(d, 1, dataset="digits")[:2] == a[:2]
    assert a[:2] != b[:2]


def test_non_functional_descriptor_scores_zero(evaluator, caplog):
    caplog.set_level("INFO", logger="nasnb.nord")
    d = NeuralDescriptor()
    d.add_layer_sequential(nn.Conv2d, {"out_channels": 4, "kernel_size": 9})  # larger than 8x8 digits
    loss, metrics, total_time = evaluator.descriptor_evaluate(d, 1, dataset="digits")
    assert loss == 0.0 and metrics == {"accuracy": 0.0} and total_time == 0.0  # the original's answer
    assert evaluator.descriptor_evaluate(d, 1, dataset="digits", return_net=True)[3] is None
    assert any("non-functional" in r.getMessage() for r in caplog.records)


def test_configs_views_and_full_registration():
    conf = Configs()
    try:
        assert conf.NUM_CLASSES["cifar10"] == 10 and conf.INPUT_SHAPE["cifar10"] == (32, 32)
        assert conf.CHANNELS["activity_recognition"] == 3 and conf.INPUT_SHAPE["activity_recognition"] == (52,)
        x = np.random.default_rng(0).random((40, 2, 5)).astype(np.float32)

        def load(percentage=1.0):
            ds = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.arange(40) % 3)
            return torch.utils.data.DataLoader(ds), torch.utils.data.DataLoader(ds), 3

        conf.add_dataset("series3", 3, (5,), 2, nn.CrossEntropyLoss, ["accuracy"], None, load, "linear")
        assert Configs().CHANNELS["series3"] == 2 and Configs().DENSE_PART["series3"] == "linear"
        assert isinstance(conf.CRITERION["series3"], nn.CrossEntropyLoss)
        d = NeuralDescriptor()
        d.add_layer_sequential(nn.Conv1d, {"in_channels": 2, "out_channels": 3, "kernel_size": 3})
        loss, metrics, _ = LocalEvaluator("SGD", {"lr": 0.1}).descriptor_evaluate(d, 1, dataset="series3", seed=0)
        assert math.isfinite(loss) and set(metrics) == {"accuracy"}
        with pytest.raises(ParameterError, match="data_load"):
            conf.add_classification_dataset("broken", 2, (4,), 1, data_load=None)
    finally:
        reset_configs()
    assert "series3" not in Configs().NUM_CLASSES


def test_data_curators():
    train, test, classes = get_digits(0.25, train_batch=32)
    assert len(train.dataset) == 360 and len(test.dataset) == 360 and len(classes) == 10
    x, y = next(iter(train))
    assert x.shape == (32, 1, 8, 8) and y.dtype == torch.int64
    again, _, _ = get_digits(0.25, train_batch=32)
    assert torch.equal(train.dataset.tensors[0], again.dataset.tensors[0])  # the same seeded share
    with pytest.raises(DatasetError, match="cifar"):
        get_cifar10(0.1, root=os.devnull)


def test_nasbench_101_options_and_errors(tmp_path):
    with pytest.raises(BenchmarkError, match="never downloads"):
        NASBench_101Evaluator(tmp_path / "absent.tfrecord")


def test_natsbench_options_and_errors(tmp_path):
    root = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    write_nats_dir(root, NB201_ARCHS)
    nb = NASBench201(root)
    ev = NATSBench_Evaluator(tmp_path)  # the original's nested layout <dir>/<name>
    for arch in NB201_ARCHS:  # nasnb's own descriptor form is an ops-on-nodes descriptor too
        ops = parse_arch_string(arch)
        assert descriptor_to_ops(nb.to_descriptor(ops)) == ops
        accuracy, params, latency = ev.descriptor_evaluate(nb.to_descriptor(ops),
                                                           metrics=["test_accuracy", "parameters", "latency"])
        q = nb.query(ops, epochs=200)
        assert (accuracy, params, latency) == (pytest.approx(100 * q["test_accuracy"]), q["parameters"],
                                               q["latency"])
    with pytest.raises(ParameterError, match="validation_loss"):
        ev.descriptor_evaluate(nb.to_descriptor(parse_arch_string(NB201_ARCHS[0])), metrics=["validation_loss"])
    chain = NeuralDescriptor()
    for op in ("input", "nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "output"):
        chain.add_layer_sequential(op, None)
    with pytest.raises(BenchmarkError, match="4 nodes"):
        ev.descriptor_evaluate(chain)
    with pytest.raises(BenchmarkError, match="not found"):
        NATSBench_Evaluator(tmp_path / "nowhere")


def test_distributed_config_and_environment_guards():
    assert DistributedConfig("10.0.0.1", 1234, world_size=4, world_rank=3).world_rank == 3
    with pytest.raises(ParameterError, match="world_rank"):
        DistributedConfig("10.0.0.1", 1234, world_size=2, world_rank=2)
    with pytest.raises(ParameterError, match="port"):
        DistributedConfig("10.0.0.1", 0)
    with pytest.raises(ClusterError, match="rank 1"):
        with Environment(DistributedConfig("127.0.0.1", 29500, world_size=2, world_rank=1)):
            pass  # pragma: no cover - never reached
    with pytest.raises(ClusterError, match="not running"):
        Environment().descriptor_evaluate(small_descriptor(), 1, dataset="digits")
    with pytest.raises(ParameterError, match="DistributedConfig"):
        Environment(("127.0.0.1", 29500))


def test_genome_crossover_and_non_functional_genome():
    np.random.seed(1)
    bounds = [[4, 0.0, 0.0, 1, 0], [8, 0.5, 2.0, 3, 1]]
    i = Innovation()
    a, b = (Genome([int, float, float, int, bool], bounds, 1.0, 0.0, 0.0, i) for _ in range(2))
    a.mutate(); a.mutate(); b.mutate()
    a.connections.fitness, b.connections.fitness = 0.9, 0.1
    child = b.crossover(a)  # the fitter parent's (a's) structure
    assert set(child.nodes.genes) == set(a.nodes.genes) and set(child.connections.genes) == set(a.connections.genes)
    for gene in child.nodes.genes.values():
        p = gene.param_dict
        assert 4 <= p["filters"] <= 8 and 0.0 <= p["dropout"] <= 0.5 and p["kernel"] in (1, 3)
    dead = Genome([int, float, float, int, bool], bounds, 0.0, 0.0, 0.0, i)
    dead.genome = dead.genome.replace(connections=tuple(c.__class__(c.innovation, c.src, c.dst, False)
                                                        for c in dead.genome.connections))
    loss, metrics, _ = LocalEvaluator().descriptor_evaluate(dead.to_descriptor(), 1, dataset="digits")
    assert metrics == {"accuracy": 0.0}


def test_package_exports():
    assert nord.NeuralDescriptor is NeuralDescriptor and nord.Configs is Configs
    assert nord.DistributedConfig is DistributedConfig and nord.Environment is Environment
    assert set(nord.__all__) >= {"neural_nets", "configurations", "data_curators", "design", "utils"}
    from nasnb.nord.neural_nets import BenchmarkEvaluator

    assert BenchmarkEvaluator is NASBench_101Evaluator
