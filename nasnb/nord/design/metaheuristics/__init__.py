"""``nord.design.metaheuristics`` (see :mod:`nasnb.nord.design.metaheuristics.genetics.neat`)."""

__all__ = ["genetics"]
