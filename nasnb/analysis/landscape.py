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
from scipy import special, stats

from nasnb._validation import as_generator, check_choice, check_positive_int, parameter_error
from nasnb.analysis.ranking import as_scores
from nasnb.exceptions import ParameterError

__all__ = [
    "DEFAULT_RESOLUTION",
    "NOISES",
    "rastrigin",
    "rastrigin_grid",
    "PerturbedSpace",
    "perturb_to_tau",
    "top_fraction",
    "RastriginGrid",
    "PerturbedGrid",
    "perturb_grid",
]

logger = logging.getLogger(__name__)

DEFAULT_RESOLUTION = {1: 1000, 2: 100, 3: 50, 4: 20}
"""Grid points per axis used when ``resolution`` is not given (other d: ~10^5 points in all)."""

NOISES = ("gaussian", "uniform")
"""Noise distributions of the perturbation: standard normal, or uniform on ``[-0.5, 0.5)``."""

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
    >>> rastrigin_grid(4, 300)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nasnb.exceptions.ParameterError: A 4-D grid of resolution 300 has 8.1e+09 points and needs about 362.1 GiB ...
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
    noise: str = "gaussian",
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
    noise : {"gaussian", "uniform"}, default "gaussian"
        Distribution of the added noise ``z``: standard normal, or uniform on
        ``[-0.5, 0.5)`` (bounded: no point can jump far above the good ones).
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
    noise = check_choice(noise, NOISES, "noise", func)
    original = np.asarray(values, dtype=float)
    flat = as_scores(original.ravel(), "values", func, min_size=2)
    spread = float(flat.std())
    if spread == 0.0:
        raise parameter_error("values", func, "non-constant scores", "a constant array")
    if target == 1.0:
        return PerturbedSpace(original.copy(), 1.0, 1.0, 0.0)
    gen = as_generator(seed)
    draw = gen.standard_normal(flat.size) if noise == "gaussian" else gen.random(flat.size) - 0.5
    scale, tau = _calibrate(
        lambda s: float(stats.kendalltau(flat, flat + s * spread * draw).statistic), target, tolerance, max_iter, func
    )
    logger.debug("perturb_to_tau: target %.3f reached %.4f with scale %.4f", target, tau, scale)
    return PerturbedSpace((flat + scale * spread * draw).reshape(original.shape), tau, target, scale)


def _calibrate(tau_at, target: float, tolerance: float, max_iter: int, func: str) -> tuple[float, float]:
    """Find a noise scale ``s`` with ``|tau_at(s) - target| <= tolerance`` (bracketing + Illinois)."""
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
    return scale, tau


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


# --------------------------------------------------------------------------- lazy grids
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _hash_uniform(flat: np.ndarray, key: int) -> np.ndarray:
    """Counter-based uniforms in [0, 1): splitmix64 of ``flat * golden + key`` (one per grid point)."""
    with np.errstate(over="ignore"):
        z = np.asarray(flat).astype(np.uint64) * _GOLDEN + np.asarray(key, dtype=np.uint64)
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def _hashed_noise(flat, key, noise: str) -> np.ndarray:
    """Noise ``z`` per grid point: standard normal (inverse CDF) or uniform on [-0.5, 0.5)."""
    u = _hash_uniform(flat, key)
    return special.ndtri(u) if noise == "gaussian" else u - 0.5


class RastriginGrid:
    """Rastrigin on a ``resolution^dims`` grid, evaluated on demand (no array of all points).

    The grid is the same as :func:`rastrigin_grid` (``numpy.linspace(low, high, resolution)``
    per axis). Because Rastrigin is a sum of one term per axis, values, the range, the
    standard deviation over the grid and the exact fraction of grid points below a value
    (meet in the middle over two halves of the axes) need no array of ``resolution^dims``
    points, so 4-D grids of 100 points per axis (10^8 points) are cheap.

    Parameters
    ----------
    dims : int
    resolution : int >= 2
    low, high : float
        Domain bounds per axis (default ``[-5.12, 5.12]``).

    Examples
    --------
    >>> grid = RastriginGrid(3, 101)
    >>> grid.size, float(grid.min), round(float(grid.max), 2)
    (1030301, 0.0, 120.88)
    >>> dense = rastrigin_grid(2, 30)
    >>> small = RastriginGrid(2, 30)
    >>> bool(np.allclose(small.values(np.arange(900)), dense.ravel()))
    True
    >>> corner = small.values(np.array([0]))
    >>> float(small.fraction_below(corner)[0]) == float((dense < corner[0] - 1e-9).mean())
    True
    """

    def __init__(self, dims: int, resolution: int, *, low: float = -5.12, high: float = 5.12) -> None:
        func = "RastriginGrid"
        self.dims = check_positive_int(dims, "dims", func)
        self.resolution = _resolution(self.dims, resolution, func)
        if not (np.isfinite(low) and np.isfinite(high) and high > low):
            raise parameter_error("high", func, f"a finite number > low ({low})", high)
        self.low, self.high = float(low), float(high)
        self.axis = np.linspace(low, high, self.resolution)
        self.term = self.axis * self.axis - 10.0 * np.cos(2.0 * np.pi * self.axis)
        self.size = self.resolution**self.dims
        self.strides = np.array([self.resolution ** (self.dims - 1 - i) for i in range(self.dims)], dtype=np.int64)
        self.min = 10.0 * self.dims + self.dims * float(self.term.min())
        self.max = 10.0 * self.dims + self.dims * float(self.term.max())
        self.std = math.sqrt(self.dims) * float(self.term.std())
        self._halves = None

    @property
    def shape(self) -> tuple:
        """``(resolution,) * dims``."""
        return (self.resolution,) * self.dims

    def unravel(self, flat) -> np.ndarray:
        """Grid indices ``(..., dims)`` of flat indices."""
        flat = np.asarray(flat, dtype=np.int64)
        return np.stack([(flat // s) % self.resolution for s in self.strides], axis=-1)

    def values(self, flat) -> np.ndarray:
        """Rastrigin at flat grid indices (any shape)."""
        flat = np.asarray(flat, dtype=np.int64)
        total = np.full(flat.shape, 10.0 * self.dims)
        for s in self.strides:
            total = total + self.term[(flat // s) % self.resolution]
        return total

    def dense(self) -> np.ndarray:
        """The whole grid as an array (as :func:`rastrigin_grid`)."""
        return rastrigin_grid(self.dims, self.resolution, low=self.low, high=self.high)

    def _half_sums(self):
        if self._halves is None:
            first = self.dims // 2
            halves = []
            for n in (first, self.dims - first):
                sums = np.zeros(1)
                for _ in range(n):
                    sums = np.add.outer(sums, self.term).ravel()
                values, counts = np.unique(np.round(sums, 9), return_counts=True)
                halves.append((values, counts))
            (a, ca), (b, cb) = halves
            self._halves = (a, np.concatenate([[0], np.cumsum(ca)]), b, cb)
        return self._halves

    def fraction_below(self, value) -> np.ndarray:
        """Exact fraction of grid points whose value is strictly below each ``value``.

        Values within ``1e-9`` of a grid value count as equal (symmetric grid points tie).
        """
        value = np.asarray(value, dtype=float)
        a, cum_a, b, cb = self._half_sums()
        flat = value.ravel() - 10.0 * self.dims - 1e-9
        out = np.empty(flat.size)
        for start in range(0, flat.size, 2048):
            chunk = flat[start : start + 2048]
            pos = np.searchsorted(a, chunk[:, None] - b[None, :], side="left")
            out[start : start + 2048] = (cum_a[pos] * cb[None, :]).sum(axis=1)
        return (out / self.size).reshape(value.shape)

    def settings(self) -> dict:
        """JSON-ready description."""
        return {
            "function": "rastrigin",
            "dims": self.dims,
            "resolution": self.resolution,
            "domain": [self.low, self.high],
            "points": int(self.size),
        }


@dataclass(frozen=True)
class PerturbedGrid:
    """A :class:`RastriginGrid` plus hashed noise: ``f(i) + scale * std(f) * z(i)``, on demand.

    ``z(i)`` is a counter-based draw (splitmix64 of the flat index and ``key``), so the same
    key gives the same noisy landscape without storing it.

    Attributes
    ----------
    grid : RastriginGrid
    noise : {"gaussian", "uniform"}
    scale : float
        ``s`` (0 for the original function).
    key : int
    tau : float
        Kendall tau-b to the original, measured on ``sample_size`` grid points (all points
        when the grid is no larger).
    target_tau : float
    sample_size : int
    """

    grid: RastriginGrid
    noise: str
    scale: float
    key: int
    tau: float
    target_tau: float
    sample_size: int

    def draw(self, flat) -> np.ndarray:
        """The noise ``z`` at flat indices."""
        return _hashed_noise(flat, self.key, self.noise)

    def values(self, flat) -> np.ndarray:
        """Perturbed values at flat indices."""
        base = self.grid.values(flat)
        if self.scale == 0.0:
            return base
        return base + self.scale * self.grid.std * self.draw(flat)


def perturb_grid(
    grid: RastriginGrid,
    target_tau: float,
    *,
    noise: str = "gaussian",
    seed=None,
    sample_size: int = 200_000,
    tolerance: float = 0.005,
    max_iter: int = 60,
) -> PerturbedGrid:
    """Calibrate hashed noise on a :class:`RastriginGrid` to a target Kendall tau.

    Like :func:`perturb_to_tau`, but the noise is a function of the grid index, so the
    perturbed landscape is never stored; tau is measured exactly on grids of at most
    ``sample_size`` points and on a seeded sample of that many points otherwise (standard
    error about ``0.0015`` at the default).

    Examples
    --------
    >>> space = perturb_grid(RastriginGrid(2, 100), 0.85, noise="uniform", seed=0)
    >>> abs(space.tau - 0.85) <= 0.005, space.sample_size
    (True, 10000)
    >>> bool(np.array_equal(space.values(np.arange(5)), space.values(np.arange(5))))
    True
    """
    func = "perturb_grid"
    if not isinstance(grid, RastriginGrid):
        raise parameter_error("grid", func, "a RastriginGrid", type(grid).__name__)
    target = _check_tau(target_tau, func)
    noise = check_choice(noise, NOISES, "noise", func)
    sample_size = check_positive_int(sample_size, "sample_size", func)
    if not (isinstance(tolerance, (int, float)) and 0 < tolerance < 1):
        raise parameter_error("tolerance", func, "a number in (0, 1)", tolerance)
    gen = as_generator(seed)
    key = int(gen.integers(2**63))
    if target == 1.0:
        return PerturbedGrid(grid, noise, 0.0, key, 1.0, 1.0, 0)
    if grid.size <= sample_size:
        flat = np.arange(grid.size)
    else:
        flat = np.unique(gen.integers(0, grid.size, size=sample_size))
    base = grid.values(flat)
    draw = PerturbedGrid(grid, noise, 1.0, key, 0.0, target, 0).draw(flat) * grid.std
    scale, tau = _calibrate(
        lambda s: float(stats.kendalltau(base, base + s * draw).statistic), target, tolerance, max_iter, func
    )
    logger.debug(
        "perturb_grid: %s target %.3f reached %.4f (scale %.4f, %d points)", noise, target, tau, scale, flat.size
    )
    return PerturbedGrid(grid, noise, float(scale), key, float(tau), target, int(flat.size))
