"""LocalEvaluator: accuracy, determinism, argument errors, candidate statuses, pickling."""

import math
import pickle

import cloudpickle
import numpy as np
import pytest
import torch

from nasnb import NeuralDescriptor
from nasnb.data import DatasetRegistry, default_datasets
from nasnb.evaluators import LocalEvaluator, assure_reproducibility, train_epoch, train_epochs
from nasnb.exceptions import DatasetError, ParameterError
from nasnb.results import EvaluationResult


@pytest.fixture(scope="module")
def registry():
    return default_datasets()  # shared so digits/mnist1d load once per module


@pytest.fixture(scope="module")
def evaluator(registry):
    return LocalEvaluator("Adam", {"lr": 0.01}, batch_size=64, device="cpu", datasets=registry)


def conv_descriptor():
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 16, "kernel_size": 3, "padding": 1})
    d.add_layer_sequential("nn.ReLU")
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 16, "out_channels": 16, "kernel_size": 3})
    d.add_layer_sequential("nn.ReLU")
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
    return d


def test_digits_reaches_90_percent_and_is_bit_identical(evaluator):
    """Issue 3, done-when 4: 10 epochs of Adam on digits, test accuracy >= 0.90, same seed same loss."""
    first = evaluator.descriptor_evaluate(conv_descriptor(), 10, "digits", seed=7)
    assert first.status == "done", first.message
    assert first.metrics["accuracy"] >= 0.90
    assert first.fitness == first.metrics["accuracy"]
    again = evaluator.descriptor_evaluate(conv_descriptor(), 10, "digits", seed=7)
    assert again.loss == first.loss and again.metrics == first.metrics  # bit-identical on the CPU
    other = evaluator.descriptor_evaluate(conv_descriptor(), 1, "digits", seed=8)
    assert other.loss != first.loss


def test_mnist1d_one_dimensional_descriptor_trains_above_chance(evaluator):
    """Chance is 0.10; a small 1-D conv net reaches well over 0.30 after 2 epochs (0.51 measured)."""
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv1d", {"in_channels": 1, "out_channels": 16, "kernel_size": 5, "padding": 2})
    d.add_layer_sequential("nn.ReLU")
    d.add_layer_sequential("nn.MaxPool1d", {"kernel_size": 2})
    d.add_layer_sequential("nn.Conv1d", {"in_channels": 16, "out_channels": 16, "kernel_size": 3, "padding": 1})
    d.add_layer_sequential("nn.ReLU")
    result = evaluator.descriptor_evaluate(d, 2, "mnist1d", seed=0)
    assert result.status == "done", result.message
    assert result.metrics["accuracy"] > 0.30


def test_non_positive_epochs_is_a_parameter_error(evaluator):
    with pytest.raises(ParameterError, match=r"'epochs' parameter of descriptor_evaluate .* Got 0 instead"):
        evaluator.descriptor_evaluate(conv_descriptor(), 0, "digits")
    with pytest.raises(ValueError, match="'epochs'"):
        evaluator.descriptor_evaluate(conv_descriptor(), -1, "digits")


def test_unknown_dataset_is_a_dataset_error(evaluator):
    with pytest.raises(DatasetError, match=r"Unknown dataset 'cifar100'.*Registered datasets: .*'digits'"):
        evaluator.descriptor_evaluate(conv_descriptor(), 1, "cifar100")


@pytest.mark.parametrize("percentage", [0.0, 1.5, -0.2])
def test_percentage_outside_unit_interval_is_a_parameter_error(evaluator, percentage):
    with pytest.raises(ParameterError, match=rf"'percentage' parameter of descriptor_evaluate .* Got {percentage}"):
        evaluator.descriptor_evaluate(conv_descriptor(), 1, "digits", percentage=percentage)


def test_invalid_descriptor_reports_status_invalid(evaluator):
    d = NeuralDescriptor()
    a = d.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3})
    b = d.add_layer("nn.ReLU")
    d.add_layer("nn.ReLU")  # a second sink: input/output ambiguous, and unknown layer below
    d.connect_layers(a, b)
    bad = NeuralDescriptor.sequential(["not_a_layer"])
    for candidate in (d, bad):
        result = evaluator.descriptor_evaluate(candidate, 1, "digits", seed=0)
        assert result.status == "invalid" and result.fitness == 0.0 and math.isnan(result.loss)
        assert result.message
    kernel = NeuralDescriptor.sequential([("nn.Conv2d", {"in_channels": 1, "out_channels": 2, "kernel_size": 9})])
    result = evaluator.descriptor_evaluate(kernel, 1, "digits", seed=0)
    assert result.status == "invalid" and "9" in result.message


def test_diverging_training_reports_diverged(registry):
    ev = LocalEvaluator("SGD", {"lr": 1e6}, batch_size=64, device="cpu", datasets=registry)
    result = ev.descriptor_evaluate(conv_descriptor(), 3, "digits", percentage=0.3, seed=0)
    assert result.status == "diverged" and "loss" in result.message and result.fitness == 0.0


def test_partial_training_and_constructor_validation(evaluator):
    result = evaluator.descriptor_evaluate(conv_descriptor(), 1, "digits", percentage=0.1, seed=0)
    assert result.ok
    assert len(evaluator.splits("digits", 0.1).train_tensors[0]) == 144  # ceil(0.1 * 1437)
    with pytest.raises(ParameterError, match="'optimizer_class'"):
        LocalEvaluator("Adamm")
    with pytest.raises(ParameterError, match="'batch_size'"):
        LocalEvaluator("Adam", batch_size=0)
    with pytest.raises(ParameterError, match="'merge'"):
        LocalEvaluator("Adam", merge="concat")


def test_evaluator_pickles_arguments_only(evaluator):
    evaluator.splits("digits")  # fill the cache
    assert evaluator._cache
    clone = cloudpickle.loads(cloudpickle.dumps(evaluator))
    assert clone._cache == {} and clone.optimizer_params == {"lr": 0.01}
    assert pickle.loads(pickle.dumps(LocalEvaluator(torch.optim.SGD, {"lr": 0.1}))).optimizer_class is torch.optim.SGD
    x = np.random.default_rng(0).normal(size=(40, 1, 4, 4)).astype(np.float32)
    reg = DatasetRegistry()
    reg.add_classification_dataset("lam", 2, (1, 4, 4), 1, lambda: (x, np.arange(40) % 2, x, np.arange(40) % 2))
    ev = cloudpickle.loads(cloudpickle.dumps(LocalEvaluator("Adam", device="cpu", datasets=reg)))
    d = NeuralDescriptor.sequential([("nn.Conv2d", {"in_channels": 1, "out_channels": 2, "kernel_size": 3})])
    res = ev.descriptor_evaluate(d, 1, "lam", seed=1)
    assert isinstance(res, EvaluationResult) and res.ok


def test_shared_training_loop_calls_the_gradient_hook():
    torch.manual_seed(0)
    x, y = torch.randn(32, 3), torch.randint(0, 2, (32,))
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    seen = []

    def hook(m):
        seen.append(m.weight.grad is not None)

    batches = [(x[:16], y[:16]), (x[16:], y[16:])]
    loss = train_epoch(model, batches, opt, torch.nn.functional.cross_entropy, after_backward=hook)
    assert seen == [True, True] and math.isfinite(loss)
    losses = train_epochs(model, batches, opt, torch.nn.functional.cross_entropy, 2, grad_hook=hook)
    assert len(losses) == 2 and len(seen) == 6


def test_assure_reproducibility_seeds_every_generator():
    import random

    try:
        assure_reproducibility(3)
        a = (random.random(), np.random.random(), torch.rand(1).item())
        assure_reproducibility(3)
        assert a == (random.random(), np.random.random(), torch.rand(1).item())
        assert torch.are_deterministic_algorithms_enabled()
    finally:
        torch.use_deterministic_algorithms(False)
    with pytest.raises(ParameterError, match="'seed'"):
        assure_reproducibility(-1)


def test_thread_pool_gives_the_serial_results_with_dropout(registry):
    """Dropout draws from each network's own generator: concurrent evaluations do not mix draws."""
    from concurrent.futures import ThreadPoolExecutor

    ev = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=32, datasets=registry)
    descriptors = [NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 6 + k, "kernel_size": 3}),
                                                ("nn.Dropout2d", {"p": 0.4}), ("nn.ReLU", {}),
                                                ("nn.Dropout", {"p": 0.3})]) for k in range(4)]

    def run(d):
        r = ev.descriptor_evaluate(d, 1, "digits", percentage=0.3, seed=7)
        assert r.status == "done", r
        return r.loss

    serial = [run(d) for d in descriptors]
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    with ThreadPoolExecutor(4) as pool:
        pooled = list(pool.map(run, descriptors))
    assert pooled == serial
    assert torch.equal(torch.rand(3), before)   # the caller's global generator is untouched


def test_layers_without_a_private_generator_still_train_deterministically(registry):
    from concurrent.futures import ThreadPoolExecutor

    ev = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=32, datasets=registry)
    d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 6, "kernel_size": 3}), ("nn.ReLU", {}),
                                     ("nn.AlphaDropout", {"p": 0.2})])

    def run(_):
        r = ev.descriptor_evaluate(d, 1, "digits", percentage=0.3, seed=1)
        assert r.status == "done", r
        return r.loss

    serial = run(0)
    with ThreadPoolExecutor(3) as pool:
        pooled = list(pool.map(run, range(3)))
    assert pooled == [serial] * 3
