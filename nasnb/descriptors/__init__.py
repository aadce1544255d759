"""Descriptors: networks as data (layers + named connections). Imports no torch."""

from nasnb.descriptors.descriptor import NeuralDescriptor
from nasnb.descriptors.hashing import canonical_hash
from nasnb.descriptors.layer import LayerSpec, layer_type_name
from nasnb.descriptors.serialization import SCHEMA_VERSION

__all__ = ["NeuralDescriptor", "LayerSpec", "canonical_hash", "layer_type_name", "SCHEMA_VERSION"]
