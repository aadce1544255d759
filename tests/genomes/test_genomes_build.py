"""Issue 5, done-when 3: 100 randomly mutated genomes of each gene set become descriptors
that build and run a forward pass, or are reported invalid with a reason."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nasnb.builders import build_network  # noqa: E402
from nasnb.exceptions import BuildError, DescriptorError  # noqa: E402
from nasnb.spaces import conv_block_space, graphsage_space, layer_choice_space  # noqa: E402

N_GENOMES = 100


def mutated_genomes(space, n=N_GENOMES, mutations=8):
    """Genome i: a sample mutated ``mutations`` times, all from seed i."""
    out = []
    for i in range(n):
        rng = np.random.default_rng(i)
        g = space.sample(rng)
        for _ in range(mutations):
            g = space.mutate(g, rng)
        out.append(g)
    return out


def build_and_run(space, genomes, input_shape, **build_kwargs):
    """``(built, invalid)``: counts; every invalid genome must come with a reason."""
    built, invalid = 0, []
    torch.manual_seed(0)
    for g in genomes:
        reason = space.invalid_reason(g)
        if reason is not None:
            invalid.append(reason)
            continue
        descriptor = space.to_descriptor(g)
        descriptor.validate()
        try:
            net = build_network(descriptor, input_shape, 10, **build_kwargs)
        except BuildError as exc:
            invalid.append(str(exc))
            continue
        net.eval()
        with torch.no_grad():
            y = net(torch.randn(2, *input_shape))
        assert y.shape == (2, 10) and torch.isfinite(y).all()
        built += 1
    assert all(isinstance(r, str) and len(r) > 10 for r in invalid)
    return built, invalid


@pytest.mark.parametrize("input_shape", [(1, 28, 28), (1, 8, 8)])
def test_chapter6_genomes_build_and_run(input_shape):
    space = layer_choice_space()
    # fixed_channels 8 instead of the thesis' 64 keeps the test fast; the structure is the same
    built, invalid = build_and_run(space, mutated_genomes(space), input_shape, fixed_channels=8)
    assert built + len(invalid) == N_GENOMES
    assert built >= 60, invalid[:3]


@pytest.mark.parametrize("chapter, n", [(4, N_GENOMES), (5, 30)])  # ch. 5 (up to 256 filters): 30 keep it fast
def test_conv_block_genomes_build_and_run(chapter, n):
    space = conv_block_space(chapter, max_layers=12)
    built, invalid = build_and_run(space, mutated_genomes(space, n), (3, 8, 8))
    assert built + len(invalid) == n
    assert built >= 0.6 * n, invalid[:3]


def test_graphsage_genomes_become_gcns_that_run():
    pytest.importorskip("torch_geometric")
    from nasnb.predictors.egraph import GraphEmbedder

    space = graphsage_space()
    # two tiny graphs: 3 and 2 nodes, 5 features each
    x = torch.randn(5, 5)
    edge_index = torch.tensor([[0, 1, 3], [1, 2, 4]])
    batch = torch.tensor([0, 0, 0, 1, 1])
    built, invalid = 0, []
    for g in mutated_genomes(space):
        reason = space.invalid_reason(g)
        if reason is not None:
            invalid.append(reason)
            continue
        d = space.to_descriptor(g)
        assert d.layer("output").type == "readout"
        assert d.layer("output").params["readout"] == g.hyper_dict["readout"]
        try:
            model = GraphEmbedder(d, 5, base_width=4)
        except BuildError as exc:  # e.g. no active GraphSAGE layer left
            invalid.append(str(exc))
            continue
        assert model.readout == g.hyper_dict["readout"]
        with torch.no_grad():
            emb = model(x, edge_index, batch, num_graphs=2)
        assert emb.shape == (2, model.embedding_size)
        built += 1
    assert built + len(invalid) == N_GENOMES and built >= 60


def test_invalid_genomes_are_reported_not_raised_by_the_space():
    space = layer_choice_space()
    g = mutated_genomes(space, 1)[0]
    dead = g.replace(connections=tuple(type(c)(c.innovation, c.src, c.dst, False) for c in g.connections))
    with pytest.raises(DescriptorError, match="Invalid genome: no enabled path"):
        space.to_descriptor(dead)
