"""Training the network a DARTS search derived, with per-epoch curves (thesis ch. 8).

After the search the thesis stacks the derived cells into a larger network (36 channels, 20
cells), trains it for 100 epochs with SGD + momentum on the training set minus a 10 %
validation split, and compares the *validation curves* of networks found with 1, 2 and 4
workers (Kolmogorov-Smirnov tests on the accuracies of epochs 10-100, Table 8.3).
:func:`darts_final_training` does that training and returns the curves.

Examples
--------
>>> from nasnb.darts.derive import Genotype
>>> g = Genotype(normal=(("sep_conv_3x3", 0), ("identity", 1), ("max_pool_3x3", 0), ("dil_conv_3x3", 2)),
...              reduce=(("avg_pool_3x3", 0), ("sep_conv_5x5", 1), ("identity", 2), ("max_pool_3x3", 1)))
>>> run = darts_final_training(g, "digits", channels=4, layers=2, epochs=2, percentage=0.2, seed=0)
>>> len(run.val_accuracy), len(run.train_accuracy), 0.0 <= run.test_accuracy <= 1.0
(2, 2, True)
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

from nasnb._validation import check_fraction, check_positive_int, check_probability
from nasnb.builders.randomness import GLOBAL_RNG_LOCK
from nasnb.darts.derive import Genotype, genotype_to_descriptor
from nasnb.darts.ops import darts_registry

__all__ = ["FinalTraining", "darts_final_training"]

logger = logging.getLogger(__name__)


@dataclass
class FinalTraining:
    """Curves and result of :func:`darts_final_training` (accuracies in [0, 1])."""

    train_accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_accuracy: float = float("nan")
    parameters: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON dict."""
        return asdict(self)


def darts_final_training(
    genotype: Genotype,
    dataset: str = "digits",
    *,
    channels: int = 36,
    layers: int = 20,
    epochs: int = 100,
    batch_size: int = 64,
    lr: float = 0.025,
    momentum: float = 0.9,
    weight_decay: float = 3e-4,
    validation: float = 0.1,
    percentage: float = 1.0,
    augment: bool = False,
    data_seed: int = 0,
    seed: int = 0,
    registry: Any = None,
) -> FinalTraining:
    """Train the network of ``genotype`` and record train / validation accuracy every epoch.

    Parameters
    ----------
    genotype : Genotype
        Derived cells (``DartsResult.genotype``).
    dataset : str
        A data set name of ``registry`` (default: :func:`nasnb.data.default_datasets`).
    channels, layers, epochs
        Thesis: 36 channels, 20 cells, 100 epochs.
    batch_size, lr, momentum, weight_decay
        SGD + momentum with the learning rate cosine-annealed to 0 over the epochs.
    validation : float
        Share of the training set held out for the validation curve (thesis: 10 %).
    percentage : float
        Share of the remaining training set to train on.
    augment : bool
        Horizontal flips + random erasing on the training batches
        (:func:`nasnb.data.augment.thesis_augment`), as the thesis does on Fashion-MNIST.
    data_seed, seed
        Seed of the split; seed of the weights, batch order and augmentation.

    Returns
    -------
    FinalTraining
        ``train_accuracy`` is the running accuracy over each epoch's (augmented) training
        batches; ``val_accuracy`` the accuracy on the held-out split after each epoch;
        ``test_accuracy`` the test accuracy at the end.
    """
    from nasnb.builders import build_network
    from nasnb.data import default_datasets, load_splits
    from nasnb.data.augment import AugmentedBatches, thesis_augment
    from nasnb.data.batches import TensorBatches, to_float
    from nasnb.evaluators.train import evaluate

    func = "darts_final_training"
    epochs = check_positive_int(epochs, "epochs", func)
    check_positive_int(batch_size, "batch_size", func)
    validation = check_probability(validation, "validation", func)
    check_fraction(percentage, "percentage", func)
    registry = registry or default_datasets()
    config = registry.get(dataset)
    splits = load_splits(
        config, percentage=percentage, seed=data_seed, validation=validation, batch_size=batch_size, registry=registry
    )
    descriptor = genotype_to_descriptor(genotype, config.input_shape, channels=channels, layers=layers)
    start = time.perf_counter()
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):  # other threads may seed it too
        torch.manual_seed(int(seed))
        model = build_network(
            descriptor, config.input_shape, config.num_outputs, head="linear", registry=darts_registry()
        )
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
        x_train, y_train = splits.train_tensors
        train = TensorBatches(x_train, y_train, batch_size, shuffle=True, seed=seed)
        batches = AugmentedBatches(train, thesis_augment(), seed) if augment else train
        loss_fn = torch.nn.CrossEntropyLoss()
        run = FinalTraining(parameters=sum(p.numel() for p in model.parameters()))
        for epoch in range(epochs):
            model.train()
            total, correct, seen = 0.0, 0, 0
            for xb, yb in batches:
                xb = to_float(xb)
                optimizer.zero_grad(set_to_none=True)
                logits = model(xb)
                loss = loss_fn(logits, yb)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                optimizer.step()
                total += loss.item() * len(yb)
                correct += int((logits.detach().argmax(1) == yb).sum())
                seen += len(yb)
            scheduler.step()
            run.train_loss.append(total / max(1, seen))
            run.train_accuracy.append(correct / max(1, seen))
            target = splits.validation if splits.validation is not None else splits.test
            run.val_accuracy.append(evaluate(model, target, loss_fn)[1]["accuracy"])
            logger.debug(
                "final training epoch %d: train %.4f val %.4f", epoch, run.train_accuracy[-1], run.val_accuracy[-1]
            )
        run.test_accuracy = evaluate(model, splits.test, loss_fn)[1]["accuracy"]
    run.seconds = time.perf_counter() - start
    return run
