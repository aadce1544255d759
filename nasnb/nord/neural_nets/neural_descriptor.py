"""``nord.neural_nets.NeuralDescriptor``: the original framework's descriptor, with its dicts.

Coming from the original framework
----------------------------------
The thesis' code reads and writes the descriptor's structures directly, so they are kept:

* ``layers`` maps a name to ``[layer_class, params]`` (``layers[name][0]`` is the class or
  op string as given);
* ``connections`` maps each layer to the list of layers it feeds and
  ``incoming_connections`` each layer to the list of layers feeding it (a connection may be
  added twice, as in the original);
* ``first_layer`` / ``last_layer`` are the first and the latest added layer (both may be
  assigned), ``current_layer`` counts the layers added, and unnamed layers are called
  ``'<k>_Layer'`` (``k`` = ``current_layer``).

Every nasnb function reads it through :meth:`NeuralDescriptor.to_nasnb`, which gives the
equivalent :class:`nasnb.descriptors.NeuralDescriptor` (each connection once; the input is
``first_layer`` when nothing feeds it and the output ``last_layer`` when it feeds nothing,
otherwise the unique source / sink of the graph). The read-only methods of nasnb's descriptor
(``validate``, ``topological_order``, ``incoming``, ``layer``, ...) are available here too.

Differences (deliberate): a repeated layer name raises
:class:`~nasnb.exceptions.DescriptorError` (the original silently replaced the layer and
dropped its connections); connecting or disconnecting an unknown layer raises
:class:`~nasnb.exceptions.DescriptorError` (the original raised ``KeyError``);
``__from_repr__`` parses with :func:`ast.literal_eval` and resolves class names through
``torch.nn`` and nasnb's layer registry, never ``eval``.

Examples
--------
>>> import torch.nn as nn
>>> d = NeuralDescriptor()
>>> d.add_layer_sequential(nn.Conv2d, {'in_channels': 3, 'out_channels': 5, 'kernel_size': 3})
'0_Layer'
>>> d.add_layer_sequential(nn.MaxPool2d, {'kernel_size': 2}, 'pool')
'pool'
>>> d.connections, d.layers['pool'][0] is nn.MaxPool2d, d.first_layer, d.last_layer
({'0_Layer': ['pool'], 'pool': []}, True, '0_Layer', 'pool')
>>> NeuralDescriptor.__from_repr__(repr(d)).connections
{'0_Layer': ['pool'], 'pool': []}
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Mapping
from typing import Any

import networkx as nx

from nasnb.exceptions import DescriptorError

__all__ = ["NeuralDescriptor", "DEFAULT_SUFFIX", "as_nasnb_descriptor"]

#: Suffix of auto-generated layer names (``'3_Layer'``), as in the original.
DEFAULT_SUFFIX = "Layer"

_CLASS_REPR = re.compile(r"<class '([A-Za-z_][A-Za-z0-9_.]*)'>")


def as_nasnb_descriptor(descriptor: Any) -> Any:
    """nasnb's descriptor for ``descriptor`` (an original-style one is converted; others pass)."""
    to_nasnb = getattr(descriptor, "to_nasnb", None)
    return to_nasnb() if callable(to_nasnb) else descriptor


def _resolve_class(path: str) -> Any:
    """The layer class named by a ``repr`` path, from ``torch.nn`` or nasnb's registry (no eval)."""
    import torch.nn

    short = path.rsplit(".", 1)[-1]
    candidate = getattr(torch.nn, short, None)
    if (
        isinstance(candidate, type)
        and issubclass(candidate, torch.nn.Module)
        and (path == short or path.startswith("torch.nn"))
    ):
        return candidate
    from nasnb.layers import default_registry

    registry = default_registry()
    for name in (path, short, f"nn.{short}"):
        if name in registry:
            return name
    raise DescriptorError(
        f"Unknown layer class {path!r} in the descriptor text: only torch.nn classes and "
        "layers registered with nasnb can be read back."
    )


class NeuralDescriptor:
    """Layers and connections of a network, in the original framework's structures.

    See the module docs for the attributes and the differences from the original.
    """

    def __init__(self) -> None:
        self.layers: dict[str, list] = {}
        self.connections: dict[str, list[str]] = {}
        self.incoming_connections: dict[str, list[str]] = {}
        self.current_layer = 0
        self.first_layer = ""
        self.last_layer = ""

    # ------------------------------------------------------------------ building
    def add_layer(self, layer_class: Any, parameters: Mapping[str, Any] | None, name: str | None = None) -> str:
        """Add an unconnected layer (``name`` defaults to ``'<k>_Layer'``); return its name."""
        if name is None:
            name = f"{self.current_layer}_{DEFAULT_SUFFIX}"
        if not isinstance(name, str) or not name:
            raise DescriptorError(f"A layer name must be a non-empty string, got {name!r}.")
        if name in self.layers:
            raise DescriptorError(f"Duplicate layer name {name!r}: a layer with that name already exists.")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise DescriptorError(
                f"The parameters of layer {name!r} must be a dict or None, got {type(parameters).__name__}."
            )
        if self.current_layer == 0:
            self.first_layer = name
        self.last_layer = name
        self.layers[name] = [layer_class, parameters]
        self.connections[name] = []
        self.incoming_connections[name] = []
        self.current_layer += 1
        return name

    def add_layer_sequential(
        self, layer_class: Any, parameters: Mapping[str, Any] | None, name: str | None = None
    ) -> str:
        """Add a layer fed by ``last_layer`` (when there is one); return its name."""
        previous = self.last_layer
        name = self.add_layer(layer_class, parameters, name)
        if previous != "" and previous in self.layers:
            self.connect_layers(previous, name)
        return name

    def _check(self, name: str, role: str) -> None:
        if name not in self.layers:
            known = ", ".join(map(repr, list(self.layers)[:10])) or "none"
            raise DescriptorError(f"Connection {role} {name!r} is not a layer of this descriptor (layers: {known}).")

    def connect_layers(self, from_layer: str, to_layer: str) -> None:
        """Feed ``from_layer``'s output to ``to_layer`` (again, if already connected)."""
        self._check(from_layer, "source")
        self._check(to_layer, "destination")
        self.connections[from_layer].append(to_layer)
        self.incoming_connections[to_layer].append(from_layer)

    def disconnect_layers(self, from_layer: str, to_layer: str) -> None:
        """Remove every ``from_layer -> to_layer`` connection (none there: nothing changes)."""
        self._check(from_layer, "source")
        self._check(to_layer, "destination")
        self.connections[from_layer] = [n for n in self.connections[from_layer] if n != to_layer]
        self.incoming_connections[to_layer] = [n for n in self.incoming_connections[to_layer] if n != from_layer]

    def add_suffix(self, suffix: str) -> None:
        """Append ``suffix`` to every layer name, in every structure."""
        if not isinstance(suffix, str):
            raise DescriptorError(f"The suffix must be a string, got {suffix!r}.")

        def rename(name: str) -> str:
            return name + suffix if name else name

        self.first_layer, self.last_layer = rename(self.first_layer), rename(self.last_layer)
        self.layers = {rename(k): v for k, v in self.layers.items()}
        self.connections = {rename(k): [rename(n) for n in v] for k, v in self.connections.items()}
        self.incoming_connections = {rename(k): [rename(n) for n in v] for k, v in self.incoming_connections.items()}

    # ------------------------------------------------------------------ nasnb view
    def to_nasnb(self) -> Any:
        """The equivalent :class:`nasnb.descriptors.NeuralDescriptor` (see the module docs)."""
        from nasnb.descriptors import NeuralDescriptor as NasnbDescriptor

        out = NasnbDescriptor()
        for name, (layer_class, params) in self.layers.items():
            out.add_layer(layer_class, params, name)
        for src, targets in self.connections.items():
            for dst in dict.fromkeys(targets):
                out.connect_layers(src, dst)
        if self.first_layer in self.layers and not self.incoming_connections[self.first_layer]:
            out.set_input(self.first_layer)
        if self.last_layer in self.layers and not self.connections[self.last_layer]:
            out.set_output(self.last_layer)
        return out

    def validate(self, registry: Any = None, *, check_layers: bool = True) -> NeuralDescriptor:
        """Check it describes a working network (nasnb's checks); return ``self``."""
        self.to_nasnb().validate(registry, check_layers=check_layers)
        return self

    @property
    def input_layer(self) -> str:
        """The input layer nasnb uses."""
        return self.to_nasnb().input_layer

    @property
    def output_layer(self) -> str:
        """The output layer nasnb uses."""
        return self.to_nasnb().output_layer

    def topological_order(self) -> list[str]:
        """Layer names in execution order."""
        return self.to_nasnb().topological_order()

    def incoming(self, name: str) -> list[str]:
        """Distinct layers feeding ``name`` (sorted)."""
        self._check(name, "layer")
        return sorted(set(self.incoming_connections[name]))

    def outgoing(self, name: str) -> list[str]:
        """Distinct layers fed by ``name`` (sorted)."""
        self._check(name, "layer")
        return sorted(set(self.connections[name]))

    def layer(self, name: str) -> Any:
        """nasnb's :class:`~nasnb.descriptors.LayerSpec` of one layer."""
        return self.to_nasnb().layer(name)

    def canonical_hash(self) -> str:
        """nasnb's isomorphism-invariant hash."""
        return self.to_nasnb().canonical_hash()

    def __len__(self) -> int:
        return len(self.layers)

    def __contains__(self, name: object) -> bool:
        return name in self.layers

    def copy(self) -> NeuralDescriptor:
        """A deep copy."""
        return copy.deepcopy(self)

    def to_networkx(self) -> nx.MultiDiGraph:
        """A ``MultiDiGraph`` of the connections (repeated connections kept), as the original."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(self.layers)
        for src, targets in self.connections.items():
            for dst in targets:
                graph.add_edge(src, dst)
        return graph

    # ------------------------------------------------------------------ text form
    def __repr__(self) -> str:
        return str(
            {
                "Layers": repr(self.layers),
                "Connections": repr(self.connections),
                "First_Layer": self.first_layer,
                "Last_Layer": self.last_layer,
            }
        )

    @staticmethod
    def __from_repr__(rpr: str) -> NeuralDescriptor:
        """Read back ``repr(descriptor)`` (literals only; classes resolved by name, never evaluated)."""
        try:
            data = ast.literal_eval(rpr)
            layers = ast.literal_eval(_CLASS_REPR.sub(lambda m: repr("\0class " + m.group(1)), data["Layers"]))
            connections = ast.literal_eval(data["Connections"])
            first, last = data["First_Layer"], data["Last_Layer"]
        except (ValueError, SyntaxError, TypeError, KeyError, MemoryError, RecursionError) as exc:
            raise DescriptorError(f"Not the text of a NORD descriptor ({type(exc).__name__}: {exc}).") from None
        if not isinstance(layers, dict) or not isinstance(connections, dict):
            raise DescriptorError("Not the text of a NORD descriptor: 'Layers' and 'Connections' must be dicts.")
        out = NeuralDescriptor()
        for name, entry in layers.items():
            if not isinstance(entry, (list, tuple)) or len(entry) != 2:
                raise DescriptorError(f"Layer {name!r} of the descriptor text is not a [class, params] pair.")
            layer_class, params = entry
            if isinstance(layer_class, str) and layer_class.startswith("\0class "):
                layer_class = _resolve_class(layer_class[len("\0class ") :])
            out.add_layer(layer_class, params, name)
        for src, targets in connections.items():
            for dst in targets:
                out.connect_layers(src, dst)
        out.first_layer, out.last_layer = first, last
        return out
