"""The proxies by name, and :func:`score_proxies`: several proxies of one network on one batch.

Examples
--------
>>> resolve_proxy("synflow").__name__
'synflow'
>>> resolve_proxy("synflo")  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
nasnb.exceptions.ParameterError: The 'proxies' parameter of score_proxies must be one of fisher, flops, grad_norm,
grasp, jacob_cov, naswot, params, snip, synflow, zen. Got 'synflo' instead.
>>> sorted(DATA_FREE)
['flops', 'params', 'synflow', 'zen']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from nasnb.exceptions import ParameterError
from nasnb.proxies.activation import jacob_cov, naswot
from nasnb.proxies.base import as_network
from nasnb.proxies.saliency import fisher, grad_norm, grasp, snip
from nasnb.proxies.size import flops, params
from nasnb.proxies.synaptic_flow import synflow
from nasnb.proxies.zen_score import zen

__all__ = ["PROXIES", "DATA_FREE", "NEEDS_TARGETS", "resolve_proxy", "score_proxies", "score_built"]

#: every proxy by name: ``f(net, inputs, targets=None, *, seed=0, copy=True) -> float``
PROXIES: Mapping[str, Callable[..., float]] = {
    "synflow": synflow,
    "snip": snip,
    "grasp": grasp,
    "fisher": fisher,
    "grad_norm": grad_norm,
    "jacob_cov": jacob_cov,
    "naswot": naswot,
    "zen": zen,
    "params": params,
    "flops": flops,
}
#: proxies that use only the shape of the batch (no data)
DATA_FREE = frozenset({"synflow", "zen", "params", "flops"})
#: proxies that need targets (a loss)
NEEDS_TARGETS = frozenset({"snip", "grasp", "fisher", "grad_norm"})
#: proxies that only read the network (no weight, mode or module changes): scored without a copy
_READS_ONLY = frozenset({"params", "flops"})


def resolve_proxy(name: Any, func: str = "score_proxies") -> Callable[..., float]:
    """The proxy function called ``name`` (a ``ParameterError`` listing the names otherwise)."""
    try:
        return PROXIES[name]
    except (KeyError, TypeError):
        raise ParameterError(
            f"The 'proxies' parameter of {func} must be one of {', '.join(sorted(PROXIES))}. Got {name!r} instead."
        ) from None


def check_proxies(proxies: Any, func: str) -> tuple[str, ...]:
    """``proxies`` as a tuple of known names (a single name is accepted); ``None`` means all."""
    if proxies is None:
        return tuple(PROXIES)
    if isinstance(proxies, str):
        proxies = (proxies,)
    names = tuple(proxies)
    if not names:
        raise ParameterError(f"The 'proxies' parameter of {func} must name at least one proxy.")
    for name in names:
        resolve_proxy(name, func)
    if len(set(names)) != len(names):
        raise ParameterError(f"The 'proxies' parameter of {func} names a proxy twice: {names}.")
    return names


def score_proxies(
    model: Any,
    inputs: torch.Tensor,
    targets: torch.Tensor | None = None,
    *,
    proxies: Sequence[str] | str | None = None,
    input_shape: Sequence[int] | None = None,
    num_outputs: int | None = None,
    seed: Any = 0,
    times: dict | None = None,
    **build_kwargs: Any,
) -> dict[str, float]:
    """Score one network with several proxies, each on a fresh copy of the same initial weights.

    Parameters
    ----------
    model : torch.nn.Module or NeuralDescriptor
        A descriptor is built once with :func:`nasnb.builders.build_network` (seeded by ``seed``).
    inputs : torch.Tensor
        One minibatch ``(batch, *input_shape)``; data-free proxies use only its shape.
    targets : torch.Tensor, optional
        One target per example; required by ``snip``, ``grasp``, ``fisher`` and ``grad_norm``.
    proxies : str or sequence of str, optional
        Names from :data:`PROXIES` (default all).
    input_shape, num_outputs, **build_kwargs
        How to build a descriptor (see :func:`~nasnb.proxies.base.as_network`).
    seed : int >= 0
        Seeds the build and the proxies' own draws (``zen``): same seed, same scores.
    times : dict, optional
        Filled with each proxy's seconds.

    Returns
    -------
    dict of str to float
        Proxy name → score, in the order asked.

    Raises
    ------
    ProxyError
        A proxy cannot score this network (no trainable weights, an overflow or NaN).
    ParameterError
        Unknown proxy names, a batch that does not fit the network, missing targets.
    """
    names = check_proxies(proxies, "score_proxies")
    if targets is None:
        missing = [n for n in names if n in NEEDS_TARGETS]
        if missing:
            raise ParameterError(
                f"The 'targets' parameter of score_proxies is required by {', '.join(missing)} "
                "(they differentiate a loss)."
            )
    net = as_network(model, input_shape, num_outputs, seed=seed, func="score_proxies", **build_kwargs)
    return score_built(net, names, inputs, targets, seed=seed, owned=net is not model, times=times)


def score_built(
    net: torch.nn.Module,
    names: Sequence[str],
    inputs: torch.Tensor,
    targets: torch.Tensor | None,
    *,
    seed: Any,
    owned: bool,
    times: dict | None = None,
) -> dict[str, float]:
    """Scores of ``net`` by the proxies ``names`` (checked), in that order, with as few copies as possible.

    The proxies that only read the network (``params``, ``flops``) score it first, as it is;
    each other proxy scores a deep copy, except the last one when ``owned`` (the network was
    built for scoring only): it consumes the network. A one-proxy table run (e.g. ``synflow``
    and ``params`` of 15,625 cells) therefore never copies a network.

    Examples
    --------
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 2))
    >>> s = score_built(net, ("synflow", "params"), torch.zeros(1, 3, 8, 8), None, seed=0, owned=False)
    >>> list(s), s["params"], net[0].weight.dtype  # a copy was scored: the network is as it was
    (['synflow', 'params'], 402.0, torch.float32)
    """
    order = sorted(range(len(names)), key=lambda i: names[i] not in _READS_ONLY)  # stable: readers first
    scores: dict[str, float] = {}
    for step, i in enumerate(order):
        name = names[i]
        start = time.perf_counter()
        consume = name in _READS_ONLY or (owned and step == len(order) - 1)
        scores[name] = PROXIES[name](net, inputs, targets, seed=seed, copy=not consume)
        if times is not None:
            times[name] = time.perf_counter() - start
    return {name: scores[name] for name in names}
