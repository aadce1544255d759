"""Proxy landscapes for the Monte-Carlo studies: gridded Rastrigin, perturbation to a target tau, "top %".

* **grid** -- Rastrigin on ``[-5.12, 5.12]^d`` sampled at ``resolution`` points per axis
  (``numpy.linspace``, end points included); defaults :data:`DEFAULT_RESOLUTION`
  (100 x 100 in 2-D as in the thesis' figure, 50^3 in 3-D, 20^4 in 4-D: ~10^4-10^5 points).
  Grids whose study would need more than ``max_bytes`` are refused before allocation.
* **perturbation** -- one seeded standard-normal draw ``z`` per grid point;
  ``perturbed = f + s * std(f) * z``; the scale ``s`` is found by bracketing and false
  position (Illinois) with that draw fixed (tau is then continuous and, in practice,
  monotone in ``s``), aiming at ``|tau_b(f, perturbed) - target| <= 0.005 / 4`` and
  accepting ``<= 0.005``.
* **score** -- "top %": the share of grid points strictly better (smaller) on the original
  function than a given point.

Examples
--------
>>> grid = rastrigin_grid(2, 100)
>>> noisy = perturb_to_tau(grid, 0.85, seed=0)
>>> abs(noisy.tau - 0.85) <= 0.005
True
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from nasnb._validation import as_generator, check_positive_int, parameter_error
from nasnb.analysis.ranking import as_scores
from nasnb.exceptions import ParameterError

__all__ = ["DEFAULT_RESOLUTION", "rastrigin", "rastrigin_grid", "PerturbedSpace", "perturb_to_tau", "top_fraction"]

logger = logging.getLogger(__name__)

DEFAULT_RESOLUTION = {1: 1000, 2: 100, 3: 50, 4: 20}
"""Grid points per axis used when ``resolution`` is not given (other d: ~10^5 points in all)."""

_BYTES_PER_POINT = 8 * 6  # float64 values, perturbed copy, noise draw, ranks/fractions, headroom


def rastrigin(x) -> np.ndarray:
    """Rastrigin function ``10 d + sum(x_i^2 - 10 cos(2 pi x_i))`` over the last axis.

    Examples
    --------
    >>> float(rastrigin([0.0, 0.0])), float(rastrigin([1.0, 0.0]))
    (0.0, 1.0)
    """
    x = np.asarray(x, dtype=float)
    return 10.0 * x.shape[-1] + np.sum(x * x - 10.0 * np.cos(2.0 * np.pi * x), axis=-1)


def _resolution(dims: int, resolution: int | None, func: str) -> int:
    if resolution is None:
        return DEFAULT_RESOLUTION.get(dims, max(2, round(1e5 ** (1.0 / dims))))
    resolution = check_positive_int(resolution, "resolution", func)
    if resolution < 2:
        raise parameter_error("resolution", func, "an int >= 2", resolution)
    return resolution


def rastrigin_grid(
    dims: int,
    resolution: int | None = None,
    *,
    low: float = -5.12,
    high: float = 5.12,
    max_bytes: int = 2 * 1024**3,
) -> np.ndarray:
    """Rastrigin evaluated on a ``resolution^dims`` grid (one array axis per dimension).

    Parameters
    ----------
    dims : int
        Number of dimensions.
    resolution : int, optional
        Points per axis; default :data:`DEFAULT_RESOLUTION`.
    low, high : float
        Domain bounds per axis.
    max_bytes : int, default 2 GiB
        Refuse (before allocating) grids whose study would need more memory than this
        (about 48 bytes per grid point).

    Examples
    --------
    >>> rastrigin_grid(2, 100).shape
    (100, 100)
    >>> rastrigin_grid(4, 300)
    Traceback (most recent call last):
    ...
    nasnb.exceptions.ParameterError: A 4-D grid of resolution 300 has 8.1e+09 points and needs about 362.1 GiB (48 bytes per point), more than max_bytes = 2.0 GiB. Lower 'resolution' or raise 'max_bytes'.
    """
    func = "rastrigin_grid"
    dims = check_positive_int(dims, "dims", func)
    res = _resolution(dims, resolution, func)
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise parameter_error("high", func, f"a finite number > low ({low})", high)
    points = float(res) ** dims
    need = points * _BYTES_PER_POINT
    if need > max_bytes:
        raise ParameterError(
            f"A {dims}-D grid of resolution {res} has {points:.1e} points and needs about "
            f"{need / 1024**3:.1f} GiB ({_BYTES_PER_POINT} bytes per point), more than max_bytes = "
            f"{max_bytes / 1024**3:.1f} GiB. Lower 'resolution' or raise 'max_bytes'."
        )
    axis = np.linspace(low, high, res)
    total = np.zeros((res,) * dims)
    for i in range(dims):
        shape = [1] * dims
        shape[i] = res
        total = total + (axis * axis - 10.0 * np.cos(2.0 * np.pi * axis)).reshape(shape)
    return total + 10.0 * dims


@dataclass(frozen=True)
class PerturbedSpace:
    """A noisy copy of a score grid with a known Kendall tau to the original.

    Attributes
    ----------
    values : numpy.ndarray
        The perturbed grid (same shape as the original).
    tau : float
        Achieved tau-b to the original.
    target_tau : float
    noise_scale : float
        ``s`` in ``f + s * std(f) * z``.
    """

    values: np.ndarray
    tau: float
    target_tau: float
    noise_scale: float


def _check_tau(target, func: str) -> float:
    if isinstance(target, bool) or not isinstance(target, (int, float, np.floating, np.integer)):
        raise parameter_error("target_tau", func, "a number in (0, 1]", target)
    if not (0.0 < float(target) <= 1.0):
        raise parameter_error("target_tau", func, "a number in (0, 1]", target)
    return float(target)


def perturb_to_tau(
    values,
    target_tau: float,
    *,
    tolerance: float = 0.005,
    seed=None,
    max_iter: int = 60,
) -> PerturbedSpace:
    """Add seeded Gaussian noise to ``values`` until Kendall's tau-b to them hits ``target_tau``.

    Parameters
    ----------
    values : array-like
        The original scores (any shape; NaN not allowed).
    target_tau : float in (0, 1]
        1 returns an unchanged copy.
    tolerance : float, default 0.005
    seed : int, Generator or None
        Fixes the noise draw: same seed, same perturbed copy.
    max_iter : int, default 60
        Root-finding steps before giving up (an error if tau is then still off by more
        than ``tolerance``).

    Examples
    --------
    >>> grid = rastrigin_grid(2, 50)
    >>> space = perturb_to_tau(grid, 0.75, seed=0)
    >>> abs(space.tau - 0.75) <= 0.005, space.values.shape
    (True, (50, 50))
    """
    func = "perturb_to_tau"
    target = _check_tau(target_tau, func)
    if not (isinstance(tolerance, (int, float)) and 0 < tolerance < 1):
        raise parameter_error("tolerance", func, "a number in (0, 1)", tolerance)
    original = np.asarray(values, dtype=float)
    flat = as_scores(original.ravel(), "values", func, min_size=2)
    spread = float(flat.std())
    if spread == 0.0:
        raise parameter_error("values", func, "non-constant scores", "a constant array")
    if target == 1.0:
        return PerturbedSpace(original.copy(), 1.0, 1.0, 0.0)
    noise = as_generator(seed).standard_normal(flat.size) * spread

    def tau_at(scale: float) -> float:
        return float(stats.kendalltau(flat, flat + scale * noise).statistic)

    # start from the bivariate-normal relation tau = 2/pi asin(rho), rho = 1/sqrt(1 + s^2)
    rho = math.sin(math.pi * target / 2.0)
    guess = math.sqrt(max(1.0 / rho**2 - 1.0, 1e-12))
    lo, tau_lo = 0.0, 1.0
    hi, tau_hi = guess, tau_at(guess)
    while tau_hi > target:
        lo, tau_lo, hi = hi, tau_hi, hi * 2.0
        tau_hi = tau_at(hi)
        if hi > 1e6:
            raise ParameterError(f"{func} could not lower tau below {target}: noise does not change the ranking.")
    # Illinois false position on tau(s) - target, aiming at the middle of the tolerance band
    aim = tolerance / 4.0
    scale, tau = hi, tau_hi
    side = 0
    for _ in range(max_iter):
        if abs(tau - target) <= aim:
            break
        scale = hi - (tau_hi - target) * (hi - lo) / (tau_hi - tau_lo)
        if not lo < scale < hi:
            scale = 0.5 * (lo + hi)
        tau = tau_at(scale)
        if tau > target:
            lo, tau_lo = scale, tau
            if side == -1:
                tau_hi = target + (tau_hi - target) / 2.0
            side = -1
        else:
            hi, tau_hi = scale, tau
            if side == 1:
                tau_lo = target + (tau_lo - target) / 2.0
            side = 1
    if abs(tau - target) > tolerance:
        raise ParameterError(
            f"{func} did not reach tau {target} within {tolerance} after {max_iter} steps "
            f"(last tau {tau:.4f}); the grid may be too small for this tolerance."
        )
    logger.debug("perturb_to_tau: target %.3f reached %.4f with scale %.4f", target, tau, scale)
    return PerturbedSpace((flat + scale * noise).reshape(original.shape), tau, target, scale)


def _better_fraction(values: np.ndarray) -> np.ndarray:
    """Per grid point: fraction of all grid points with a strictly smaller value."""
    flat = values.ravel()
    return np.searchsorted(np.sort(flat), flat, side="left") / flat.size


def top_fraction(values, index) -> np.ndarray:
    """Fraction of grid points strictly better (smaller) than the points at ``index``.

    Parameters
    ----------
    values : numpy.ndarray
        The original grid (d axes).
    index : array-like of int, shape (..., d)
        Grid indices of the points to score.

    Examples
    --------
    >>> grid = np.array([[3.0, 1.0], [2.0, 0.0]])
    >>> top_fraction(grid, [[1, 1], [0, 0]]).tolist()
    [0.0, 0.75]
    """
    func = "top_fraction"
    grid = np.asarray(values, dtype=float)
    idx = np.asarray(index)
    if idx.shape[-1:] != (grid.ndim,) or not np.issubdtype(idx.dtype, np.integer):
        raise parameter_error("index", func, f"integer grid indices with a last axis of {grid.ndim}", idx.shape)
    if np.any(idx < 0) or np.any(idx >= np.array(grid.shape)):
        raise parameter_error("index", func, f"indices inside the grid shape {grid.shape}", "out-of-range indices")
    flat = np.ravel_multi_index(tuple(np.moveaxis(idx, -1, 0)), grid.shape)
    return _better_fraction(grid)[flat]
