"""Seeded data augmentation (flips + random erasing) and LocalEvaluator(augment=...)."""

import json

import pytest
import torch

from nasnb import NeuralDescriptor
from nasnb.data import default_datasets
from nasnb.data.augment import (Augment, AugmentedBatches, RandomErasing, RandomHorizontalFlip, as_augment,
                                thesis_augment)
from nasnb.data.batches import TensorBatches
from nasnb.evaluators import LocalEvaluator
from nasnb.exceptions import DatasetError, ParameterError


@pytest.fixture(scope="module")
def registry():
    return default_datasets()


def small_cnn():
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1})
    d.add_layer_sequential("nn.ReLU")
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
    return d


def test_flip_mirrors_exactly_the_drawn_images():
    x = torch.arange(2 * 8 * 3 * 5, dtype=torch.float32).reshape(8, 2, 3, 5)
    gen = torch.Generator().manual_seed(3)
    drawn = torch.rand(8, generator=torch.Generator().manual_seed(3)) < 0.5
    y = RandomHorizontalFlip(0.5)(x, gen)
    for i in range(8):
        expected = x[i].flip(-1) if drawn[i] else x[i]
        assert torch.equal(y[i], expected)
    assert 0 < int(drawn.sum()) < 8
    assert torch.equal(RandomHorizontalFlip(0.0)(x, gen), x)


def test_erasing_fills_one_rectangle_within_the_scale_and_ratio_ranges():
    x = torch.full((400, 1, 20, 20), 2.0)
    erase = RandomErasing(1.0, scale=(0.05, 0.2), ratio=(0.5, 2.0), value=-1.0)
    boxes = erase.boxes(400, 20, 20, torch.Generator().manual_seed(0))
    y = erase(x, torch.Generator().manual_seed(0))
    areas = (y == -1.0).sum(dim=(1, 2, 3))
    assert torch.equal(areas, boxes[:, 2] * boxes[:, 3])              # the mask is the drawn box
    assert set(torch.unique(y).tolist()) == {-1.0, 2.0}
    share = areas.double() / 400
    assert share.min() >= 0.03 and share.max() <= 0.24                # h, w are rounded
    top, left, h, w = boxes.T
    assert bool(((top + h) <= 20).all() and ((left + w) <= 20).all())
    aspect = h.double() / w.double()
    assert aspect.min() >= 0.4 and aspect.max() <= 2.5
    # p = 0.5: about half of the images are left untouched
    half = RandomErasing(0.5)(x, torch.Generator().manual_seed(1))
    untouched = int((half == 2.0).flatten(1).all(1).sum())
    assert 150 < untouched < 250


def test_settings_are_json_and_rebuild_the_same_augmentation():
    aug = thesis_augment()
    text = json.dumps(aug.settings())
    assert json.loads(text) == [{"name": "RandomHorizontalFlip", "p": 0.5},
                                {"name": "RandomErasing", "p": 0.5, "scale": [0.02, 0.33], "ratio": [0.3, 3.3],
                                 "value": 0.0}]
    again = Augment.from_settings(json.loads(text))
    x = torch.rand(32, 1, 8, 8)
    assert torch.equal(aug(x, torch.Generator().manual_seed(5)), again(x, torch.Generator().manual_seed(5)))
    assert as_augment(json.loads(text)) == aug


@pytest.mark.parametrize("make, match", [
    (lambda: RandomHorizontalFlip(1.5), "'p'"),
    (lambda: RandomErasing(scale=(0.4, 0.1)), "'scale'"),
    (lambda: RandomErasing(ratio=(0.0, 2.0)), "'ratio'"),
    (lambda: RandomErasing(value=float("nan")), "'value'"),
    (lambda: Augment.from_settings([{"name": "Rotate"}]), "Rotate"),
    (lambda: LocalEvaluator(augment="flip"), "'augment'"),
])
def test_bad_parameters_are_refused_naming_the_parameter(make, match):
    with pytest.raises(ParameterError, match=match):
        make()


def test_non_image_batches_are_refused():
    with pytest.raises(DatasetError, match=r"\(N, C, H, W\)"):
        thesis_augment()(torch.rand(4, 1, 40), torch.Generator())


def test_augmented_batches_keep_the_shuffle_and_change_the_inputs():
    x = (torch.rand(50, 1, 8, 8) * 255).to(torch.uint8)
    y = torch.arange(50)
    plain = list(TensorBatches(x, y, 16, shuffle=True, seed=4))
    aug = list(AugmentedBatches(TensorBatches(x, y, 16, shuffle=True, seed=4), thesis_augment(), seed=4))
    assert [b[1].tolist() for b in aug] == [b[1].tolist() for b in plain]
    assert all(a[0].dtype == torch.float32 for a in aug)
    changed = sum(not torch.equal(a[0], p[0].float() / 255) for a, p in zip(aug, plain))
    assert changed == len(plain)


def test_augmenting_evaluator_is_reproducible_and_touches_training_batches_only(registry, monkeypatch):
    import nasnb.evaluators.local as local

    seen = {}

    def spy(name, fn):
        def wrapped(model, batches, *args, **kwargs):
            seen.setdefault(name, []).append([(xb.clone(), yb.clone()) for xb, yb in batches])
            return fn(model, batches, *args, **kwargs)
        return wrapped

    monkeypatch.setattr(local, "train_epochs", spy("train", local.train_epochs))
    monkeypatch.setattr(local, "evaluate", spy("test", local.evaluate))
    augmented = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=128, device="cpu", datasets=registry,
                               augment=thesis_augment())
    plain = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=128, device="cpu", datasets=registry)
    first = augmented.descriptor_evaluate(small_cnn(), 1, "digits", seed=3)
    again = augmented.descriptor_evaluate(small_cnn(), 1, "digits", seed=3)
    base = plain.descriptor_evaluate(small_cnn(), 1, "digits", seed=3)
    assert first.status == again.status == base.status == "done"
    assert first.loss == again.loss and first.metrics == again.metrics      # bit-reproducible for a seed
    assert first.loss != base.loss
    (tr_aug, tr_aug2, tr_plain), (te_aug, _, te_plain) = seen["train"], seen["test"]
    assert all(torch.equal(a[0], b[0]) for a, b in zip(tr_aug, tr_aug2))
    assert [b[1].tolist() for b in tr_aug] == [b[1].tolist() for b in tr_plain]   # same batch order
    assert sum(not torch.equal(a[0], p[0]) for a, p in zip(tr_aug, tr_plain)) == len(tr_plain)
    assert len(te_aug) == len(te_plain)
    assert all(torch.equal(a[0], p[0]) and torch.equal(a[1], p[1]) for a, p in zip(te_aug, te_plain))


def test_augmentation_is_recorded_in_every_study_row(registry, tmp_path):
    from nasnb.spaces import layer_choice_space
    from nasnb.store import ExperimentStore
    from nasnb.strategies import RandomSearch

    evaluator = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=256, device="cpu", datasets=registry,
                               augment=thesis_augment())
    assert evaluator.settings()["augment"] == thesis_augment().settings()
    assert LocalEvaluator(datasets=registry).settings()["augment"] is None
    study = ExperimentStore(tmp_path / "aug.sqlite").create_study("aug")
    RandomSearch(layer_choice_space(4), 2, seed=0).run(evaluator, 2, study=study,
                                                       evaluate_kwargs={"epochs": 1, "dataset": "digits",
                                                                        "percentage": 0.2})
    frame = study.to_dataframe()
    assert len(frame) == 2
    for settings in frame["settings"]:
        assert settings["evaluator"]["augment"] == thesis_augment().settings()
        assert Augment.from_settings(settings["evaluator"]["augment"]) == thesis_augment()
