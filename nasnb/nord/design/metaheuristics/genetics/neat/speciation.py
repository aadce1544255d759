"""``nord.design.metaheuristics.genetics.neat.speciation``: the original's NEAT speciation.

Coming from the original framework: ``SpeciesPopulations(population_size, crossover_rate)``
groups genomes into species by the NEAT distance (excess + disjoint innovation numbers of
both chromosomes; a genome joins the first species whose representative is within 4),
shares fitness inside each species (``connections.fitness`` and ``nodes.fitness`` are
divided by the species size), gives each species offspring in proportion to its shared
fitness and breeds them by tournament (pressure 0.8 over half the species), crossover with
probability ``crossover_rate`` and one ``mutate()`` each. ``update_species(population)``
does one generation; ``get_all_individuals()`` is the new population. Draws come from
NumPy's global generator, as in the original.

Examples
--------
>>> import numpy as np
>>> from nasnb.nord.design.metaheuristics.genetics.neat import Genome, Innovation
>>> np.random.seed(0)
>>> i = Innovation()
>>> population = [Genome([int, float, float, int, bool], [[4, 0.0, 0, 1, 0], [8, 0.5, 2.0, 3, 1]],
...                      1.0, 0.0, 0.5, i) for _ in range(4)]
>>> for g in population:
...     g.mutate()
...     g.connections.fitness = g.nodes.fitness = 0.5
>>> species = SpeciesPopulations(4, 0.5)
>>> species.update_species(population)
>>> len(species.get_all_individuals())
4
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from nasnb._validation import check_positive_int, check_probability, parameter_error

__all__ = ["SpeciesPopulations", "Species", "get_distance", "SHARING_THRESHOLD"]

#: Largest distance at which a genome joins a species.
SHARING_THRESHOLD = 4


def _innovations(genome: Any) -> list[int]:
    return list(genome.connections.index) + list(genome.nodes.index)


def get_distance(g1: Any, g2: Any) -> float:
    """NEAT distance: the innovations only one genome has (excess and disjoint, each counted 1)."""
    a, b = _innovations(g1), _innovations(g2)
    if not a or not b:
        return float(len(a) + len(b))
    return float(len(set(a) ^ set(b)))


def _fitness(genome: Any) -> float:
    value = genome.connections.fitness
    if value is None or genome.nodes.fitness is None:
        raise parameter_error(
            "population",
            "SpeciesPopulations.update_species",
            "genomes whose connections.fitness and nodes.fitness are set",
            genome,
        )
    return float(value)


class Species:
    """One species: a representative and its members."""

    def __init__(self, genome: Any) -> None:
        self.representative = genome
        self.population = [genome]
        self.total_fitness = 0.0

    def attempt_append(self, genome: Any) -> bool:
        """Add ``genome`` if it is close enough to the representative."""
        if get_distance(genome, self.representative) <= SHARING_THRESHOLD:
            self.population.append(genome)
            return True
        return False

    def share_fitness(self) -> None:
        """Divide each member's fitness by the species size; pick a new representative."""
        self.total_fitness = 0.0
        size = len(self.population)
        for g in self.population:
            g.connections.fitness = _fitness(g) / size
            g.nodes.fitness = float(g.nodes.fitness) / size
            self.total_fitness += g.connections.fitness + g.nodes.fitness
        if self.population:
            self.representative = self.population[np.random.randint(size)]

    def tournament_selection(self, pressure: float = 0.8) -> Any:
        """Rank a random half of the species; the best wins with ``pressure``, the next with the rest's share."""
        size = max(len(self.population) // 2, 1)
        entrants = [self.population[k] for k in np.random.randint(len(self.population), size=size)]
        ranked = sorted(entrants, key=lambda g: -g.connections.fitness)
        place, cumulative = np.random.uniform(), 0.0
        for k, g in enumerate(ranked):
            cumulative += pressure * (1 - pressure) ** k
            if place < cumulative:
                return g
        return ranked[0]

    def reproduce(self, new_size: int, crossover_rate: float) -> None:
        """Replace the members by ``new_size`` offspring."""
        if not self.population:
            return
        offspring = []
        for _ in range(new_size):
            a = self.tournament_selection()
            g = a.crossover(self.tournament_selection()) if np.random.uniform() < crossover_rate else copy.deepcopy(a)
            g.mutate()
            offspring.append(g)
        self.population = offspring


class SpeciesPopulations:
    """Species of a population (see the module docs)."""

    def __init__(self, population_size: int, crossover_rate: float) -> None:
        self.population_size = check_positive_int(population_size, "population_size", "SpeciesPopulations")
        self.crossover_rate = check_probability(crossover_rate, "crossover_rate", "SpeciesPopulations")
        self.species: list[Species] = []
        self.reproduction_sizes: list[int] = []

    def update_species(self, population: Sequence[Any]) -> None:
        """Speciate ``population``, share fitness and breed the next generation."""
        for s in self.species:
            s.population = []
        for g in population:
            if not any(s.attempt_append(g) for s in self.species):
                self.species.append(Species(g))
        self.species = [s for s in self.species if s.population]
        for s in self.species:
            s.share_fitness()
        total = sum(s.total_fitness for s in self.species)
        if total > 0:
            self.reproduction_sizes = [
                int(np.floor(self.population_size * s.total_fitness / total)) for s in self.species
            ]
        else:
            self.reproduction_sizes = [self.population_size // len(self.species)] * len(self.species)
        # the floors leave a few places: the fittest species fill them (the original lost them)
        order = np.argsort([-s.total_fitness for s in self.species])
        for k in range(self.population_size - sum(self.reproduction_sizes)):
            self.reproduction_sizes[int(order[k % len(order)])] += 1
        for s, size in zip(self.species, self.reproduction_sizes):
            s.reproduce(size, self.crossover_rate)

    def get_all_individuals(self) -> list[Any]:
        """Every member of every species."""
        return [g for s in self.species for g in s.population]
