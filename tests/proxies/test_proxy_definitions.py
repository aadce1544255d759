"""Each proxy computes its reference definition: checked against hand-computed values on small networks."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nasnb.proxies import (PROXIES, fisher, flops, grad_norm, grasp, jacob_cov, naswot, params, snip,  # noqa: E402
                           synflow, zen)


def small_net(seed=0):
    g = torch.Generator().manual_seed(seed)
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, bias=False), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(),
                        nn.Linear(3 * 4 * 4, 5))
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
    return net


def batch(n=6, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 2, 4, 4, generator=g), torch.arange(n) % 5


def test_synflow_of_a_linear_chain_is_depth_times_the_path_sum():
    # R = 1ᵀ|V||W|1 is linear in each layer, so Σ θ ∂R/∂θ = R per layer (Euler): 2 layers give 2R
    net = nn.Sequential(nn.Linear(3, 4, bias=False), nn.ReLU(), nn.Linear(4, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1., -2, 0], [0.5, 1, -1], [2, 0, 0], [-1, -1, -1]]))
        net[2].weight.copy_(torch.tensor([[1., 0, -3, 1], [0, 2, 0, -0.5]]))
    path_sum = float(net[2].weight.detach().abs().double().sum(0) @ net[0].weight.detach().abs().double().sum(1))
    assert synflow(net, torch.zeros(7, 3)) == pytest.approx(2 * path_sum, rel=1e-12)


def test_synflow_removes_batchnorm_uses_double_and_leaves_the_network_as_it_was():
    net = small_net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    no_bn = nn.Sequential(net[0], nn.Identity(), net[2], net[3], net[4])
    # the same score without the BN module: batch norm is disabled, not used in eval or train mode
    assert synflow(net, batch()[0]) == synflow(no_bn, batch()[0])
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert next(net.parameters()).dtype == torch.float32
    # data-free: the batch's contents do not matter, only its shape
    assert synflow(net, torch.zeros(1, 2, 4, 4)) == synflow(net, 5 * torch.ones(3, 2, 4, 4))


def manual_grads(net, x, y):
    net = net.train()
    net.zero_grad()
    nn.functional.cross_entropy(net(x), y).backward()
    return [(m.weight.detach().clone(), m.weight.grad.clone()) for m in (net[0], net[4])]


def test_snip_and_grad_norm_follow_their_definitions():
    x, y = batch()
    wg = manual_grads(small_net(), x, y)
    assert snip(small_net(), x, y) == pytest.approx(sum(float((w * g).abs().sum()) for w, g in wg), rel=1e-5)
    assert grad_norm(small_net(), x, y) == pytest.approx(sum(float(g.norm()) for _, g in wg), rel=1e-5)


def test_grasp_is_minus_theta_times_the_hessian_gradient_product():
    x, y = batch()
    net = small_net().train()
    weights = [net[0].weight, net[4].weight]

    def loss_of(w0, w4):
        h = nn.functional.conv2d(x, w0, None, padding=1)
        h = nn.functional.batch_norm(h, None, None, net[1].weight, net[1].bias, training=True)
        h = torch.relu(h).flatten(1)
        return nn.functional.cross_entropy(nn.functional.linear(h, w4, net[4].bias), y)

    g = torch.autograd.grad(loss_of(*weights), weights)
    _, hg = torch.autograd.functional.hvp(loss_of, tuple(w.detach() for w in weights), tuple(g))
    expected = sum(float((-w.detach() * h).sum()) for w, h in zip(weights, hg))
    assert grasp(small_net(), x, y) == pytest.approx(expected, rel=1e-4)


def test_fisher_sums_half_the_mean_squared_activation_gradient_products():
    x, y = batch()
    net = small_net().train()
    acts = []

    def keep(module, args, out):
        out.retain_grad()
        acts.append(out)

    for m in (net[0], net[4]):
        m.register_forward_hook(keep)
    nn.functional.cross_entropy(net(x), y).backward()
    expected = 0.0
    for a in acts:
        g = (a * a.grad).detach()
        g = g.sum(dim=(2, 3)) if g.dim() == 4 else g
        expected += float(g.pow(2).mean(0).mul(0.5).sum())
    assert fisher(small_net(), x, y) == pytest.approx(expected, rel=1e-5)


def test_naswot_is_the_log_determinant_of_the_activation_code_kernel():
    net = nn.Sequential(nn.Linear(3, 4, bias=False), nn.ReLU())
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1., 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]))
    x = torch.tensor([[1., 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, -1]])
    c = torch.tensor([[1., 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1], [1, 1, 0, 1]], dtype=torch.float64)
    k = c @ c.T + (1 - c) @ (1 - c).T  # 4 minus the Hamming distance of the codes
    assert naswot(net, x) == pytest.approx(float(torch.linalg.slogdet(k)[1]), rel=1e-12)


def test_jacob_cov_follows_the_reference_formula():
    x, _ = batch()
    net = small_net()
    xx = x.clone().requires_grad_(True)
    out = net.train()(xx)
    out.backward(torch.ones_like(out))
    corr = np.corrcoef(xx.grad.reshape(len(x), -1).numpy().astype(float))
    v = np.linalg.eigvalsh(corr)
    expected = -np.sum(np.log(v + 1e-5) + 1 / (v + 1e-5))
    assert jacob_cov(small_net(), x) == pytest.approx(expected, rel=1e-4)


def test_zen_is_seeded_and_reads_the_features_before_global_pooling():
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(4, 3))
    x = torch.zeros(8, 2, 4, 4)
    assert zen(net, x, seed=3) == zen(net, x, seed=3)
    assert zen(net, x, seed=3) != zen(net, x, seed=4)
    # the linear layer after the pooling does not enter the score (features before pooling)
    other = nn.Sequential(*net, nn.ReLU())  # draws nothing more, acts after the pooling
    assert zen(other, x, seed=3) == pytest.approx(zen(net, x, seed=3), rel=1e-12)


def test_params_and_flops_count_a_known_network():
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, bias=False), nn.ReLU(), nn.Flatten(), nn.Linear(48, 5))
    assert params(net) == 2 * 3 * 9 + 48 * 5 + 5
    assert flops(net, torch.zeros(4, 2, 4, 4)) == 3 * 16 * 2 * 9 + 5 * 48


@pytest.mark.parametrize("name", sorted(PROXIES))
def test_every_proxy_is_deterministic_for_a_seed_and_leaves_the_caller_network_alone(name):
    x, y = batch(8)
    net = small_net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    a = PROXIES[name](net, x, y, seed=0)
    assert math.isfinite(a)
    assert a == PROXIES[name](net, x, y, seed=0)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
