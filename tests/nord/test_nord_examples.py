"""The original repository's example scripts, rewritten in their style (descriptor, local
evaluator, custom dataset, benchmark evaluators, reproducible GA) and run with only their
import lines changed. Small settings: digits / MNIST-1D, 1-2 epochs, tiny networks."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _nord_scripts import restore_determinism, run_original  # noqa: E402
from _tabular_files import nb101_record, write_nats_dir, write_tfrecord  # noqa: E402
from _tabular_fixtures import NB201_ARCHS, nb101_hash  # noqa: E402

from nasnb.nord.configurations.all import reset_configs  # noqa: E402


@pytest.fixture
def clean_globals():
    """Scripts change process-wide state as the original did: undo it afterwards."""
    yield
    restore_determinism()
    reset_configs()


DESCRIPTOR_EXAMPLE = """
import torch.nn as nn
from nord.neural_nets import NeuralDescriptor, NeuralNet

first = {'in_channels': 3, 'out_channels': 6, 'kernel_size': 3}
second = {'in_channels': 6, 'out_channels': 12, 'kernel_size': 3}

# sequential: every layer reads the previous one
d = NeuralDescriptor()
d.add_layer_sequential(nn.Conv2d, first)
d.add_layer_sequential(nn.Conv2d, second)
d.add_layer_sequential(nn.MaxPool2d, {'kernel_size': 2, 'stride': 2})
net = NeuralNet(net_descriptor=d, num_classes=10, input_shape=(16, 16), input_channels=3)
print(net)
figure = net.plot()

# branched: named layers and explicit connections; 'wide' and 'narrow' meet in 'join'
b = NeuralDescriptor()
b.add_layer(nn.Conv2d, first, 'stem')
b.add_layer(nn.Conv2d, second, 'wide')
b.add_layer(nn.Conv2d, {'in_channels': 6, 'out_channels': 4, 'kernel_size': 1}, 'narrow')
b.add_layer(nn.MaxPool2d, {'kernel_size': 2, 'stride': 2}, 'join')
b.connect_layers('stem', 'wide')
b.connect_layers('stem', 'narrow')
b.connect_layers('wide', 'join')
b.connect_layers('narrow', 'join')
branched = NeuralNet(net_descriptor=b, num_classes=10, input_shape=(16, 16), input_channels=3)
branched_figure = branched.plot(title='branched')
"""


def test_descriptor_example(capsys):
    import matplotlib.pyplot as plt
    import torch

    ns = run_original(DESCRIPTOR_EXAMPLE, "descriptor_example")
    assert ns["net"].network.shapes["2_Layer"] == (12, 6, 6)
    assert "1_Layer" in capsys.readouterr().out  # print(net) shows the layer table
    join = {s.source: s.operations for s in ns["branched"].network.merges["join"]}
    assert join == {"wide": (), "narrow": ("interpolate", "conv1x1")}  # MVS: 12x12 wide, 14x14 narrow
    assert ns["branched"](torch.zeros(3, 3, 16, 16)).shape == (3, 10)
    for fig in (ns["figure"], ns["branched_figure"]):
        assert fig.axes and fig.axes[0].texts  # a drawn, labelled architecture
    assert ns["branched_figure"]._suptitle.get_text() == "branched"
    plt.close("all")


LOCAL_EVALUATOR_1D_EXAMPLE = """
import torch.nn as nn
import torch.optim as opt
from nord.neural_nets import LocalEvaluator, NeuralDescriptor
from nord.utils import assure_reproducibility
from nord.configurations.all import Configs

assure_reproducibility()
evaluator = LocalEvaluator(optimizer_class=opt.Adam, optimizer_params={'lr': 0.01}, verbose=False)
dataset = 'mnist1d'          # series: 1-D convolutions and pooling
conf = Configs()
conv, pool = nn.Conv1d, nn.MaxPool1d
d = NeuralDescriptor()
d.add_layer(conv, {'in_channels': conf.CHANNELS[dataset], 'out_channels': 8, 'kernel_size': 5})
d.add_layer_sequential(conv, {'in_channels': 8, 'out_channels': 8, 'kernel_size': 3})
d.add_layer_sequential(pool, {'kernel_size': 2, 'stride': 2})
loss, metrics, total_time = evaluator.descriptor_evaluate(descriptor=d, epochs=1, dataset=dataset,
                                                          data_percentage=0.5)
report = ['%s: %.2f' % (key, value) for key, value in metrics.items()]
"""


def test_local_evaluator_example_on_series(clean_globals):
    ns = run_original(LOCAL_EVALUATOR_1D_EXAMPLE, "local_evaluator_example")
    assert ns["conf"].CHANNELS["mnist1d"] == 1 and ns["conf"].INPUT_SHAPE["mnist1d"] == (40,)
    assert ns["metrics"]["accuracy"] > 0.15 and ns["total_time"] > 0  # 10 classes: chance is 0.1
    assert ns["report"][0].startswith("accuracy: 0.")
    splits = ns["evaluator"].nasnb_evaluator.splits("mnist1d", 0.5)
    assert len(splits.train_tensors[0]) == 2000  # half of the 4,000 training series


CUSTOM_DATASET_EXAMPLE = """
import torch
from sklearn.datasets import load_digits
from nord.configurations.all import Configs
from nord.neural_nets import LocalEvaluator, NeuralDescriptor


def get_small_digits(percentage: float = 1):
    data = load_digits()
    x = torch.tensor(data.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(data.target)
    trainset = torch.utils.data.TensorDataset(x[:1500], y[:1500])
    testset = torch.utils.data.TensorDataset(x[1500:], y[1500:])
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
    testloader = torch.utils.data.DataLoader(testset, batch_size=64, shuffle=False)
    classes = tuple(str(i) for i in range(10))
    return trainloader, testloader, classes


conf = Configs()
before = conf.print_datasets()
conf.add_classification_dataset(name='DIGITS8', num_classes=10, input_shape=(8, 8), channels=1,
                                data_load=get_small_digits)
after = conf.print_datasets()

d = NeuralDescriptor()
d.add_layer_sequential(torch.nn.Conv2d, {'in_channels': 1, 'out_channels': 6, 'kernel_size': 3})
d.add_layer_sequential(torch.nn.MaxPool2d, {'kernel_size': 2, 'stride': 2})
evaluator = LocalEvaluator(torch.optim.Adam, {'lr': 0.01}, verbose=True)
result = evaluator.descriptor_evaluate(d, epochs=2, dataset='DIGITS8')
"""


def test_custom_dataset_example(clean_globals):
    ns = run_original(CUSTOM_DATASET_EXAMPLE, "custom_dataset_example")
    assert "DIGITS8" not in ns["before"] and "DIGITS8" in ns["after"]
    loss, metrics, total_time = ns["result"]
    assert metrics["accuracy"] > 0.25 and total_time > 0
    splits = ns["evaluator"].nasnb_evaluator.splits("DIGITS8")
    assert len(splits.test.dataset) == 297  # the loader's own test set (1797 - 1500)
    reset_configs()
    assert "DIGITS8" not in ns["Configs"]().print_datasets()


NASBENCH_EXAMPLE = """
from nord.neural_nets import BenchmarkEvaluator, NASBench_101Evaluator, NeuralDescriptor

evaluator = NASBench_101Evaluator()
layers = evaluator.get_available_ops()

d = NeuralDescriptor()
d.add_layer('input', None, 'in')
d.add_layer_sequential(layers[0], None, 'layer_1')
d.add_layer_sequential(layers[2], None, 'layer_2')
d.add_layer_sequential('output', None, 'out')
d.connect_layers('layer_1', 'out')

val_acc, train_time = evaluator.descriptor_evaluate(d, acc='validation_accuracy')
test_acc, train_time = evaluator.descriptor_evaluate(d, acc='test_accuracy')

missing = NeuralDescriptor()
missing.add_layer('input', None, 'in')
missing.add_layer_sequential(layers[1], None, 'conv')
missing.add_layer_sequential('output', None, 'out')
not_recorded = BenchmarkEvaluator().descriptor_evaluate(missing)
"""
# the example's cell: input -> conv1x1 -> maxpool -> output, plus conv1x1 -> output
EXAMPLE_CELL = ([[0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
                ["input", "conv1x1-bn-relu", "maxpool3x3", "output"])


def test_nasbench_evaluator_example(tmp_path, monkeypatch):
    matrix, ops = EXAMPLE_CELL
    final = (1234.5, 0.99, 0.9125, 0.9062)  # training time, train, validation, test accuracy
    (tmp_path / "data").mkdir()
    write_tfrecord(tmp_path / "data" / "nasbench_only108.tfrecord",
                   [nb101_record(nb101_hash(matrix, ops), 108, matrix, ops, final) for _ in range(3)])
    monkeypatch.chdir(tmp_path)  # the original's default location: ./data/nasbench_only108.tfrecord
    ns = run_original(NASBENCH_EXAMPLE, "nasbench_evaluator_example")
    assert ns["layers"] == ["conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3"]  # the original's order
    assert ns["val_acc"] == pytest.approx(0.9125) and ns["test_acc"] == pytest.approx(0.9062)
    assert ns["train_time"] == pytest.approx(1234.5)
    assert ns["not_recorded"] == (0, 0)


NATSBENCH_EXAMPLE = """
from nord.neural_nets import NATSBench_Evaluator, NeuralDescriptor

evaluator = NATSBench_Evaluator()

# |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
d = NeuralDescriptor()
d.add_layer('input', None, 'in')
for name, op in [('a01', 'nor_conv_3x3'), ('a02', 'nor_conv_3x3'), ('a03', 'skip_connect')]:
    d.add_layer(op, None, name)
    d.connect_layers('in', name)
for name, op in [('a12', 'avg_pool_3x3'), ('a13', 'nor_conv_3x3')]:
    d.add_layer(op, None, name)
    d.connect_layers('a01', name)
d.add_layer('skip_connect', None, 'a23')
d.connect_layers('a02', 'a23')
d.connect_layers('a12', 'a23')
d.add_layer('output', None, 'out')
for name in ('a03', 'a13', 'a23'):
    d.connect_layers(name, 'out')

val_acc, test_acc, time_cost = evaluator.descriptor_evaluate(
    d, metrics=['validation_accuracy', 'test_accuracy', 'time_cost'])
default = evaluator.descriptor_evaluate(d)
"""


def test_natsbench_evaluator_example(tmp_path, monkeypatch):
    write_nats_dir(tmp_path / "data" / "NATS-tss-v1_0-3ffb9-simple", NB201_ARCHS)
    monkeypatch.chdir(tmp_path)
    ns = run_original(NATSBENCH_EXAMPLE, "natsbench_example")
    # written by nats_arch_state for arch 0: run k has test 80 + k and validation 81 + k (percent),
    # 200 epochs of 2 s training each
    assert ns["val_acc"] - ns["test_acc"] == pytest.approx(1.0) and ns["test_acc"] in (80.0, 81.0, 82.0)
    assert ns["time_cost"] == pytest.approx(400.0)
    assert ns["default"] == [ns["val_acc"], ns["time_cost"]]


GA_EXAMPLE = """
import numpy as np
import torch.optim

from nord.design.metaheuristics.genetics.neat import Genome, Innovation
from nord.neural_nets import LocalEvaluator
from nord.utils import assure_reproducibility

assure_reproducibility()

add_node_rate, add_connection_rate, mutation_rate = 1.0, 0.0, 0.5
generations, population_sz, tournament_sz = 2, 2, 1
EPOCHS = 1
dataset = 'digits'


def write_to_file(msg):
    with open(output_file, 'a') as f:
        f.write(msg + '\\n')


write_to_file('Generation_No, Individual_No, Fitness, Genome')
layer_bound_types = [int, float, float, int, bool]      # filters, dropout, scaling, kernel, max pool
layer_bounds = [[4, 0.0, 0, 1, 0], [8, 0.5, 2.0, 3, 1]]

evaluator = LocalEvaluator(torch.optim.Adam, {'lr': 0.01}, False)
cache = dict()
i = Innovation()
i.new_generation()
population = []
for _ in range(population_sz):
    g = Genome(layer_bound_types, layer_bounds, add_node_rate, add_connection_rate, mutation_rate, i)
    g.mutate()
    population.append(g)

for r in range(generations):
    i.new_generation()
    for j, g in enumerate(population):
        if g not in cache:
            d = g.to_descriptor(dimensions=2)
            loss, fitness, total_time = evaluator.descriptor_evaluate(d, EPOCHS, data_percentage=1, dataset=dataset)
            if type(fitness) is dict:
                fitness = fitness['accuracy']
            cache[g] = fitness
        else:
            fitness = cache[g]
        g.connections.fitness = fitness
        g.nodes.fitness = fitness
        write_to_file(str((r, j, np.round(fitness, 3), g)))

    new_population = []
    for _ in range(population_sz):
        pool_1 = np.random.choice(population, size=tournament_sz, replace=False)
        pool_2 = np.random.choice(population, size=tournament_sz, replace=False)
        parent_1 = pool_1[np.argmax([f.nodes.fitness for f in pool_1])]
        parent_2 = pool_2[np.argmax([f.nodes.fitness for f in pool_2])]
        offspring = parent_1.crossover(parent_2)
        offspring.mutate()
        new_population.append(offspring)
    population = new_population
"""


def test_reproducible_genetic_algorithm_example(tmp_path, clean_globals):
    runs = []
    for k in range(2):
        out = tmp_path / f"genetic_{k}.out"
        ns = run_original(GA_EXAMPLE, "reproducible_ga", output_file=str(out))
        runs.append(out.read_text().splitlines())
    assert runs[0] == runs[1]  # the same script gives the same genomes and fitnesses
    rows = runs[0][1:]
    assert len(rows) == 4 and [row[:7] for row in rows] == ["(0, 0, ", "(0, 1, ", "(1, 0, ", "(1, 1, "]
    fitness = [float(row.split(", ")[2].removeprefix("np.float64(").rstrip(")")) for row in rows]
    assert all(0.0 <= f <= 1.0 for f in fitness) and max(fitness) > 0.1
    # every genome of the last population grew (add_node_rate = 1): at least 2 layer genes
    assert all(len(g.nodes.genes) >= 2 for g in ns["population"])
    assert len(ns["cache"]) >= 2 and all(isinstance(v, float) for v in ns["cache"].values())
    assert np.isfinite(fitness).all()


# The repository's local-evaluator example as it is: activity recognition, 1-D layers sized from
# Configs().CHANNELS, the original's printing. The original shipped the UCI participant files in
# its package; here the test writes small files in the same format under NASNB_DATA_ROOT.
ACTIVITY_EXAMPLE = """
import torch.nn as nn
import torch.optim as opt
from nord.neural_nets import LocalEvaluator, NeuralDescriptor
from nord.utils import assure_reproducibility
from nord.configurations.all import Configs

assure_reproducibility()
evaluator = LocalEvaluator(optimizer_class=opt.Adam, optimizer_params={}, verbose=True)
dataset = 'activity_recognition'
d = NeuralDescriptor()
conf = Configs()
conv = nn.Conv1d
conv_params = {'in_channels': conf.CHANNELS[dataset], 'out_channels': 5, 'kernel_size': 3}
conv_2_params = {'in_channels': 5, 'out_channels': 10, 'kernel_size': 3}
pool = nn.MaxPool1d
pool_params = {'kernel_size': 2, 'stride': 2}
d.add_layer(conv, conv_params)
d.add_layer_sequential(conv, conv_2_params)
d.add_layer_sequential(pool, pool_params)
loss, metrics, total_time = evaluator.descriptor_evaluate(descriptor=d, epochs=2, dataset=dataset)
print('Train time: %.2f' % total_time)
print('Test metrics: ', [(key + ': %.2f' % value) for key, value in metrics.items()])
print('Test loss: %.2f' % loss)
"""


def write_activity_files(directory, participants=5, rows=52 * 84):
    directory.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for p in range(1, participants + 1):
        labels = np.repeat(np.arange(1, 8), rows // 7 + 1)[:rows]
        xyz = 2000 + 40 * labels[:, None] * np.array([1, -1, 2]) + rng.integers(-20, 20, (rows, 3))
        lines = [f"{i},{x},{y},{z},{lab}" for i, ((x, y, z), lab) in enumerate(zip(xyz, labels))]
        (directory / f"{p}.csv").write_text("\n".join(lines) + "\n")


def test_activity_recognition_example_as_in_the_repository(tmp_path, monkeypatch, clean_globals, capsys):
    write_activity_files(tmp_path / "activity_recognition")
    monkeypatch.setenv("NASNB_DATA_ROOT", str(tmp_path))
    reset_configs()
    ns = run_original(ACTIVITY_EXAMPLE, "local_evaluator_example_activity")
    assert ns["conf"].CHANNELS["activity_recognition"] == 3  # x, y, z (Table 3.1 prints 1)
    out = capsys.readouterr().out.splitlines()
    assert out[-3] == "Train time: %.2f" % ns["total_time"]
    assert out[-2] == "Test metrics:  ['accuracy: %.2f']" % ns["metrics"]["accuracy"]
    assert out[-1] == "Test loss: %.2f" % ns["loss"]
    assert any(line.startswith("Metrics of the network on the test images:") for line in out)
    assert ns["metrics"]["accuracy"] > 0.3  # 7 classes: chance is about 0.14
