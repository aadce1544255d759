"""Scores of how a network at initialisation separates the examples of one minibatch:
``jacob_cov`` and ``naswot``.

* ``jacob_cov`` -- Mellor et al., "Neural Architecture Search without Training", arXiv v1 (2020),
  as implemented by Abdelfattah et al. (github.com/mohsaied/zero-cost-nas,
  ``measures/jacob_cov.py``, ``bn=True``): the Jacobian ``J`` of the summed outputs with respect to
  the inputs (one row per example, the network in training mode), the correlation matrix ``Σ`` of
  its rows, and ``-sum(log(λ + k) + 1 / (λ + k))`` over its eigenvalues ``λ`` with ``k = 1e-5``.
  We take the eigenvalues with a symmetric solver (``eigvalsh``), where the reference's
  general ``eig`` may return complex round-off.
* ``naswot`` -- Mellor et al., ICML 2021 (the published version; github.com/BayesWatch/nas-without-training,
  ``score_networks.py``): every ReLU's input is coded as binary ``c = (x > 0)`` per example;
  ``K = Σ_ReLUs c cᵀ + (1 - c)(1 - c)ᵀ`` counts for each pair of examples the units on which they
  agree; the score is ``log |det K|``. The reference runs the network in training mode after
  ``zero_grad``; so do we (no gradient is needed).

Examples
--------
>>> import torch
>>> g = torch.Generator().manual_seed(0)
>>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
...                           torch.nn.Flatten(), torch.nn.Linear(8 * 6 * 6, 10))
>>> x = torch.randn(8, 3, 8, 8, generator=g)
>>> naswot(net, x) > 0, isinstance(jacob_cov(net, x), float)
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from nasnb.proxies.base import ProxyError, check_inputs, finite, forward, training_copy

__all__ = ["jacob_cov", "naswot"]

_K = 1e-5


def jacob_cov(
    net: torch.nn.Module, inputs: torch.Tensor, targets: Any = None, *, seed: Any = 0, copy: bool = True
) -> float:
    """Score of the correlations of the input Jacobians of a minibatch (module docstring).

    Needs at least two examples; ``targets`` is unused, ``seed`` seeds the dropout masks (if any).
    """
    inputs = check_inputs(net, inputs, "jacob_cov")
    if inputs.shape[0] < 2:
        raise ProxyError(
            "jacob_cov correlates the Jacobians of the examples of a batch; it needs at least 2 "
            f"examples, got a batch of {inputs.shape[0]}."
        )
    net = training_copy(net, copy, seed, "jacob_cov")
    x = inputs.detach().clone().requires_grad_(True)
    y = forward(net, x, "jacob_cov")
    y.backward(torch.ones_like(y))
    if x.grad is None:
        raise ProxyError("jacob_cov: the network's output does not depend on its input.")
    jac = x.grad.reshape(x.shape[0], -1).double().numpy()
    with np.errstate(all="ignore"):
        corr = np.corrcoef(jac)
    if not np.all(np.isfinite(corr)):
        raise ProxyError(
            "jacob_cov: an example's input Jacobian is constant, so its correlations are undefined "
            "(NaN); the score cannot take part in a ranking."
        )
    eig = np.linalg.eigvalsh(corr)
    return finite("jacob_cov", -np.sum(np.log(eig + _K) + 1.0 / (eig + _K)))


def naswot(
    net: torch.nn.Module, inputs: torch.Tensor, targets: Any = None, *, seed: Any = 0, copy: bool = True
) -> float:
    """``log |det K|`` of the ReLU activation-pattern kernel of a minibatch (module docstring).

    The network must contain ``nn.ReLU`` modules (a :class:`ProxyError` otherwise).
    """
    inputs = check_inputs(net, inputs, "naswot")
    net = training_copy(net, copy, seed, "naswot")
    relus = [m for m in net.modules() if isinstance(m, torch.nn.ReLU)]
    if not relus:
        raise ProxyError("naswot codes the inputs of the network's nn.ReLU modules; this network has none.")
    n = inputs.shape[0]
    kernel = torch.zeros((n, n), dtype=torch.float64)

    def count(module: torch.nn.Module, args: tuple) -> None:
        c = (args[0].detach().reshape(n, -1) > 0).double()
        kernel.add_(c @ c.t()).add_((1.0 - c) @ (1.0 - c).t())

    handles = [m.register_forward_pre_hook(count) for m in relus]
    try:
        with torch.no_grad():
            forward(net, inputs, "naswot")
    finally:
        for h in handles:
            h.remove()
    sign, logdet = torch.linalg.slogdet(kernel)
    if float(sign) == 0.0:
        raise ProxyError(
            "naswot: the activation-pattern kernel is singular (two examples share every ReLU "
            "pattern), so log |det K| is -inf."
        )
    return finite("naswot", logdet)
