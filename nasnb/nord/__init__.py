"""``nasnb.nord``: run code written for the original NORD framework on nasnb.

Code written for the original framework (G. Kyriakides' NORD, the thesis' chapter-3
listings and the repository's example scripts) runs with only its import lines changed::

    from nord.neural_nets import NeuralDescriptor, LocalEvaluator      # original
    from nasnb.nord.neural_nets import NeuralDescriptor, LocalEvaluator  # nasnb

This package mirrors the original module paths and maps each call onto nasnb; it holds no
training, building or benchmark logic of its own.

==========================================  ==========================================
original import                             nasnb implementation
==========================================  ==========================================
``nord.neural_nets.NeuralDescriptor``       the original's dicts, read as :class:`nasnb.descriptors.NeuralDescriptor`
``nord.neural_nets.NeuralNet``              :func:`nasnb.builders.build_network`
``nord.neural_nets.LocalEvaluator``         nasnb's data splits, builder and training loop
``nord.neural_nets.NASBench_101Evaluator``  :class:`nasnb.benchmarks.NASBench101`
``nord.neural_nets.NATSBench_Evaluator``    :class:`nasnb.benchmarks.NASBench201`
``nord.neural_nets.distributed``            :class:`nasnb.cluster.Cluster` (MPI engines)
``nord.neural_nets.layers``                 ``torch.nn`` classes and :class:`nasnb.layers.modules.Scale`
``nord.configurations.all.Configs``         a :class:`nasnb.data.DatasetRegistry`
``nord.data_curators.get_<dataset>``        :func:`nasnb.data.load_splits`
``nord.design...genetics.neat``             :mod:`nasnb.genomes` (DeepNEAT genomes)
``nord.utils.assure_reproducibility``       :func:`nasnb.evaluators.assure_reproducibility`
==========================================  ==========================================

Coming from the original framework
----------------------------------
* **Layer classes** such as ``nn.Conv2d`` are stored by name (``"nn.Conv2d"``) and resolved
  through nasnb's layer registry; nothing is evaluated. Only the registry's allow-listed
  ``torch.nn`` classes and registered names can be used.
* **Declared input sizes** (``in_channels``, ``in_features``, ``num_features``) were
  overwritten by the original builder with the real input's size. nasnb does the same and
  warns once per layer (:class:`~nasnb.builders.builder.InferredParameterWarning`); the
  thesis' Listing 3.1 (``conv3`` declares 5 input channels and receives 10) builds with one
  warning. ``build_network(..., strict=True)`` makes it an error.
* **Descriptors** keep the original's structures (``layers`` maps a name to ``[class,
  params]``, ``connections`` / ``incoming_connections`` map a name to a list of names,
  ``first_layer``, ``last_layer``, ``current_layer``, auto-names ``'<k>_Layer'``); nasnb reads
  them through ``to_nasnb()``. Execution order comes from the graph, not names.
* **A network that cannot be built** raises :class:`~nasnb.exceptions.BuildError` in
  ``NeuralNet``; evaluators return the original's "non-functional" answer instead
  (accuracy 0, loss 0, time 0) and log the reason.
* **Configuration** was a process-wide singleton. ``Configs()`` here returns a view of one
  shared :class:`~nasnb.data.DatasetRegistry` that this package's evaluators read (the only
  shared state in nasnb, confined to this package; :func:`nasnb.nord.configurations.all.reset_configs`
  forgets additions). nasnb's own API never uses it.
* **Randomness**: evaluators without an explicit ``seed`` draw one from torch's global
  generator, so ``assure_reproducibility()`` at the top of a script makes the whole run
  repeatable, as in the original; genomes draw from NumPy's global generator likewise.
* **Printing**: what the original printed, this package prints (``verbose=True`` evaluators,
  ``print_datasets()``, the ``Environment``'s statuses).
* **No downloads**: benchmark files and data sets are read from disk (see each class).

Examples
--------
>>> import torch.nn as nn
>>> from nasnb.nord.neural_nets import NeuralDescriptor, NeuralNet
>>> d = NeuralDescriptor()
>>> _ = d.add_layer_sequential(nn.Conv2d, {'in_channels': 3, 'out_channels': 5, 'kernel_size': 3})
>>> _ = d.add_layer_sequential(nn.MaxPool2d, {'kernel_size': 2, 'stride': 2})
>>> net = NeuralNet(net_descriptor=d, num_classes=10, input_shape=(32, 32), input_channels=3)
>>> net.network.shapes["1_Layer"]
(5, 15, 15)
"""

from __future__ import annotations

from nasnb._lazy import lazy_exports

_EXPORTS = {
    "NeuralDescriptor": "nasnb.nord.neural_nets",
    "NeuralNet": "nasnb.nord.neural_nets",
    "LocalEvaluator": "nasnb.nord.neural_nets",
    "BenchmarkEvaluator": "nasnb.nord.neural_nets",
    "NASBench_101Evaluator": "nasnb.nord.neural_nets",
    "NATSBench_Evaluator": "nasnb.nord.neural_nets",
    "Environment": "nasnb.nord.neural_nets.distributed",
    "LocalBatchEvaluator": "nasnb.nord.neural_nets",
    "DistributedEvaluator": "nasnb.nord.neural_nets",
    "DistributedConfig": "nasnb.nord.neural_nets.distributed",
    "Configs": "nasnb.nord.configurations.all",
    "assure_reproducibility": "nasnb.nord.utils",
}
_SUBMODULES = ("neural_nets", "configurations", "data_curators", "design", "utils")
_EXPORTS.update({name: f"nasnb.nord.{name}" for name in _SUBMODULES})

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
