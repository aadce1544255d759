"""DeepNEAT genomes: innovation numbers, mutations, pruning, invalid genomes, JSON."""

import json

import numpy as np
import pytest

from nasnb.exceptions import DescriptorError, SerializationError
from nasnb.genomes import (INPUT, OUTPUT, ConnectionGene, Genome, InnovationTracker, LayerChoiceGenes, LayerGene,
                           MutationRates, add_connection, add_node, flip_connection, genome_invalid_reason,
                           genome_to_descriptor, minimal_genome, mutate_genome)
from nasnb.spaces import conv_block_space, graphsage_space, layer_choice_space

SPACES = {"conv4": lambda: conv_block_space(4), "conv5": lambda: conv_block_space(5),
          "ch6": layer_choice_space, "gcn": graphsage_space}


def evolve(space, seed, steps=30):
    rng = np.random.default_rng(seed)
    g = space.sample(rng)
    out = [g]
    for _ in range(steps):
        g = space.mutate(g, rng)
        out.append(g)
    return out


def test_add_node_disables_the_split_connection_and_keeps_it():
    genes, tracker, rng = LayerChoiceGenes(), InnovationTracker(), np.random.default_rng(0)
    g = minimal_genome(genes, tracker, rng, layers=0)
    (only,) = g.connections
    child = add_node(g, genes, tracker, rng)
    assert len(child.connections) == 3
    old = [c for c in child.connections if c.innovation == only.innovation][0]
    assert (old.src, old.dst, old.enabled) == (INPUT, OUTPUT, False)
    (node,) = child.layers
    assert {(c.src, c.dst) for c in child.connections if c.enabled} == {(INPUT, node.innovation),
                                                                        (node.innovation, OUTPUT)}
    # every gene carries an innovation number, all distinct, none reserved
    numbers = child.innovations()
    assert len(set(numbers)) == len(numbers) and not {INPUT, OUTPUT} & set(numbers)
    assert g.connections == (only,)  # the parent genome is untouched


def test_reenabling_a_disabled_connection_makes_a_skip_connection():
    genes, tracker, rng = LayerChoiceGenes(), InnovationTracker(), np.random.default_rng(1)
    g = minimal_genome(genes, tracker, rng, layers=1)
    for seed in range(50):
        child = flip_connection(g, np.random.default_rng(seed))
        if all(c.enabled for c in child.connections):
            d = genome_to_descriptor(child, genes)
            assert ("input", "output") in d.connections and len(d) == 3
            break
    else:
        pytest.fail("no flip re-enabled the disabled input -> output connection")


def test_innovation_numbers_are_per_space_and_deterministic():
    a, b = layer_choice_space(), layer_choice_space()
    ga, gb = evolve(a, 7), evolve(b, 7)
    assert [g.to_json() for g in ga] == [g.to_json() for g in gb]
    # a second space evolving something else does not disturb the first one's numbers
    evolve(b, 99)
    a.reset()
    assert [g.to_json() for g in evolve(a, 7)] == [g.to_json() for g in ga]


def test_same_split_in_a_population_gets_the_same_numbers_and_a_double_split_fresh_ones():
    genes, tracker = LayerChoiceGenes(), InnovationTracker()
    root = minimal_genome(genes, tracker, np.random.default_rng(0), layers=0)
    c1 = add_node(root, genes, tracker, np.random.default_rng(1))
    c2 = add_node(root, genes, tracker, np.random.default_rng(2))
    assert c1.layers[0].innovation == c2.layers[0].innovation
    # re-enable the split connection and split it again inside the same genome: fresh numbers
    from nasnb.genomes.mutation import _split

    first = root.connections[0]
    again = c1.replace(connections=tuple(ConnectionGene(c.innovation, c.src, c.dst, True) for c in c1.connections))
    twice = _split(again, again.connections[0], genes, tracker, np.random.default_rng(5))
    assert again.connections[0].innovation == first.innovation
    numbers = twice.innovations()
    assert len(twice.layers) == 2 and len(numbers) == len(set(numbers))


def test_add_connection_never_creates_a_cycle():
    space = conv_block_space(5)
    for seed in range(20):
        for g in evolve(space, seed, 20):
            child = add_connection(g, space.tracker, np.random.default_rng(seed))
            if child is not None:
                assert genome_invalid_reason(child) in (None,) or "no enabled path" in genome_invalid_reason(child)
                # even with every gene enabled the graph stays acyclic
                all_on = child.replace(connections=tuple(ConnectionGene(c.innovation, c.src, c.dst, True)
                                                         for c in child.connections))
                assert genome_invalid_reason(all_on) is None


def test_inactive_nodes_are_pruned_from_the_descriptor():
    g = Genome(layers=(LayerGene(1, "CONV_3.N"), LayerGene(4, "POOL_2.M")),
               connections=(ConnectionGene(0, INPUT, OUTPUT, False), ConnectionGene(2, INPUT, 1),
                            ConnectionGene(3, 1, OUTPUT), ConnectionGene(5, 1, 4), ConnectionGene(6, 4, OUTPUT, False)))
    d = genome_to_descriptor(g, LayerChoiceGenes())
    assert set(d.layers) == {"input", "node_1", "output"}
    assert sorted(d.connections) == [("input", "node_1"), ("node_1", "output")]


def test_invalid_genome_is_detected_with_a_reason():
    space = layer_choice_space()
    g = space.sample(np.random.default_rng(0))
    dead = g.replace(connections=tuple(ConnectionGene(c.innovation, c.src, c.dst, False) for c in g.connections))
    reason = space.invalid_reason(dead)
    assert "no enabled path from the input node -2 to the output node 99" in reason
    with pytest.raises(DescriptorError, match="no enabled path"):
        space.to_descriptor(dead)
    assert space.key(dead).startswith("invalid:")
    loop = Genome(layers=(LayerGene(1, "CONV_3.N"), LayerGene(2, "CONV_3.N")),
                  connections=(ConnectionGene(3, INPUT, 1), ConnectionGene(4, 1, 2), ConnectionGene(5, 2, 1),
                               ConnectionGene(6, 2, OUTPUT)))
    assert "cycle" in genome_invalid_reason(loop)
    dangling = Genome(connections=(ConnectionGene(0, INPUT, 7),))
    assert "node with no layer gene" in genome_invalid_reason(dangling)


@pytest.mark.parametrize("name", sorted(SPACES))
def test_genomes_round_trip_through_json(name):
    space = SPACES[name]()
    for g in evolve(space, 3, 25):
        text = json.dumps(space.candidate_to_json(g))
        back = space.candidate_from_json(json.loads(text))
        assert back == g and hash(back) == hash(g)
        assert space.key(back) == space.key(g)
    with pytest.raises(SerializationError, match="schema version"):
        Genome.from_dict({**g.to_dict(), "schema_version": 99})
    with pytest.raises(SerializationError):
        Genome.from_json("{not json")


def test_mutation_rates_pick_the_events_of_the_chapter():
    genes, tracker = LayerChoiceGenes(), InnovationTracker()
    g = minimal_genome(genes, tracker, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    events = [mutate_genome(g, genes, tracker, rng, genes.default_rates())[1] for _ in range(4000)]
    freq = {e: events.count(e) / len(events) for e in set(events)}
    assert abs(freq["add_node"] - 0.25) < 0.03 and abs(freq["identity"] - 0.05) < 0.015
    assert abs(freq["flip_connection"] - 0.35) < 0.03 and abs(freq["mutate_layer"] - 0.35) < 0.03
    assert "add_connection" not in freq  # chapter 6: new connections only from node insertion
    with pytest.raises(ValueError, match="at most 1"):
        MutationRates(add_node=0.6, connection=0.6)


def test_gene_set_ranges_hold_under_mutation():
    space = conv_block_space(4)
    for seed in range(10):
        for g in evolve(space, seed, 40):
            for gene in g.layers:
                p = gene.param_dict
                assert gene.type == "deepneat_conv" and 32 <= p["filters"] <= 56 and p["kernel"] in (1, 3)
                assert 0 <= p["dropout"] <= 0.7 and 0 <= p["weight_scale"] <= 2 and isinstance(p["max_pool"], bool)
    gcn = graphsage_space()
    for g in evolve(gcn, 0, 60):
        assert g.hyper_dict["readout"] in ("max", "mean", "sort1", "sort2", "sort3")
        for gene in g.layers:
            assert gene.type in ("sage_lstm", "sage_pool") and gene.param_dict["filters_mult"] in (0.5, 1.0, 2.0)


def test_mutate_hyper_changes_the_graphsage_readout_to_another_valid_value():
    from nasnb.genomes import READOUTS, GraphSageGenes, mutate_hyper

    genes = GraphSageGenes()
    g = minimal_genome(genes, InnovationTracker(), np.random.default_rng(0))
    assert [h.name for h in g.hyperparameters] == ["readout"] and g.hyper_dict["readout"] in READOUTS
    original, seen = g.hyper_dict["readout"], set()
    for seed in range(40):
        child = mutate_hyper(g, genes, np.random.default_rng(seed))
        new = child.hyper_dict["readout"]
        assert new in READOUTS and new != g.hyper_dict["readout"]
        assert child.hyperparameters[0].innovation == g.hyperparameters[0].innovation
        assert child.layers == g.layers and child.connections == g.connections  # only the hyper gene moves
        assert g.hyper_dict["readout"] == original  # the parent is left untouched
        # the same seed gives the same child
        assert mutate_hyper(g, genes, np.random.default_rng(seed)).hyper_dict == child.hyper_dict
        seen.add(new)
        d = genome_to_descriptor(child, genes)
        assert d.layers[d.output_layer].type == "readout" and d.layers[d.output_layer].params["readout"] == new
    assert seen == set(READOUTS) - {g.hyper_dict["readout"]}  # every other readout is reachable
    # a gene set without hyper-parameter genes: nothing to mutate, the genome comes back as it was
    plain = LayerChoiceGenes()
    h = minimal_genome(plain, InnovationTracker(), np.random.default_rng(0))
    assert h.hyperparameters == () and mutate_hyper(h, plain, np.random.default_rng(0)) == h
