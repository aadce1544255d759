"""Bad input gives a named nasnb error (or a recorded failed row), never a silent NaN in a ranking."""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nasnb import NeuralDescriptor  # noqa: E402
from nasnb.exceptions import ParameterError  # noqa: E402
from nasnb.proxies import PROXIES, ProxyError, ProxyEvaluator, score_proxies  # noqa: E402
from nasnb.proxies.table import rank_correlations, score_candidates  # noqa: E402


def conv_descriptor(width=4):
    return NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": width, "kernel_size": 3}), "nn.ReLU"])


@pytest.mark.parametrize("name", ["synflow", "snip", "grasp", "fisher", "grad_norm", "zen", "flops"])
def test_a_network_without_trainable_weights_is_a_proxy_error_naming_the_proxy(name):
    net = nn.Sequential(nn.ReLU(), nn.Flatten())
    with pytest.raises(ProxyError, match=name):
        PROXIES[name](net, torch.randn(4, 3, 4, 4), torch.arange(4))


def test_frozen_weights_do_not_count_as_trainable():
    net = nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten())
    net.requires_grad_(False)
    with pytest.raises(ProxyError, match="no trainable"):
        PROXIES["synflow"](net, torch.zeros(1, 3, 4, 4))
    with pytest.raises(ProxyError, match="no trainable parameters"):
        PROXIES["params"](net)


def test_a_batch_of_the_wrong_shape_is_a_parameter_error_naming_both_shapes():
    from nasnb.builders import build_network

    net = build_network(conv_descriptor(), (3, 8, 8), 10)
    with pytest.raises(ParameterError, match=r"\(1, 8, 8\).*\(3, 8, 8\)"):
        PROXIES["synflow"](net, torch.zeros(2, 1, 8, 8))
    with pytest.raises(ParameterError, match="batch axis"):
        PROXIES["naswot"](net, torch.zeros(3))
    # a plain torch module: the forward pass decides, reported the same way
    plain = nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten())
    with pytest.raises(ParameterError, match=r"batch shape \(2, 1, 8, 8\)"):
        PROXIES["snip"](plain, torch.zeros(2, 1, 8, 8), torch.zeros(2, dtype=torch.long))


def test_loss_based_proxies_need_targets_one_per_example():
    net = nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten(), nn.Linear(8, 3))
    x = torch.randn(4, 3, 4, 4)
    with pytest.raises(ParameterError, match="targets"):
        PROXIES["snip"](net, x)
    with pytest.raises(ParameterError, match="3 entries for a batch of 4"):
        PROXIES["grad_norm"](net, x, torch.arange(3))
    with pytest.raises(ParameterError, match="snip, grasp"):
        score_proxies(net, x, proxies=("synflow", "snip", "grasp"))


def test_an_overflowing_score_is_a_proxy_error_not_inf():
    net = nn.Sequential(*[nn.Linear(8, 8, bias=False) for _ in range(12)])
    with torch.no_grad():
        for m in net:
            m.weight.fill_(1e30)  # 1e360 along every path: beyond double precision
    with pytest.raises(ProxyError, match="synflow score is inf"):
        PROXIES["synflow"](net, torch.zeros(1, 8))


def test_identical_examples_make_naswot_and_jacob_cov_undefined_not_nan():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    same = torch.ones(4, 3)
    with pytest.raises(ProxyError, match="singular"):
        PROXIES["naswot"](net, same)
    with pytest.raises(ProxyError, match="at least 2 examples"):
        PROXIES["jacob_cov"](net, torch.ones(1, 3))


def test_unknown_proxy_names_are_listed():
    with pytest.raises(ParameterError, match="synflow"):
        ProxyEvaluator("synflo", input_shape=(3, 8, 8))
    with pytest.raises(ParameterError, match="dataset.*snip"):
        ProxyEvaluator(("synflow", "snip"), input_shape=(3, 8, 8))
    with pytest.raises(ParameterError, match="fitness"):
        ProxyEvaluator("synflow", fitness="params", input_shape=(3, 8, 8))


def test_a_failed_candidate_is_a_row_with_its_reason_and_stays_out_of_the_ranking():
    def network(width):
        return conv_descriptor(width) if width else NeuralDescriptor.sequential(["nn.ReLU"])

    rows = score_candidates(network, [0, 2, 4, 8], ("synflow", "params"), input_shape=(3, 8, 8))
    assert [r["status"] for r in rows] == ["failed", "done", "done", "done"]
    assert "no trainable" in rows[0]["reason"] and "synflow" not in rows[0]
    corr = rank_correlations(rows, {0: 0.9, 2: 0.1, 4: 0.2, 8: 0.3}, ("params",))
    assert corr["params"] == {"rho": 1.0, "n": 3, "left_out": 1}
