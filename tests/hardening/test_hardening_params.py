"""Evaluator and data-set settings are validated when given, with the parameter named."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nasnb.data import DatasetConfig, DatasetRegistry, default_datasets, load_splits
from nasnb.data.splits import load_data, make_splits
from nasnb.evaluators import LocalEvaluator
from nasnb.exceptions import DatasetError, ParameterError

BAD_OPTIMIZER = [
    ("lr_string", "Adam", {"lr": "fast"}, r"bad value for 'lr': 'fast'"),
    ("unknown_param", "Adam", {"nonsense": 1}, r"names 'nonsense', which Adam does not take; Adam takes lr"),
    ("lr_negative", "Adam", {"lr": -1.0}, "bad value for 'lr'"),
    ("lr_none", "SGD", {"lr": None}, "bad value for 'lr'"),
    ("betas_one_value", "Adam", {"betas": (0.9,)}, "bad value for 'betas'"),
    ("betas_string", "Adam", {"betas": "0.9,0.99"}, "bad value for 'betas'"),
    ("eps_negative", "Adam", {"eps": -1e-8}, "bad value for 'eps'"),
    ("weight_decay_string", "SGD", {"lr": 0.1, "weight_decay": "x"}, "bad value for 'weight_decay'"),
    ("momentum_negative", "SGD", {"lr": 0.1, "momentum": -0.5}, "bad value for 'momentum'"),
    ("nesterov_without_momentum", "SGD", {"lr": 0.1, "nesterov": True}, "bad value for 'nesterov'"),
    ("rmsprop_alpha_negative", "RMSprop", {"alpha": -1}, "bad value for 'alpha'"),
    ("sgd_unknown_betas", "SGD", {"lr": 0.1, "betas": (0.9, 0.99)}, "names 'betas', which SGD does not take"),
    ("params_key_positional", "Adam", {"params": []}, "names 'params', which Adam does not take"),
    ("key_not_identifier", "Adam", {"learning rate": 0.1}, "must have parameter names as keys"),
    ("key_not_string", "Adam", {1: 0.1}, "must have parameter names as keys"),
    ("params_list", "Adam", [("lr", 0.1)], "'optimizer_params' parameter of LocalEvaluator must be a dict"),
    ("params_string", "Adam", "lr=0.1", "must be a dict"),
    ("optimizer_unknown_name", "bogus", None, "'optimizer_class' parameter of LocalEvaluator must be one of"),
    ("optimizer_number", 5, None, "'optimizer_class' parameter"),
    ("optimizer_none", None, None, "'optimizer_class' parameter"),
    ("factory_refuses_kwargs", lambda p: torch.optim.SGD(p, lr=0.1), {"lr": 0.2}, "names 'lr', which <lambda>"),
    ("factory_raises", lambda p, lr=0.1: torch.optim.SGD(p, lr=lr), {"lr": "x"}, "bad value for 'lr'"),
]


@pytest.mark.parametrize("label, optimizer, params, match", BAD_OPTIMIZER, ids=[b[0] for b in BAD_OPTIMIZER])
def test_bad_optimizer_settings_fail_at_construction(label, optimizer, params, match):
    with pytest.raises(ParameterError, match=match):
        LocalEvaluator(optimizer, params)


def test_good_optimizer_settings_pass():
    ev = LocalEvaluator("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True})
    assert ev.optimizer_params == {"lr": 0.1, "momentum": 0.9, "nesterov": True}
    LocalEvaluator(torch.optim.Adam, {"lr": 1e-3, "betas": (0.8, 0.9)})
    LocalEvaluator(lambda p, **kw: torch.optim.Adam(p, **kw), {"lr": 1e-3})


def _loader():
    x = np.zeros((6, 1, 4, 4), np.float32)
    y = np.arange(6) % 2
    return x, y, x, y


BAD_DATASET_CONFIG = [
    ("shape_floats", {"input_shape": (4.5, 4)}, "'input_shape'"),
    ("shape_strings", {"input_shape": ("a", 4)}, "'input_shape'"),
    ("shape_string", {"input_shape": "44"}, "'input_shape'"),
    ("shape_zero", {"input_shape": (0, 4)}, "'input_shape'"),
    ("shape_bool", {"input_shape": (True, 4)}, "'input_shape'"),
    ("shape_huge", {"input_shape": (2**40, 4)}, "'input_shape'"),
    ("shape_empty", {"input_shape": ()}, "'input_shape'"),
    ("shape_none", {"input_shape": None}, "'input_shape'"),
    ("channels_zero", {"channels": 0}, "'channels'"),
    ("channels_string", {"channels": "1"}, "'channels'"),
    ("num_classes_zero", {"num_classes": 0}, "'num_outputs'"),
    ("num_classes_float", {"num_classes": 2.0}, "'num_outputs'"),
    ("loader_not_callable", {"loader": 3}, "'loader'"),
    ("loss_unknown", {"loss": "hinge"}, "'loss'"),
    ("metrics_unknown", {"metrics": ("f1",)}, "'metrics'"),
    ("metrics_number", {"metrics": 3}, "'metrics'"),
    ("metrics_empty", {"metrics": ()}, "'metrics'"),
    ("loader_kwargs_list", {"loader_kwargs": [("root", "/x")]}, "'loader_kwargs'"),
    ("fixed_channels_negative", {"fixed_channels": -4}, "'fixed_channels'"),
    ("organisation_unknown", {"organisation": "table"}, "'organisation'"),
    ("description_number", {"description": 5}, "'description'"),
]


@pytest.mark.parametrize("label, change, match", BAD_DATASET_CONFIG, ids=[b[0] for b in BAD_DATASET_CONFIG])
def test_bad_dataset_registration_is_named(label, change, match):
    kwargs = {"name": "toy", "num_classes": 2, "input_shape": (4, 4), "channels": 1, "loader": _loader}
    kwargs.update(change)
    with pytest.raises(ParameterError, match=match):
        DatasetRegistry().add_classification_dataset(**kwargs)


BAD_SPLITS = [
    ("percentage_zero", {"percentage": 0}, "'percentage'"),
    ("percentage_1.5", {"percentage": 1.5}, "'percentage'"),
    ("validation_1", {"validation": 1.0}, "'validation'"),
    ("validation_negative", {"validation": -0.1}, "'validation'"),
    ("batch_size_zero", {"batch_size": 0}, "'batch_size'"),
    ("eval_batch_size_string", {"eval_batch_size": "64"}, "'eval_batch_size'"),
    ("seed_negative", {"seed": -1}, "'seed'"),
    ("device_bogus", {"device": "bogus:0"}, "'device'"),
    ("device_number_list", {"device": [0]}, "'device'"),
    ("registry_dict", {"registry": {}}, "'registry'"),
]


@pytest.mark.parametrize("label, kwargs, match", BAD_SPLITS, ids=[b[0] for b in BAD_SPLITS])
def test_bad_split_parameter_is_named(label, kwargs, match):
    reg = DatasetRegistry()
    reg.add_classification_dataset("toy", 2, (4, 4), 1, _loader)
    kwargs = {"registry": reg, **kwargs}
    with pytest.raises((ParameterError, DatasetError), match=match):
        load_splits("toy", **kwargs)


def test_make_splits_refuses_raw_arrays():
    with pytest.raises(ParameterError, match="'data' parameter of make_splits"):
        make_splits(_loader())
    cfg = DatasetConfig("toy", "classification", 2, (1, 4, 4), 1, loader=_loader)
    assert make_splits(load_data(cfg), validation=0.0).train_tensors[0].shape == (6, 1, 4, 4)
    assert "digits" in default_datasets()
