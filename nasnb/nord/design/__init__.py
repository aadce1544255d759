"""``nord.design``: design algorithms (see :mod:`nasnb.nord.design.metaheuristics.genetics.neat`)."""

__all__ = ["metaheuristics"]
