"""``nord.design.metaheuristics.genetics`` (see :mod:`nasnb.nord.design.metaheuristics.genetics.neat`)."""

__all__ = ["neat"]
