"""``nord.neural_nets``: descriptors, networks and evaluators, as the original framework named them.

Coming from the original framework: ``NeuralDescriptor`` is nasnb's descriptor (layer
classes such as ``nn.Conv2d`` are stored as ``"nn.Conv2d"`` and resolved through the layer
registry); ``BenchmarkEvaluator`` is the original name of ``NASBench_101Evaluator``. The
distributed ``Environment`` lives in :mod:`nasnb.nord.neural_nets.distributed`. See
:mod:`nasnb.nord` for the differences that matter.

Examples
--------
>>> import torch.nn as nn
>>> d = NeuralDescriptor()
>>> _ = d.add_layer(nn.Conv2d, {'in_channels': 3, 'out_channels': 5, 'kernel_size': 3}, 'conv')
>>> d.layer('conv').type
'nn.Conv2d'
"""

from nasnb.descriptors import NeuralDescriptor
from nasnb.nord.neural_nets.benchmark_evaluators import BenchmarkEvaluator, NASBench_101Evaluator
from nasnb.nord.neural_nets.natsbench_evaluator import NATSBench_Evaluator
from nasnb.nord.neural_nets.neural_builder import NeuralNet
from nasnb.nord.neural_nets.neural_evaluators import LocalEvaluator

__all__ = ["NeuralDescriptor", "NeuralNet", "LocalEvaluator", "BenchmarkEvaluator", "NASBench_101Evaluator",
           "NATSBench_Evaluator"]
