"""Zero-cost proxies: score a network at initialisation from one minibatch (or none).

Each proxy follows its paper's reference code (named in its module's docstring):
``synflow`` (data-free; no batch norm, double precision, an input of ones), ``snip``,
``grasp``, ``fisher``, ``grad_norm`` (one minibatch and its loss), ``jacob_cov``, ``naswot``
(one minibatch, no labels), ``zen`` (data-free, Gaussian inputs), and the size baselines
``params`` and ``flops``. :func:`score_proxies` scores a torch network or a descriptor (built by
:func:`nasnb.builders.build_network`) with several proxies, each on a fresh copy of the same
initial weights; :class:`ProxyEvaluator` is an evaluator like any other (inline, thread pools,
cluster engines; its scores are recorded as metrics of the study). A score that overflows or is
NaN raises :class:`ProxyError` (the evaluator records a ``failed`` row with the reason).

Examples
--------
>>> import torch
>>> from nasnb import NeuralDescriptor
>>> from nasnb.proxies import score_proxies
>>> d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 8, "kernel_size": 3}), "nn.ReLU"])
>>> s = score_proxies(d, torch.zeros(4, 3, 8, 8), proxies=("synflow", "params"), input_shape=(3, 8, 8),
...                   num_outputs=10, seed=0)
>>> sorted(s), s["params"] > 0
(['params', 'synflow'], True)
"""

from __future__ import annotations

from nasnb._lazy import lazy_exports

_EXPORTS = {
    "synflow": "nasnb.proxies.synaptic_flow",
    "snip": "nasnb.proxies.saliency",
    "grasp": "nasnb.proxies.saliency",
    "fisher": "nasnb.proxies.saliency",
    "grad_norm": "nasnb.proxies.saliency",
    "jacob_cov": "nasnb.proxies.activation",
    "naswot": "nasnb.proxies.activation",
    "zen": "nasnb.proxies.zen_score",
    "params": "nasnb.proxies.size",
    "flops": "nasnb.proxies.size",
    "ProxyError": "nasnb.proxies.base",
    "PROXIES": "nasnb.proxies.registry",
    "DATA_FREE": "nasnb.proxies.registry",
    "NEEDS_TARGETS": "nasnb.proxies.registry",
    "resolve_proxy": "nasnb.proxies.registry",
    "score_proxies": "nasnb.proxies.registry",
    "ProxyEvaluator": "nasnb.proxies.evaluator",
    "proxy_batch": "nasnb.proxies.evaluator",
    "score_candidates": "nasnb.proxies.table",
    "rank_correlations": "nasnb.proxies.table",
    "proxy_fidelity": "nasnb.proxies.fidelity",
    "measured_proxies": "nasnb.proxies.fidelity",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
