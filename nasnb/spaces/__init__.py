"""Search spaces: the :class:`SearchSpace` protocol and the spaces nasnb ships.

Tabular benchmarks (:mod:`nasnb.benchmarks`) are search spaces too.
"""

from nasnb.spaces.base import SPACE_METHODS, SearchSpace, check_search_space, invalid_reason, is_search_space
from nasnb.spaces.genome_space import GenomeSpace, conv_block_space, graphsage_space, layer_choice_space
from nasnb.spaces.nb101_mutation import NB101_OPS, Cell, NB101MutationSpace

__all__ = [
    "SearchSpace",
    "SPACE_METHODS",
    "is_search_space",
    "check_search_space",
    "invalid_reason",
    "GenomeSpace",
    "conv_block_space",
    "layer_choice_space",
    "graphsage_space",
    "Cell",
    "NB101MutationSpace",
    "NB101_OPS",
]
