"""Mutations of DeepNEAT genomes. Pure functions: a genome in, a new genome out.

* :func:`add_node` -- insert a node on an enabled connection; the connection is *disabled*,
  not deleted, and two new connections go through the new node.
* :func:`flip_connection` -- re-enable a disabled connection (how skip connections appear)
  or disable an enabled one.
* :func:`add_connection` -- a new forward connection between two nodes (never a cycle,
  counting disabled genes too, so re-enabling can never create one either).
* :func:`mutate_layer`, :func:`mutate_hyper` -- change one layer / hyper-parameter gene.
* :func:`mutate_genome` -- draw one of these with :class:`~nasnb.genomes.genesets.MutationRates`.

Examples
--------
>>> import numpy as np
>>> from nasnb.genomes.genesets import LayerChoiceGenes
>>> from nasnb.genomes.innovation import InnovationTracker
>>> rng, tracker, genes = np.random.default_rng(0), InnovationTracker(), LayerChoiceGenes()
>>> g = minimal_genome(genes, tracker, rng, layers=2)
>>> len(g.layers), [c.enabled for c in g.connections]
(2, [False, True, False, True, True])
>>> len(add_node(g, genes, tracker, rng).layers)
3
"""

from __future__ import annotations

from nasnb.genomes.genesets import GeneSet, MutationRates
from nasnb.genomes.genome import ConnectionGene, Genome, HyperGene, LayerGene, _freeze, active_nodes, has_path
from nasnb.genomes.innovation import INPUT, OUTPUT, InnovationTracker

__all__ = [
    "minimal_genome",
    "add_node",
    "flip_connection",
    "add_connection",
    "mutate_layer",
    "mutate_hyper",
    "mutate_genome",
]


def minimal_genome(gene_set: GeneSet, tracker: InnovationTracker, rng, *, layers: int | None = None) -> Genome:
    """A random chain input -> ``layers`` random layers -> output, grown by node insertion.

    The chain is built the DeepNEAT way (splitting the connection into the output), so it
    carries the disabled connections that later mutations may re-enable as skips.
    """
    n = gene_set.initial_layers if layers is None else int(layers)
    hyper = tuple(HyperGene(tracker.new(), name, value) for name, value in gene_set.random_hyper(rng).items())
    genome = Genome((), (ConnectionGene(tracker.link(INPUT, OUTPUT), INPUT, OUTPUT),), hyper)
    for _ in range(n):
        into_output = [c for c in genome.connections if c.enabled and c.dst == OUTPUT]
        genome = _split(genome, into_output[-1], gene_set, tracker, rng)
    return genome


def _split(genome: Genome, conn: ConnectionGene, gene_set: GeneSet, tracker: InnovationTracker, rng) -> Genome:
    node, incoming, outgoing = tracker.split(conn.innovation)
    used = set(genome.innovations())
    if {node, incoming, outgoing} & used:  # this genome already split that connection once
        node, incoming, outgoing = tracker.fresh_split()
    type_, params = gene_set.random_layer(rng)
    connections = tuple(
        ConnectionGene(c.innovation, c.src, c.dst, False) if c is conn else c for c in genome.connections
    )
    connections += (ConnectionGene(incoming, conn.src, node), ConnectionGene(outgoing, node, conn.dst))
    return genome.replace(layers=genome.layers + (LayerGene(node, type_, _freeze(params)),), connections=connections)


def add_node(genome: Genome, gene_set: GeneSet, tracker: InnovationTracker, rng) -> Genome:
    """Insert a random new layer on a random enabled connection (disabling that connection)."""
    enabled = [c for c in genome.connections if c.enabled] or list(genome.connections)
    if not enabled:
        return genome
    return _split(genome, enabled[int(rng.integers(len(enabled)))], gene_set, tracker, rng)


def flip_connection(genome: Genome, rng, *, keep_connected: bool = True) -> Genome:
    """Flip one random connection gene between enabled and disabled.

    With ``keep_connected`` a flip that would leave no enabled input -> output path is not
    made: another gene is tried (in random order), and the genome is returned unchanged when
    every flip would disconnect it.
    """
    n = len(genome.connections)
    if not n:
        return genome
    order = [int(rng.integers(n))] if not keep_connected else [int(i) for i in rng.permutation(n)]
    for i in order:
        c = genome.connections[i]
        flipped = ConnectionGene(c.innovation, c.src, c.dst, not c.enabled)
        child = genome.replace(connections=genome.connections[:i] + (flipped,) + genome.connections[i + 1 :])
        if not keep_connected or c.enabled is False or active_nodes(child):
            return child
    return genome


def add_connection(genome: Genome, tracker: InnovationTracker, rng, *, attempts: int = 10) -> Genome | None:
    """Add a new forward connection; ``None`` when no new acyclic connection was found."""
    sources = [INPUT] + [g.innovation for g in genome.layers]
    targets = [g.innovation for g in genome.layers] + [OUTPUT]
    existing = {(c.src, c.dst) for c in genome.connections}
    for _ in range(attempts):
        src = sources[int(rng.integers(len(sources)))]
        dst = targets[int(rng.integers(len(targets)))]
        if src == dst or (src, dst) in existing or has_path(genome, dst, src):
            continue
        gene = ConnectionGene(tracker.link(src, dst), src, dst)
        if gene.innovation in set(genome.innovations()):
            gene = ConnectionGene(tracker.new(), src, dst)
        return genome.replace(connections=genome.connections + (gene,))
    return None


def mutate_layer(genome: Genome, gene_set: GeneSet, rng) -> Genome:
    """Mutate one random layer gene (its innovation number, i.e. the node id, is kept)."""
    if not genome.layers:
        return genome
    i = int(rng.integers(len(genome.layers)))
    g = genome.layers[i]
    type_, params = gene_set.mutate_layer(g.type, g.param_dict, rng)
    changed = LayerGene(g.innovation, type_, _freeze(params))
    return genome.replace(layers=genome.layers[:i] + (changed,) + genome.layers[i + 1 :])


def mutate_hyper(genome: Genome, gene_set: GeneSet, rng) -> Genome:
    """Give one random hyper-parameter gene another of its allowed values."""
    if not genome.hyperparameters:
        return genome
    i = int(rng.integers(len(genome.hyperparameters)))
    h = genome.hyperparameters[i]
    new = HyperGene(h.innovation, h.name, gene_set.mutate_hyper(h.name, h.value, rng))
    return genome.replace(hyperparameters=genome.hyperparameters[:i] + (new,) + genome.hyperparameters[i + 1 :])


def mutate_genome(
    genome: Genome, gene_set: GeneSet, tracker: InnovationTracker, rng, rates: MutationRates
) -> tuple[Genome, str]:
    """Apply one mutation drawn with ``rates``; return the child and the event's name.

    Events that cannot apply (no layer gene to mutate, no hyper-parameter gene, no new
    connection possible) fall back to the next sensible one, so a mutation never fails.
    """
    r = float(rng.random())
    bounds = rates.cumulative()
    if r < bounds[0]:
        return add_node(genome, gene_set, tracker, rng), "add_node"
    if r < bounds[1]:
        if rates.new_connections and rng.random() < 0.5:
            child = add_connection(genome, tracker, rng)
            if child is not None:
                return child, "add_connection"
        return flip_connection(genome, rng, keep_connected=rates.keep_connected), "flip_connection"
    if r < bounds[2]:
        return genome, "identity"
    if r < bounds[3] or not genome.hyperparameters:
        if not genome.layers:
            return add_node(genome, gene_set, tracker, rng), "add_node"
        return mutate_layer(genome, gene_set, rng), "mutate_layer"
    return mutate_hyper(genome, gene_set, rng), "mutate_hyper"
