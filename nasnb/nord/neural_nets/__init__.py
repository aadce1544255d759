"""``nord.neural_nets``: descriptors, networks and evaluators, as the original framework named them.

Coming from the original framework: ``NeuralDescriptor`` keeps the original's structures
(``layers``, ``connections`` and ``incoming_connections`` dicts; see
:mod:`nasnb.nord.neural_nets.neural_descriptor`) and is read by nasnb through its
``to_nasnb()`` view; ``BenchmarkEvaluator`` is the original name of
``NASBench_101Evaluator``. The distributed ``Environment`` lives in
:mod:`nasnb.nord.neural_nets.distributed` (and its ``environment`` submodule). See
:mod:`nasnb.nord` for the differences that matter.

Examples
--------
>>> import torch.nn as nn
>>> d = NeuralDescriptor()
>>> d.add_layer(nn.Conv2d, {'in_channels': 3, 'out_channels': 5, 'kernel_size': 3}, 'conv')
'conv'
>>> d.layers['conv'][0] is nn.Conv2d, d.layer('conv').type
(True, 'nn.Conv2d')
"""

from nasnb.nord.neural_nets import layers
from nasnb.nord.neural_nets.benchmark_evaluators import BenchmarkEvaluator, NASBench_101Evaluator
from nasnb.nord.neural_nets.natsbench_evaluator import NATSBench_Evaluator
from nasnb.nord.neural_nets.neural_builder import NeuralNet
from nasnb.nord.neural_nets.neural_descriptor import NeuralDescriptor
from nasnb.nord.neural_nets.neural_evaluators import DistributedEvaluator, LocalBatchEvaluator, LocalEvaluator

__all__ = [
    "NeuralDescriptor",
    "NeuralNet",
    "LocalEvaluator",
    "LocalBatchEvaluator",
    "DistributedEvaluator",
    "BenchmarkEvaluator",
    "NASBench_101Evaluator",
    "NATSBench_Evaluator",
    "layers",
]
