"""The original repository's public names, each with the behaviour the thesis' code relies on."""

import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _tabular_files import nb101_record, write_tfrecord  # noqa: E402
from _tabular_fixtures import nb101_hash  # noqa: E402

from nasnb.exceptions import DescriptorError, ParameterError, SerializationError, UnknownLayerError  # noqa: E402
from nasnb.nord.design.metaheuristics.genetics import neat  # noqa: E402
from nasnb.nord.design.metaheuristics.genetics.neat import (Chromosome, ConnectionGene, Genome,  # noqa: E402
                                                            Innovation, LayerGene, SpeciesPopulations)
from nasnb.nord.neural_nets import (DistributedEvaluator, LocalBatchEvaluator, LocalEvaluator,  # noqa: E402
                                    NASBench_101Evaluator, NeuralDescriptor, NeuralNet, layers)
from nasnb.nord.neural_nets.distributed import Environment  # noqa: E402

BOUNDS = [[4, 0.0, 0, 1, 0], [8, 0.5, 2.0, 3, 1]]
TYPES = [int, float, float, int, bool]


# ------------------------------------------------------------------ NeuralDescriptor
def test_descriptor_structures_names_and_duplicates():
    d = NeuralDescriptor()
    assert (d.layers, d.connections, d.incoming_connections, d.current_layer, d.first_layer, d.last_layer) == \
        ({}, {}, {}, 0, "", "")
    a = d.add_layer_sequential(nn.Conv2d, {"out_channels": 4, "kernel_size": 3})
    b = d.add_layer_sequential(nn.ReLU, None)
    c = d.add_layer(nn.MaxPool2d, {"kernel_size": 2}, "pool")
    assert (a, b, c) == ("0_Layer", "1_Layer", "pool") and d.current_layer == 3
    assert d.layers[a][0] is nn.Conv2d and d.layers[b] == [nn.ReLU, None]
    d.connect_layers(b, "pool")
    d.connect_layers(b, "pool")  # a repeated connection is kept, as in the original
    assert d.connections[b] == ["pool", "pool"] and d.incoming_connections["pool"] == [b, b]
    assert d.to_networkx().number_of_edges() == 3  # a MultiDiGraph, like the original's
    assert d.to_nasnb().connections == [(a, b), (b, "pool")]  # nasnb reads each connection once
    d.disconnect_layers(b, "pool")
    assert d.connections[b] == [] and d.incoming_connections["pool"] == []
    with pytest.raises(DescriptorError, match="Duplicate layer name 'pool'"):
        d.add_layer(nn.ReLU, {}, "pool")
    with pytest.raises(DescriptorError, match="'nowhere' is not a layer"):
        d.connect_layers(a, "nowhere")


def test_descriptor_suffix_and_repr_round_trip():
    d = NeuralDescriptor()
    d.add_layer_sequential(nn.Conv2d, {"in_channels": 1, "out_channels": 4, "kernel_size": 3}, "conv")
    d.add_layer_sequential("deepneat_conv", {"filters": 4, "kernel": 3}, "block")
    d.add_layer_sequential(nn.MaxPool2d, {"kernel_size": 2})
    d.add_suffix("_a")
    assert list(d.layers) == ["conv_a", "block_a", "2_Layer_a"]
    assert d.connections == {"conv_a": ["block_a"], "block_a": ["2_Layer_a"], "2_Layer_a": []}
    assert d.incoming_connections["2_Layer_a"] == ["block_a"] and (d.first_layer, d.last_layer) == \
        ("conv_a", "2_Layer_a")
    text = repr(d)
    assert "<class 'torch.nn.modules.conv.Conv2d'>" in text  # the original's text form
    back = NeuralDescriptor.__from_repr__(text)
    assert back.layers == d.layers and back.connections == d.connections and back.last_layer == "2_Layer_a"


def test_from_repr_never_evaluates(tmp_path):
    marker = tmp_path / "ran"
    payload = str({"Layers": "{'x': [__import__('os').system('touch %s'), {}]}" % marker,
                   "Connections": "{}", "First_Layer": "x", "Last_Layer": "x"})
    with pytest.raises(DescriptorError, match="Not the text of a NORD descriptor"):
        NeuralDescriptor.__from_repr__(payload)
    hostile = str({"Layers": "{'x': [<class 'os.system'>, {}]}", "Connections": "{}", "First_Layer": "x",
                   "Last_Layer": "x"})
    with pytest.raises(DescriptorError, match="Unknown layer class 'os.system'"):
        NeuralDescriptor.__from_repr__(hostile)
    assert not marker.exists()


def test_neural_net_argument_errors_are_named():
    d = NeuralDescriptor()
    d.add_layer_sequential(nn.Conv2d, {"in_channels": 3, "out_channels": 4, "kernel_size": 3})
    with pytest.raises(ParameterError, match="'input_shape' parameter of NeuralNet.*Got 32"):
        NeuralNet(d, num_classes=10, input_shape=32, input_channels=3)
    with pytest.raises(ParameterError, match="'input_channels'"):
        NeuralNet(d, 10, (32, 32), "3")


# ------------------------------------------------------------------ evaluators
def test_local_evaluator_steps_as_the_original(capsys):
    d = NeuralDescriptor()
    d.add_layer_sequential(nn.Conv2d, {"in_channels": 1, "out_channels": 4, "kernel_size": 3})
    ev = LocalEvaluator(torch.optim.Adam, {"lr": 0.01}, True, device="cpu")
    ev.load_data(1.0, "digits")
    assert ev.data_loaded and ev.set_device() == "cpu" and len(ev.testloader) > 0
    net = ev.descriptor_to_net(d, False)
    assert isinstance(net, NeuralNet) and isinstance(ev.get_optimizer(net), torch.optim.Adam)
    torch.manual_seed(0)
    before, _ = ev.test(net)
    ev.train(net, 3)
    loss, metrics = ev.process_returns(*ev.test(net))
    assert loss < before and metrics["accuracy"] > 0.3
    out = capsys.readouterr().out
    assert "Epoch 3/3" in out and "Loss: " in out and "Metrics of the network on the test images: " in out
    ev.print_status_bar(3, 8.0)  # running loss 8 over 4 batches
    assert capsys.readouterr().out == "[4/%d] Loss: 2.00\n" % len(ev.trainloader)


def test_batch_and_distributed_evaluators():
    d = NeuralDescriptor()
    d.add_layer_sequential(nn.Conv2d, {"in_channels": 1, "out_channels": 4, "kernel_size": 3})
    bad = NeuralDescriptor()
    bad.add_layer_sequential(nn.Conv2d, {"out_channels": 4, "kernel_size": 20})  # larger than 8x8
    losses, metrics, total = LocalBatchEvaluator("Adam", {}).descriptors_evaluate([d, bad], 1, dataset="digits")
    assert losses[1] == 0 and metrics[1] == {"accuracy": 0.0} and metrics[0]["accuracy"] > 0.1 and total > 0
    assert isinstance(DistributedEvaluator("Adam", {}), LocalEvaluator)


def test_environment_helpers_without_engines(caplog, capsys):
    env = Environment()
    env.print("hello")
    caplog.set_level("INFO", logger="NORD")
    env.log("logged")
    assert capsys.readouterr().out == "hello\n" and any(r.getMessage() == "logged" for r in caplog.records)
    env.workers_wait()
    env.shutdown()  # nothing running: nothing printed
    assert capsys.readouterr().out == ""
    from nasnb.exceptions import ClusterError

    with pytest.raises(ClusterError, match="not running"):
        env.barrier()
    with pytest.raises(ParameterError, match="optimizer"):
        Environment("Adam", optimizer="SGD")


def test_benchmark_evaluator_already_queried_and_static_matrix(tmp_path):
    matrix, ops = [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv3x3-bn-relu", "output"]
    path = tmp_path / "nb.tfrecord"
    write_tfrecord(path, [nb101_record(nb101_hash(matrix, ops), 108, matrix, ops, (1.0, 0.9, 0.8, 0.7))] * 3)
    d = NeuralDescriptor()
    for op in ops:
        d.add_layer_sequential(op, {})
    m, o = NASBench_101Evaluator.descriptor_to_matrix(d)  # no file needed
    assert m.tolist() == matrix and o == ops
    ev = NASBench_101Evaluator(path)
    assert not ev.has_been_evaluated(d)
    assert ev.descriptor_evaluate(d) == (pytest.approx(0.8), pytest.approx(1.0))
    assert ev.has_been_evaluated(d)  # "already queried", as the original


def test_layers_module():
    assert layers.find_layer_type(nn.Dropout2d) == "dropout" and layers.Identity is nn.Identity
    assert torch.equal(layers.ScaleLayer(2.0)(torch.ones(2)), torch.full((2,), 2.0))
    with pytest.raises(UnknownLayerError, match="none of the layer groups"):
        layers.find_layer_type(int)


# ------------------------------------------------------------------ NEAT
def grown(seed=0, n=3):
    np.random.seed(seed)
    i = Innovation()
    g = Genome(TYPES, BOUNDS, 1.0, 0.0, 0.0, i)
    for _ in range(n):
        g.mutate()
    return g, i


def test_genome_graph_helpers_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    g, _ = grown()
    graph = g.to_networkx()
    paths = g.get_direct_paths()
    assert paths and all(p[0] == -2 and p[-1] == 99 for p in paths)
    assert g.get_recursions() == []
    incoming = g.get_incoming_layers()
    assert set(incoming[99]) == {s for s, t in graph.edges() if t == 99}
    assert g.get_connection_ratio() == pytest.approx(len(paths) ** 2 / graph.number_of_nodes())
    fig = g.plot()
    colors = fig.axes[0].collections[-1].get_facecolor()
    assert len(colors) == len(g.to_networkx(active_only=False).nodes | {-2, 99})
    assert isinstance(g.connections, Chromosome) and g.connections.index == list(g.connections.genes)


def test_remove_recursions_disables_cycles():
    g, _ = grown()
    node = g.nodes.index[0]
    from nasnb.genomes import Genome as NasnbGenome

    g.genome = NasnbGenome(g.genome.layers, g.genome.connections + (ConnectionGene(999, node, node),))
    assert g.get_recursions() == [[node]]
    g.remove_recursions()
    assert g.get_recursions() == [] and not g.connections.genes[999].enabled


def test_genome_repr_round_trip_and_hostile_text():
    g, _ = grown()
    back = Genome.__from_repr__(repr(g))
    assert back.genome == g.genome and isinstance(back.nodes.genes[g.nodes.index[0]], LayerGene)
    with pytest.raises(SerializationError, match="Not the text of a NEAT genome"):
        Genome.__from_repr__("__import__('os').system('true')")


def test_innovation_assign_number():
    i = Innovation()
    first = i.assign_number(ConnectionGene(0, -2, 99))
    assert i.assign_number(ConnectionGene(7, -2, 99)) == first
    layer = LayerGene(0, "deepneat_conv", {"filters": 4})
    n = i.assign_number(layer)
    assert i.assign_number(layer) == n != first
    i.new_generation()
    assert i.assign_number(layer) > n  # a new generation numbers structures afresh


def test_crossover_re_enables_disabled_genes_at_the_original_rate():
    import dataclasses

    g, _ = grown(n=1)
    disabled = tuple(dataclasses.replace(c, enabled=False) for c in g.genome.connections)
    from nasnb.genomes import Genome as NasnbGenome

    g.genome = NasnbGenome(g.genome.layers, disabled)
    g.connections.fitness = 1.0
    np.random.seed(5)
    enabled = [c.enabled for _ in range(400) for c in g.crossover(g).genome.connections]
    assert 0.20 < np.mean(enabled) < 0.30  # 1 - DISABLE_PROB = 0.25
    assert neat.genome.DISABLE_PROB == 0.75


def test_species_populations_keep_the_population_size():
    np.random.seed(1)
    i = Innovation()
    population = []
    for k in range(6):
        g = Genome(TYPES, BOUNDS, 1.0, 0.0, 0.3, i)
        for _ in range(k % 3 + 1):
            g.mutate()
        g.connections.fitness = g.nodes.fitness = 0.1 * (k + 1)
        population.append(g)
    species = SpeciesPopulations(6, 0.5)
    species.update_species(population)
    assert len(species.get_all_individuals()) == 6 and sum(species.reproduction_sizes) == 6
    assert len(species.species) >= 1
    with pytest.raises(ParameterError, match="connections.fitness"):
        SpeciesPopulations(2, 0.5).update_species([Genome(TYPES, BOUNDS, 1.0, 0.0, 0.3, i)])
    assert not math.isnan(species.species[0].total_fitness)


def test_compatibility_argument_errors_are_named(tmp_path):
    with pytest.raises(ParameterError, match="'filepath' parameter of NASBench_101Evaluator"):
        NASBench_101Evaluator(123)
    with pytest.raises(ParameterError, match="'optimizer_params' parameter of LocalEvaluator"):
        LocalEvaluator("Adam", [("lr", 0.1)])
    with pytest.raises(ParameterError, match="'descriptors' parameter of descriptors_evaluate"):
        LocalBatchEvaluator().descriptors_evaluate(None, 1, dataset="digits")
