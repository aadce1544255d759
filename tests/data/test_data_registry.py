"""Dataset registry, loader forms and seeded splits."""

import numpy as np
import pytest
import torch

from nasnb import NeuralDescriptor
from nasnb.data import DatasetConfig, DatasetRegistry, default_datasets, load_splits
from nasnb.data.splits import load_data, make_splits
from nasnb.evaluators import LocalEvaluator
from nasnb.exceptions import DatasetError, ParameterError


def _toy_arrays(n=96, classes=3, shape=(2, 6, 6), seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(classes, size=n)
    x = rng.normal(size=(n, *shape)) + y[:, None, None, None]
    return x.astype(np.float32), y


def test_default_datasets_returns_a_new_registry_each_call():
    a, b = default_datasets(), default_datasets()
    a.add_classification_dataset("mine", 2, (4, 4), 1, lambda: None)
    assert "mine" in a and "mine" not in b
    assert b.names() == ["activity_recognition", "cifar10", "digits", "fashion-mnist", "mnist1d"]
    assert b.get("cifar10").input_shape == (3, 32, 32)
    assert b.get("activity_recognition").num_outputs == 7


def test_unknown_dataset_lists_known_names():
    with pytest.raises(DatasetError, match=r"Unknown dataset 'digit'.*'digits'.*Registered datasets"):
        default_datasets().get("digit")


def test_registration_options_and_shapes():
    reg = DatasetRegistry()
    c = reg.add_classification_dataset("img", 10, (28, 28), 1, lambda: None, fixed_channels=64, head="linear")
    assert c.input_shape == (1, 28, 28) and c.fixed_channels == 64 and c.head == "linear"
    assert c.loss == "cross_entropy" and c.metrics == ("accuracy",) and c.organisation == "matrix"
    assert reg.add_classification_dataset("img3", 10, (3, 32, 32), 3, lambda: None).input_shape == (3, 32, 32)
    r = reg.add_regression_dataset("flat", 2, (5,), None, lambda: None)
    assert r.input_shape == (5,) and r.task == "regression" and r.loss == "mse" and r.fitness_metric == "mse"
    with pytest.raises(DatasetError, match="already registered"):
        reg.add_regression_dataset("flat", 2, (5,), None, lambda: None)
    with pytest.raises(ParameterError, match="'metrics'"):
        reg.add_classification_dataset("bad", 2, (5,), None, lambda: None, metrics=("f1",))
    with pytest.raises(ParameterError, match="'organisation'"):
        reg.add_classification_dataset("bad", 2, (5,), None, lambda: None, organisation="table")


def test_user_registered_dataset_builds_trains_and_has_right_output_shape():
    """Issue 3, done-when 1: a network evaluated on a dataset the user registers."""
    x, y = _toy_arrays()

    def my_loader(scale=1.0):
        return x[:64] * scale, y[:64], x[64:] * scale, y[64:]

    reg = DatasetRegistry()
    reg.add_classification_dataset("toy", 3, (6, 6), 2, my_loader, loader_kwargs={"scale": 1.0})
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 2, "out_channels": 4, "kernel_size": 3})
    d.add_layer_sequential("nn.ReLU")

    from nasnb.builders import build_network

    net = build_network(d, reg.get("toy").input_shape, 3)
    assert net(torch.as_tensor(x[:5])).shape == (5, 3)
    result = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=16, device="cpu", datasets=reg).descriptor_evaluate(
        d, 2, "toy", seed=0)
    assert result.status == "done"
    loss, metrics, total_time = result
    assert np.isfinite(loss) and 0.0 <= metrics["accuracy"] <= 1.0 and total_time > 0


def test_thesis_loader_form_and_dataset_form():
    x, y = _toy_arrays(n=40)
    tx, ty = torch.as_tensor(x), torch.as_tensor(y)
    train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(tx[:30], ty[:30]), batch_size=8)
    test = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(tx[30:], ty[30:]), batch_size=8)
    reg = DatasetRegistry()
    reg.add_classification_dataset("thesis", 3, (2, 6, 6), 2, lambda: (train, test, ["a", "b", "c"]))
    data = load_data(reg.get("thesis"))
    assert data.in_memory and data.num_train == 30 and torch.equal(data.test[1], ty[30:])

    class ListDataset(torch.utils.data.Dataset):
        def __init__(self, xs, ys):
            self.xs, self.ys = xs, ys

        def __len__(self):
            return len(self.xs)

        def __getitem__(self, i):
            return self.xs[i], self.ys[i]

    reg.add_classification_dataset("generic", 3, (2, 6, 6), 2,
                                   lambda: (ListDataset(tx[:30], ty[:30]), ListDataset(tx[30:], ty[30:])))
    splits = load_splits("generic", registry=reg, batch_size=8, validation=0.2, seed=1)
    assert isinstance(splits.train, torch.utils.data.DataLoader) and splits.train_tensors is None
    assert len(splits.train.dataset) == 24 and len(splits.validation.dataset) == 6
    xb, yb = next(iter(splits.train))
    assert xb.shape == (8, 2, 6, 6)

    reg.add_classification_dataset("wrong", 4, (2, 6, 6), 2, lambda: (train, test, 3))
    with pytest.raises(DatasetError, match="reports 3 classes"):
        load_data(reg.get("wrong"))


def test_loader_shape_and_label_mismatches_are_reported():
    x, y = _toy_arrays(n=20)
    reg = DatasetRegistry()
    reg.add_classification_dataset("shape", 3, (2, 5, 5), 2, lambda: (x, y, x, y))
    with pytest.raises(DatasetError, match=r"'shape'.*shape \(20, 2, 6, 6\)"):
        load_data(reg.get("shape"))
    reg.add_classification_dataset("labels", 2, (2, 6, 6), 2, lambda: (x, y, x, y))
    with pytest.raises(DatasetError, match="num_classes is 2"):
        load_data(reg.get("labels"))
    reg.add_classification_dataset("broken", 2, (2, 6, 6), 2, lambda: 42)
    with pytest.raises(DatasetError, match="'broken' returned int"):
        load_data(reg.get("broken"))


def test_splits_are_seeded_nested_and_respect_percentage():
    cfg = default_datasets().get("digits")
    data = load_data(cfg)
    a = make_splits(data, percentage=0.25, seed=3, validation=0.1)
    b = make_splits(data, percentage=0.25, seed=3, validation=0.1)
    full = make_splits(data, percentage=1.0, seed=3, validation=0.1)
    other = make_splits(data, percentage=0.25, seed=4, validation=0.1)
    assert torch.equal(a.train_tensors[0], b.train_tensors[0])
    assert not torch.equal(a.train_tensors[0], other.train_tensors[0])
    n_rest = data.num_train - len(full.validation_tensors[0])
    assert len(a.train_tensors[0]) == int(np.ceil(0.25 * n_rest))
    small = {tuple(r.flatten().tolist()) for r in a.train_tensors[0]}
    big = {tuple(r.flatten().tolist()) for r in full.train_tensors[0]}
    val = {tuple(r.flatten().tolist()) for r in full.validation_tensors[0]}
    assert small <= big and not (big & val)
    # the same seed shuffles batches identically
    first = [yb.tolist() for _, yb in make_splits(data, seed=5).train]
    again = [yb.tolist() for _, yb in make_splits(data, seed=5).train]
    assert first == again
    with pytest.raises(ParameterError, match="'percentage' parameter of make_splits"):
        make_splits(data, percentage=0.0)


def test_regression_dataset_is_evaluated_with_mse():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 6)).astype(np.float32)
    y = x[:, :2].sum(axis=1)
    reg = DatasetRegistry()
    reg.add_regression_dataset("reg", 1, (6,), None, lambda: (x[:60], y[:60], x[60:], y[60:]), head="linear")
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Linear", {"in_features": 6, "out_features": 8})
    result = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=16, device="cpu", datasets=reg).descriptor_evaluate(
        d, 3, "reg", seed=0)
    assert result.status == "done" and set(result.metrics) == {"mse"}
    assert result.fitness == pytest.approx(-result.metrics["mse"])


def test_config_is_frozen_and_with_options_copies():
    c = default_datasets().get("activity_recognition")
    c2 = c.with_options(root="/somewhere")
    assert c.loader_kwargs["root"] is None and c2.loader_kwargs["root"] == "/somewhere"
    with pytest.raises(AttributeError):
        c.name = "x"
    assert isinstance(c2, DatasetConfig)
