"""Genome -> :class:`~nasnb.descriptors.NeuralDescriptor`, with inactive nodes pruned.

Layer names: ``"input"`` for node -2, ``"output"`` for node 99 and ``"node_<id>"`` for a
hidden node (``<id>`` is its innovation number). Only nodes on an enabled input -> output
path and the enabled connections between them are kept.

Examples
--------
>>> import numpy as np
>>> from nasnb.genomes.genesets import LayerChoiceGenes
>>> from nasnb.genomes.innovation import InnovationTracker
>>> from nasnb.genomes.mutation import minimal_genome
>>> genes = LayerChoiceGenes()
>>> g = minimal_genome(genes, InnovationTracker(), np.random.default_rng(0), layers=2)
>>> d = genome_to_descriptor(g, genes)
>>> d.topological_order()
['input', 'node_1', 'node_4', 'output']
"""

from __future__ import annotations

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import DescriptorError
from nasnb.genomes.genesets import GeneSet
from nasnb.genomes.genome import Genome, active_nodes, genome_invalid_reason
from nasnb.genomes.innovation import INPUT, OUTPUT

__all__ = ["genome_to_descriptor", "node_name"]


def node_name(node: int) -> str:
    """Descriptor layer name of a genome node id."""
    if node == INPUT:
        return "input"
    if node == OUTPUT:
        return "output"
    return f"node_{node}"


def genome_to_descriptor(genome: Genome, gene_set: GeneSet, *, name: str | None = None) -> NeuralDescriptor:
    """The pruned descriptor of ``genome`` under ``gene_set``.

    Raises
    ------
    DescriptorError
        If the genome is invalid; the message gives the reason
        (see :func:`~nasnb.genomes.genome.genome_invalid_reason`).
    """
    reason = genome_invalid_reason(genome)
    if reason is not None:
        raise DescriptorError(f"Invalid genome: {reason}.")
    active = active_nodes(genome)
    d = NeuralDescriptor(name)
    d.add_layer(gene_set.input_type, {}, name=node_name(INPUT))
    for gene in genome.layers:
        if gene.innovation in active:
            type_, params = gene_set.layer_spec(gene.type, gene.param_dict)
            d.add_layer(type_, params, name=node_name(gene.innovation))
    out_type, out_params = gene_set.output_spec(genome.hyper_dict)
    d.add_layer(out_type, out_params, name=node_name(OUTPUT))
    for c in genome.connections:
        if c.enabled and c.src in active and c.dst in active:
            d.connect_layers(node_name(c.src), node_name(c.dst))
    d.set_input(node_name(INPUT))
    d.set_output(node_name(OUTPUT))
    return d
