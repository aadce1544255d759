"""``nord.design.metaheuristics.genetics.neat``: DeepNEAT genomes and speciation, as the
original named them (see :mod:`~nasnb.nord.design.metaheuristics.genetics.neat.genome` and
:mod:`~nasnb.nord.design.metaheuristics.genetics.neat.speciation`).

Examples
--------
>>> sorted(__all__)[:3]
['Chromosome', 'ConnectionGene', 'Genome']
"""

from nasnb.nord.design.metaheuristics.genetics.neat.genome import (
    Chromosome,
    ConnectionGene,
    Genome,
    Innovation,
    LayerGene,
)
from nasnb.nord.design.metaheuristics.genetics.neat.speciation import SpeciesPopulations

__all__ = ["Chromosome", "ConnectionGene", "LayerGene", "Innovation", "Genome", "SpeciesPopulations"]
