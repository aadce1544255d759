"""DeepNEAT-style genomes: genes, innovation numbers, mutations, decoding to descriptors."""

from nasnb.genomes.decode import genome_to_descriptor, node_name
from nasnb.genomes.genesets import (
    LAYER_CHOICES,
    READOUTS,
    SAGE_TYPES,
    ConvBlockGenes,
    GeneSet,
    GraphSageGenes,
    LayerChoiceGenes,
    MutationRates,
    gene_set_from_json,
)
from nasnb.genomes.genome import ConnectionGene, Genome, HyperGene, LayerGene, active_nodes, genome_invalid_reason
from nasnb.genomes.innovation import INPUT, OUTPUT, InnovationTracker
from nasnb.genomes.mutation import (
    add_connection,
    add_node,
    flip_connection,
    minimal_genome,
    mutate_genome,
    mutate_hyper,
    mutate_layer,
)

__all__ = [
    "Genome",
    "ConnectionGene",
    "LayerGene",
    "HyperGene",
    "InnovationTracker",
    "INPUT",
    "OUTPUT",
    "GeneSet",
    "ConvBlockGenes",
    "LayerChoiceGenes",
    "GraphSageGenes",
    "MutationRates",
    "LAYER_CHOICES",
    "READOUTS",
    "SAGE_TYPES",
    "gene_set_from_json",
    "genome_to_descriptor",
    "node_name",
    "active_nodes",
    "genome_invalid_reason",
    "minimal_genome",
    "add_node",
    "flip_connection",
    "add_connection",
    "mutate_layer",
    "mutate_hyper",
    "mutate_genome",
]
