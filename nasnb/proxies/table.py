"""Score many candidates of a space, one network build each: :func:`score_candidates`.

The engine-side loop of a proxy table (e.g. all 15,625 NAS-Bench-201 cells): each candidate's
network is built once (seeded); the proxies that only read it (``params``, ``flops``) score it as
it is, every other proxy scores a copy of it but the last, which consumes it (no copy; see
:func:`~nasnb.proxies.registry.score_built`), and a candidate that a proxy cannot score becomes a
row with its reason instead of a score -- so a ranking never holds a NaN. :func:`rank_correlations`
turns such rows and a table of recorded accuracies into Spearman ρ per proxy, counting the failed
rows it left out.

Examples
--------
>>> from nasnb import NeuralDescriptor
>>> def net(width):  # a toy space: the candidate is a channel count
...     return NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": width, "kernel_size": 3}), "nn.ReLU"])
>>> rows = score_candidates(net, [2, 4, 8], ("synflow", "params"), input_shape=(3, 8, 8))
>>> [r["params"] for r in rows]
[56.0, 112.0, 224.0]
>>> rank_correlations(rows, {2: 0.1, 4: 0.2, 8: 0.3}, ("params",))["params"]["rho"]
1.0
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from nasnb.exceptions import BuildError, DescriptorError, ParameterError
from nasnb.proxies.base import ProxyError, as_network
from nasnb.proxies.registry import NEEDS_TARGETS, check_proxies, score_built

__all__ = ["score_candidates", "rank_correlations"]


def score_candidates(
    network: Callable[[Any], Any],
    candidates: Iterable[Any],
    proxies: Sequence[str] | str,
    *,
    input_shape: Sequence[int],
    num_outputs: int | None = None,
    batch: Any = None,
    seed: int = 0,
    key: Callable[[Any], Any] | None = None,
    threads: int | None = 1,
    **build_kwargs: Any,
) -> list[dict[str, Any]]:
    """One row per candidate: ``{"key", proxy scores..., "seconds", "status", "reason"}``.

    Parameters
    ----------
    network : callable
        Candidate → descriptor (or torch module), e.g. ``NASBench201.network``.
    candidates : iterable
    proxies : str or sequence of str
    input_shape : tuple of int
        Example shape; the data-free proxies score a batch of one zero example of it.
    num_outputs : int, optional
        Head outputs of the builder (``None``: no head, for descriptors with their own classifier).
    batch : (inputs, targets), optional
        The minibatch of the data-dependent proxies.
    seed : int
        Seeds every network's weights (the same for every candidate, as in the reference code's
        single initialisation per network).
    key : callable, optional
        Candidate → the row's ``key`` (default the candidate itself).
    threads : int or None, default 1
        Torch threads while scoring (restored afterwards).

    Returns
    -------
    list of dict
        ``status`` is ``"done"``, ``"failed"`` (a :class:`ProxyError`; ``reason`` says why) or
        ``"invalid"`` (the network cannot be built); a non-done row holds no score.
    """
    names = check_proxies(proxies, "score_candidates")
    inputs, targets = batch if batch is not None else (torch.zeros((1, *input_shape)), None)
    if targets is None and any(n in NEEDS_TARGETS for n in names):
        raise ParameterError(
            "The 'batch' parameter of score_candidates must hold (inputs, targets) for "
            f"{', '.join(n for n in names if n in NEEDS_TARGETS)}."
        )
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    rows = []
    try:
        for candidate in candidates:
            start = time.perf_counter()
            row: dict[str, Any] = {"key": candidate if key is None else key(candidate)}
            try:
                net = as_network(
                    network(candidate), input_shape, num_outputs, seed=seed, func="score_candidates", **build_kwargs
                )
                row.update(score_built(net, names, inputs, targets, seed=seed, owned=True))
                row.update(status="done", reason="")
            except ProxyError as exc:
                row = {"key": row["key"], "status": "failed", "reason": str(exc)}
            except (DescriptorError, BuildError) as exc:
                row = {"key": row["key"], "status": "invalid", "reason": f"{type(exc).__name__}: {exc}"}
            row["seconds"] = time.perf_counter() - start
            rows.append(row)
    finally:
        torch.set_num_threads(previous)
    return rows


def rank_correlations(
    rows: Sequence[Mapping[str, Any]], accuracy: Mapping[Any, float], proxies: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Spearman ρ of each proxy against ``accuracy`` (key → recorded accuracy) over the done rows.

    Returns ``{proxy: {"rho", "n", "left_out"}}``: ``left_out`` counts the rows that were not done
    (or have no accuracy); they take no part in ρ.
    """
    from nasnb.analysis import spearman_rho

    out = {}
    for name in proxies:
        pairs = [
            (r[name], accuracy[r["key"]])
            for r in rows
            if r.get("status") == "done" and r["key"] in accuracy and name in r
        ]
        if len(pairs) < 3:
            raise ParameterError(
                f"rank_correlations needs at least 3 scored rows of {name!r} with an accuracy; got {len(pairs)}."
            )
        x, y = np.array(pairs, dtype=float).T
        out[name] = {"rho": float(spearman_rho(x, y)), "n": len(pairs), "left_out": len(rows) - len(pairs)}
    return out
