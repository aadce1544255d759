"""DARTS chapter-8 tables: training accuracy curves, seeds in one spawn, augmentation, final training."""

import dataclasses

import numpy as np

from nasnb.darts import DartsConfig, Genotype, darts_final_training, darts_parallel, darts_search

TINY = DartsConfig(channels=4, layers=2, nodes=2, epochs=2, batch_size=32, percentage=0.1)
G = Genotype(normal=(("sep_conv_3x3", 0), ("identity", 1)), reduce=(("max_pool_3x3", 0), ("identity", 1)))


def test_search_records_a_training_accuracy_per_epoch():
    result = darts_search(TINY)
    assert len(result.train_accuracy) == result.epochs == 2
    assert all(0.0 <= a <= 1.0 for a in result.train_accuracy)
    assert result.to_dict()["train_accuracy"] == result.train_accuracy


def test_seeds_in_one_process_give_the_same_runs_as_separate_searches():
    per_seed = darts_parallel(TINY, workers=1, algorithm="serial", seeds=(0, 1))
    assert [len(by_rank) for by_rank in per_seed] == [1, 1]
    for seed, (result,) in zip((0, 1), per_seed):
        alone = darts_search(dataclasses.replace(TINY, seed=seed))
        assert result.val_accuracy == alone.val_accuracy and result.genotype == alone.genotype
    assert per_seed[0][0].train_loss != per_seed[1][0].train_loss


def test_augmented_search_is_seeded_and_differs_from_the_plain_one():
    augmented = dataclasses.replace(TINY, augment=True)
    a, b = darts_search(augmented), darts_search(augmented)
    assert a.train_loss == b.train_loss
    assert a.train_loss != darts_search(TINY).train_loss
    assert augmented.to_dict()["augment"] is True


def test_final_training_curves_and_reproducibility():
    options = dict(channels=4, layers=2, epochs=4, percentage=0.5, batch_size=32, lr=0.05, seed=0)
    run = darts_final_training(G, "digits", **options)
    assert len(run.val_accuracy) == len(run.train_accuracy) == len(run.train_loss) == 4
    assert run.val_accuracy[-1] > 0.25         # clearly above chance (0.1) after 4 epochs on digits
    assert run.train_loss[-1] < run.train_loss[0]
    again = darts_final_training(G, "digits", **options)
    assert again.val_accuracy == run.val_accuracy and again.test_accuracy == run.test_accuracy
    flipped = darts_final_training(G, "digits", channels=4, layers=2, epochs=1, percentage=0.5, seed=0,
                                   augment=True)
    assert flipped.train_loss[0] != run.train_loss[0] and np.isfinite(flipped.train_loss[0])
