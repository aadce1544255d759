"""Shared helpers of the cluster tests (small descriptors for ``digits``)."""

from nasnb.descriptors import NeuralDescriptor


def digits_descriptor(k: int) -> NeuralDescriptor:
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 2 + k, "kernel_size": 3})
    d.add_layer_sequential("nn.ReLU")
    return d


def digits_evaluator():
    from nasnb.evaluators import LocalEvaluator

    return LocalEvaluator("Adam", {"lr": 0.01}, batch_size=64, device="cpu")
