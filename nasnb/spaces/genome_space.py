"""Search spaces over DeepNEAT genomes (thesis chapters 4-7).

:class:`GenomeSpace` wraps a gene set (:mod:`nasnb.genomes.genesets`), the mutation rates of
its chapter and an :class:`~nasnb.genomes.InnovationTracker` owned by the space (so no
innovation number ever comes from global state, and ``reset()`` makes a replayed search
produce the same genomes). Factories give the thesis' spaces:
:func:`conv_block_space` (ch. 4/5), :func:`layer_choice_space` (ch. 6) and
:func:`graphsage_space` (ch. 7).

Examples
--------
>>> import numpy as np
>>> space = layer_choice_space()
>>> rng = np.random.default_rng(0)
>>> g = space.sample(rng)
>>> len(g.layers)
4
>>> child = space.mutate(g, rng)
>>> space.candidate_from_json(space.candidate_to_json(child)) == child
True
>>> space.to_descriptor(child).output_layer
'output'
"""

from __future__ import annotations

from typing import Any

from nasnb._validation import check_nonnegative_int, parameter_error
from nasnb.exceptions import DescriptorError
from nasnb.genomes.decode import genome_to_descriptor
from nasnb.genomes.genesets import ConvBlockGenes, GeneSet, GraphSageGenes, LayerChoiceGenes, MutationRates
from nasnb.genomes.genome import Genome, genome_invalid_reason
from nasnb.genomes.innovation import InnovationTracker
from nasnb.genomes.mutation import minimal_genome, mutate_genome

__all__ = ["GenomeSpace", "conv_block_space", "layer_choice_space", "graphsage_space"]


class GenomeSpace:
    """A :class:`~nasnb.spaces.SearchSpace` whose candidates are :class:`~nasnb.genomes.Genome` s.

    Parameters
    ----------
    gene_set : GeneSet
        What a layer gene can be (and the hyper-parameter genes).
    rates : MutationRates, optional
        Mutation probabilities; default ``gene_set.default_rates()``.
    initial_layers : int, optional
        Hidden layers of a sampled genome; default ``gene_set.initial_layers``.
    initial_mutations : int, optional
        Extra random mutations applied to a sampled genome (default 0).
    max_layers : int, optional
        Genomes with more layer genes than this are invalid (default: no limit).

    Notes
    -----
    ``key`` is the canonical hash of the pruned descriptor, so genomes that differ only in
    inactive genes or innovation numbers share a key; an invalid genome's key is
    ``"invalid:"`` + its JSON hash.
    """

    def __init__(
        self,
        gene_set: GeneSet,
        rates: MutationRates | None = None,
        *,
        initial_layers: int | None = None,
        initial_mutations: int = 0,
        max_layers: int | None = None,
    ) -> None:
        if not isinstance(gene_set, GeneSet):
            raise parameter_error("gene_set", "GenomeSpace", "a GeneSet", gene_set)
        self.gene_set = gene_set
        self.rates = gene_set.default_rates() if rates is None else rates
        if not isinstance(self.rates, MutationRates):
            raise parameter_error("rates", "GenomeSpace", "a MutationRates", rates)
        self.initial_layers = (
            gene_set.initial_layers
            if initial_layers is None
            else check_nonnegative_int(initial_layers, "initial_layers", "GenomeSpace")
        )
        self.initial_mutations = check_nonnegative_int(initial_mutations, "initial_mutations", "GenomeSpace")
        self.max_layers = None if max_layers is None else check_nonnegative_int(max_layers, "max_layers", "GenomeSpace")
        self.tracker = InnovationTracker()
        self.last_event: str | None = None

    # ------------------------------------------------------------------ protocol
    def reset(self) -> None:
        """Forget the innovation numbers handed out (strategies call this when they start)."""
        self.tracker.reset()

    def sample(self, rng: Any) -> Genome:
        """A random chain of ``initial_layers`` layers, then ``initial_mutations`` mutations."""
        genome = minimal_genome(self.gene_set, self.tracker, rng, layers=self.initial_layers)
        for _ in range(self.initial_mutations):
            genome, _ = mutate_genome(genome, self.gene_set, self.tracker, rng, self.rates)
        return genome

    def mutate(self, candidate: Genome, rng: Any) -> Genome:
        """One DeepNEAT mutation drawn with :attr:`rates` (the event is kept in ``last_event``)."""
        child, self.last_event = mutate_genome(candidate, self.gene_set, self.tracker, rng, self.rates)
        return child

    def invalid_reason(self, candidate: Genome) -> str | None:
        """Why a genome describes no network (``None`` when it is valid)."""
        if not isinstance(candidate, Genome):
            return f"a genome space candidate must be a Genome, got {type(candidate).__name__}"
        if self.max_layers is not None and len(candidate.layers) > self.max_layers:
            return f"the genome has {len(candidate.layers)} layer genes; at most {self.max_layers} are allowed"
        return genome_invalid_reason(candidate)

    def to_descriptor(self, candidate: Genome) -> Any:
        """The pruned descriptor (raises :class:`DescriptorError` naming why a genome is invalid)."""
        reason = self.invalid_reason(candidate)
        if reason is not None:
            raise DescriptorError(f"Invalid genome: {reason}.")
        return genome_to_descriptor(candidate, self.gene_set)

    def key(self, candidate: Genome) -> str:
        """Canonical hash of the pruned descriptor (``"invalid:<hash>"`` for invalid genomes)."""
        if self.invalid_reason(candidate) is not None:
            import hashlib

            return "invalid:" + hashlib.blake2b(candidate.to_json().encode(), digest_size=16).hexdigest()
        return self.to_descriptor(candidate).canonical_hash()

    def candidate_to_json(self, candidate: Genome) -> dict[str, Any]:
        return candidate.to_dict()

    def candidate_from_json(self, value: Any) -> Genome:
        genome = Genome.from_dict(value)
        self.tracker.observe(genome.innovations())
        return genome

    # ------------------------------------------------------------------ misc
    def to_json(self) -> dict[str, Any]:
        """Configuration of the space (for a study's config)."""
        return {
            "gene_set": self.gene_set.to_json(),
            "rates": self.rates.to_json(),
            "initial_layers": self.initial_layers,
            "initial_mutations": self.initial_mutations,
            "max_layers": self.max_layers,
        }

    def __repr__(self) -> str:
        return f"GenomeSpace({self.gene_set!r}, initial_layers={self.initial_layers})"


def conv_block_space(
    chapter: int = 4,
    *,
    rates: MutationRates | None = None,
    initial_layers: int = 1,
    initial_mutations: int = 0,
    max_layers: int | None = None,
) -> GenomeSpace:
    """The continuous convolution-block space of chapter 4 (filters 32-56) or 5 (32-256).

    Examples
    --------
    >>> conv_block_space(5).gene_set.max_filters
    256
    """
    if chapter not in (4, 5):
        raise parameter_error("chapter", "conv_block_space", "4 or 5", chapter)
    genes = ConvBlockGenes.chapter4() if chapter == 4 else ConvBlockGenes.chapter5()
    return GenomeSpace(
        genes, rates, initial_layers=initial_layers, initial_mutations=initial_mutations, max_layers=max_layers
    )


def layer_choice_space(
    channels: int = 64,
    *,
    rates: MutationRates | None = None,
    initial_layers: int = 4,
    initial_mutations: int = 0,
    max_layers: int | None = None,
) -> GenomeSpace:
    """The twelve-choice global space of chapter 6 (build with ``fixed_channels=channels``)."""
    return GenomeSpace(
        LayerChoiceGenes(channels),
        rates,
        initial_layers=initial_layers,
        initial_mutations=initial_mutations,
        max_layers=max_layers,
    )


def graphsage_space(
    standard_filters: int = 300,
    *,
    rates: MutationRates | None = None,
    initial_layers: int = 2,
    initial_mutations: int = 0,
    max_layers: int | None = None,
) -> GenomeSpace:
    """The GraphSAGE + readout space of chapter 7 (see :class:`~nasnb.genomes.GraphSageGenes`)."""
    return GenomeSpace(
        GraphSageGenes(standard_filters),
        rates,
        initial_layers=initial_layers,
        initial_mutations=initial_mutations,
        max_layers=max_layers,
    )
