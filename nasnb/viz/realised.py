"""The network as realised: the descriptor's layers plus what the builder inserted.

``nasnb.builders.build_network(...).merges`` lists, per receiving layer, one ``MergeStep``
(source, operations such as ``interpolate`` / ``conv1x1`` / ``flatten``, shapes) for every
input it adapted. The realised plot draws each adaptation as a grey node between its source
and target, a ``sum`` node where several inputs are added, the output shape under every
layer, and the dense head after the output. Descriptor layers keep their shared-layout
positions; inserted nodes sit between them. The builder (and torch) is imported only when
a network has to be built.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> d = NeuralDescriptor()
>>> a = d.add_layer("CONV_3.N", name="a"); b = d.add_layer("POOL_2.M", name="b")
>>> c = d.add_layer("CONV_3.N", name="c")
>>> d.connect_layers("a", "b"); d.connect_layers("a", "c"); d.connect_layers("b", "c")
>>> data = realised_data(d, (1, 8, 8), 10, fixed_channels=4)
>>> [n for n, ins in zip(data.names, data.inserted) if ins]
['sum→c', 'a→c', '(head)']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nasnb.exceptions import ParameterError
from nasnb.viz._records import as_descriptor
from nasnb.viz.architecture import ArchitectureData, architecture_data, plot_architecture
from nasnb.viz.layout import SharedLayout
from nasnb.viz.style import INSERTED_COLOUR

__all__ = ["realised_data", "plot_realised"]


def _shape(shape: Any) -> str:
    return "×".join(str(s) for s in shape) if shape else ""


def realised_data(
    descriptor: Any,
    input_shape: tuple | None = None,
    num_outputs: int | None = None,
    layout: SharedLayout | None = None,
    *,
    network: Any = None,
    **build_kwargs: Any,
) -> ArchitectureData:
    """Gather the realised network's drawing data (builds the network unless ``network`` is given).

    Parameters
    ----------
    descriptor : NeuralDescriptor, dict or JSON
        The architecture as specified.
    input_shape, num_outputs
        Passed to :func:`nasnb.builders.build_network` (not needed with ``network``).
    layout : SharedLayout, optional
        Shared layout of the descriptor layers.
    network : NetworkModule, optional
        An already built network (its ``descriptor``, ``shapes``, ``merges`` and ``head`` are read).
    **build_kwargs
        ``merge``, ``fixed_channels``, ``head``, ``registry`` of ``build_network``.
    """
    if network is None:
        from nasnb.builders import build_network

        if input_shape is None:
            raise ParameterError(
                "The 'input_shape' parameter of realised_data is needed to build the network "
                "(or give the built 'network'). Got None instead."
            )
        network = build_network(
            as_descriptor(descriptor, func="realised_data"), input_shape, num_outputs, **build_kwargs
        )
    base = architecture_data(network.descriptor, layout)
    names, keys, types = list(base.names), list(base.keys), list(base.types)
    labels = [f"{lbl}\n{_shape(network.shapes.get(n))}" for n, lbl in zip(names, base.labels)]
    colours, pos = list(base.colours), [tuple(p) for p in base.positions]
    active, inserted = list(base.active), [False] * len(names)
    index = {n: i for i, n in enumerate(names)}
    edges = set(base.edges)

    def add(name: str, type_: str, label: str, xy: tuple) -> int:
        names.append(name)
        keys.append(name)
        types.append(type_)
        labels.append(label)
        colours.append(INSERTED_COLOUR)
        pos.append(xy)
        active.append(True)
        inserted.append(True)
        index[name] = len(names) - 1
        return index[name]

    for target, steps in network.merges.items():
        if target not in index:
            continue
        t = index[target]
        tx, ty = pos[t]
        into = t
        if len(steps) > 1:
            into = add(f"sum→{target}", "sum", "sum", (tx - 0.3, ty))
            edges.add((into, t))
        for k, step in enumerate(steps):
            s = index.get(step.source)
            if s is not None:
                edges.discard((s, t))
            if step.operations:
                sx, sy = pos[s] if s is not None else (tx - 1.0, ty)
                occupied = any(abs(px - (sx + tx) / 2) < 0.3 and abs(py - (sy + ty) / 2) < 0.3 for px, py in pos)
                mid = ((sx + tx) / 2, (sy + ty) / 2 - (0.5 if occupied else 0.0) - 0.4 * k)
                node = add(
                    f"{step.source}→{target}",
                    "+".join(step.operations),
                    "+".join(step.operations) + f"\n{_shape(step.output_shape)}",
                    mid,
                )
                if s is not None:
                    edges.add((s, node))
                edges.add((node, into))
            elif s is not None:
                edges.add((s, into))
    if getattr(network, "head", None) is not None and names:
        out = index.get(network.descriptor.output_layer)
        if out is not None:
            ox, oy = pos[out]
            h = add("(head)", type(network.head).__name__, f"head\n{network.head_in_features} in", (ox + 1.0, oy))
            edges.add((out, h))
    edge_list = sorted(edges)
    active_arr = np.array(active, dtype=bool)
    return ArchitectureData(
        names,
        keys,
        types,
        labels,
        colours,
        np.array(pos, dtype=float).reshape(-1, 2),
        active_arr,
        np.array(inserted, dtype=bool),
        edge_list,
        np.array([bool(active_arr[u] and active_arr[v]) for u, v in edge_list], dtype=bool),
        base.title,
        base.orientation,
    ).with_geometry()


def plot_realised(
    descriptor: Any,
    input_shape: tuple | None = None,
    num_outputs: int | None = None,
    layout: SharedLayout | None = None,
    *,
    network: Any = None,
    backend: str = "matplotlib",
    ax: Any = None,
    figsize: tuple | None = None,
    **build_kwargs: Any,
):
    """Draw the realised network (inserted scaling layers in grey); return the figure."""
    data = realised_data(descriptor, input_shape, num_outputs, layout, network=network, **build_kwargs)
    return plot_architecture(data, backend=backend, ax=ax, figsize=figsize)
