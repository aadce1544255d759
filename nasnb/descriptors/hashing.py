"""Canonical hash of a descriptor: equal for isomorphic graphs with equal layers.

Layer names and insertion order do not matter; layer types, parameters, connections and
the input/output roles do. The hash is a Weisfeiler-Lehman hash (networkx) run on the
graph and on its reverse with as many iterations as the graph has layers, which separates
every pair of non-isomorphic directed acyclic graphs met in NAS search spaces; WL hashing
cannot in theory separate every pair of non-isomorphic graphs, and this is documented.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> a = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
>>> b = NeuralDescriptor()
>>> _ = b.add_layer("nn.ReLU", name="z"); _ = b.add_layer("nn.Identity", name="y")
>>> b.connect_layers("y", "z")
>>> a.canonical_hash() == b.canonical_hash()
True
"""

from __future__ import annotations

import hashlib
import warnings

import networkx as nx

__all__ = ["canonical_hash"]


def canonical_hash(descriptor) -> str:
    """Return a 32-hex-digit hash of the descriptor's structure and layers."""
    graph = nx.DiGraph()
    try:
        src, dst = descriptor.input_layer, descriptor.output_layer
    except ValueError:
        src = dst = None
    for n, spec in descriptor.layers.items():
        role = "I" if n == src else ("O" if n == dst else "")
        graph.add_node(n, label=role + "|" + spec.key())
    graph.add_edges_from(descriptor.connections)
    iterations = max(1, graph.number_of_nodes())
    with warnings.catch_warnings():  # networkx >= 3.5 warns that directed hashes changed once
        warnings.simplefilter("ignore", UserWarning)
        forward = nx.weisfeiler_lehman_graph_hash(graph, node_attr="label", iterations=iterations,
                                                  digest_size=16)
        backward = nx.weisfeiler_lehman_graph_hash(graph.reverse(copy=True), node_attr="label",
                                                   iterations=iterations, digest_size=16)
    return hashlib.blake2b(f"{forward}:{backward}".encode(), digest_size=16).hexdigest()
