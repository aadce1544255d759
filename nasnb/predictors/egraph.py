"""EGraph: GCN ranking predictors built from a GCN genome's descriptor (thesis ch. 7).

A GCN descriptor has GraphSAGE layers of two kinds (the ch. 7 layer genes):

* ``"sage_lstm"`` — ``SAGEConv(aggr="lstm")`` (LSTM aggregator),
* ``"sage_pool"`` — GraphSAGE's pooling aggregator: ``SAGEConv(aggr="max", project=True)``
  (each neighbour goes through a linear layer + ReLU, then element-wise max),

each at ``half`` / ``standard`` / ``double`` filters of a base width (thesis: 300). The width
comes from the layer parameters (:func:`layer_width`): ``filters_mult`` (0.5 / 1 / 2, as written
by :class:`nasnb.genomes.GraphSageGenes`) or ``filters`` (``"half"|"standard"|"double"``, a
multiplier, or an absolute int); layers with several inputs concatenate them; any other
layer type (``input``, ``output``, ``identity``) passes its (concatenated) input through.
The readout (hyper-parameter gene, read from the ``readout`` parameter of a genome
descriptor's output node, or given explicitly) is ``"max"``, ``"mean"`` or
``"sort1"|"sort2"|"sort3"`` (sort pooling keeping ``k`` nodes,
:class:`torch_geometric.nn.aggr.SortAggregation`). Messages flow along the architecture's
edges (input → output); the readout pools the last layer's embeddings of all nodes.

:class:`SiameseRanker` embeds both graphs of a pair with the *same* embedder, concatenates the
embeddings, applies a dense layer of half the concatenated width and outputs 3 classes
(equal / first better / second better). :class:`ScoreRanker` is the regression variant: one
score per graph, trained with a margin ranking loss.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> d = NeuralDescriptor.sequential(["input", ("sage_pool", {"filters": "half"}),
...                                  ("sage_lstm", {"filters": "double"}), "output"])
>>> model = SiameseRanker(d, num_features=5, base_width=8, readout="sort2")
>>> model.embedder.embedding_size
32
"""

from __future__ import annotations

import logging
from typing import Any

import torch

from nasnb._optional import require
from nasnb._validation import check_choice, check_positive_int
from nasnb.exceptions import BuildError

__all__ = [
    "GraphEmbedder",
    "SiameseRanker",
    "ScoreRanker",
    "READOUTS",
    "SAGE_LAYERS",
    "layer_width",
    "default_gcn_descriptor",
]

logger = logging.getLogger(__name__)

READOUTS = ("max", "mean", "sort1", "sort2", "sort3")
SAGE_LAYERS = ("sage_lstm", "sage_pool")
_MULTIPLIERS = {"half": 0.5, "standard": 1.0, "double": 2.0}


def layer_width(params: dict, base_width: int | None, layer: str = "?") -> int:
    """Output width of a SAGE layer.

    With ``base_width`` given, the width is the layer's multiplier (``filters_mult`` of a
    :class:`nasnb.genomes.GraphSageGenes` layer gene, or ``filters`` as ``"half"|"standard"|
    "double"`` or a number ≤ 4) times ``base_width``. Without it, an absolute ``filters`` int
    is used as is (the genome already applied its standard width), else the multiplier × 300.

    Examples
    --------
    >>> layer_width({"filters": "double"}, 300), layer_width({"filters_mult": 0.5, "filters": 150}, 8)
    (600, 4)
    >>> layer_width({"filters_mult": 2.0, "filters": 600}, None), layer_width({}, None)
    (600, 300)
    """
    mult = params.get("filters_mult")
    value = params.get("filters", "standard")
    if mult is None:
        if isinstance(value, str):
            if value not in _MULTIPLIERS:
                raise BuildError(f"Layer {layer!r}: filters must be one of {sorted(_MULTIPLIERS)}, got {value!r}.")
            mult = _MULTIPLIERS[value]
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 4:
            mult = float(value)
    if mult is not None and (
        base_width is not None or not isinstance(value, int) or isinstance(value, bool) or value <= 4
    ):
        if not isinstance(mult, (int, float)) or isinstance(mult, bool) or mult <= 0:
            raise BuildError(f"Layer {layer!r}: filters_mult must be a positive number, got {mult!r}.")
        return max(1, int(round(mult * (300 if base_width is None else base_width))))
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise BuildError(f"Layer {layer!r}: cannot read a width from filters={value!r}.")


def _readout_from(descriptor, readout):
    func = "GraphEmbedder"
    if readout is not None:
        return check_choice(readout, READOUTS, "readout", func)
    params = dict(descriptor.layer(descriptor.output_layer).params)
    if "readout" in params:  # GraphSageGenes: output node of type "readout" with {"readout": r}
        return check_choice(params["readout"], READOUTS, "readout", func)
    for part in str(getattr(descriptor, "name", None) or "").replace(";", " ").split():
        if part.startswith("readout="):
            return check_choice(part.split("=", 1)[1], READOUTS, "readout", func)
    return "max"


class GraphEmbedder(torch.nn.Module):
    """A torch module embedding batched graphs ``(x, edge_index, batch) -> (graphs, size)``.

    Parameters
    ----------
    descriptor : NeuralDescriptor
        GCN descriptor (see the module docstring).
    num_features : int
        Node feature length (``ArchitectureDataset.num_features``).
    base_width : int, optional
        The ``standard`` filter count (thesis: 300); see :func:`layer_width`.
    readout : str, optional
        One of :data:`READOUTS`; default: the output layer's ``readout`` parameter (genome
        descriptors), else a ``readout=<r>`` token in the descriptor's name, else ``"max"``.

    Examples
    --------
    >>> from nasnb.descriptors import NeuralDescriptor
    >>> d = NeuralDescriptor.sequential(["input", "sage_lstm", "output"])
    >>> emb = GraphEmbedder(d, 3, base_width=4, readout="mean")
    >>> x = torch.eye(3); ei = torch.tensor([[0, 1], [1, 2]]); b = torch.zeros(3, dtype=torch.long)
    >>> tuple(emb(x, ei, b).shape)
    (1, 4)
    """

    def __init__(self, descriptor, num_features: int, *, base_width: int | None = None, readout: str | None = None):
        super().__init__()
        check_positive_int(num_features, "num_features", "GraphEmbedder")
        if base_width is not None:
            check_positive_int(base_width, "base_width", "GraphEmbedder")
        pyg = require("torch_geometric.nn", extra="graph", purpose="build an EGraph GCN")
        aggr = require("torch_geometric.nn.aggr", extra="graph", purpose="build an EGraph GCN")
        d = descriptor.prune()
        if not any(spec.type in SAGE_LAYERS for spec in d.layers.values()):
            raise BuildError(f"The GCN descriptor has no active GraphSAGE layer (types {SAGE_LAYERS}).")
        self.order = d.topological_order()
        self.inputs = {n: d.incoming(n) for n in self.order}
        self.input_name, self.output_name = d.input_layer, d.output_layer
        widths: dict[str, int] = {}
        convs = torch.nn.ModuleDict()
        for n in self.order:
            spec = d.layer(n)
            in_w = num_features if n == self.input_name else sum(widths[i] for i in self.inputs[n])
            if spec.type in SAGE_LAYERS:
                out_w = layer_width(dict(spec.params), base_width, n)
                if spec.type == "sage_lstm":
                    convs[n] = pyg.SAGEConv(in_w, out_w, aggr="lstm")
                else:
                    convs[n] = pyg.SAGEConv(in_w, out_w, aggr="max", project=True)
                widths[n] = out_w
            else:
                widths[n] = in_w
        self.convs = convs
        self.readout = _readout_from(descriptor, readout)
        width = widths[self.output_name]
        if self.readout.startswith("sort"):
            k = int(self.readout[-1])
            self.pool = aggr.SortAggregation(k)
            self.embedding_size = k * width
        else:
            self.pool = aggr.MaxAggregation() if self.readout == "max" else aggr.MeanAggregation()
            self.embedding_size = width

    def forward(self, x, edge_index, batch, num_graphs: int | None = None):
        """Embeddings of the graphs of a batch (``edge_index`` sorted by destination)."""
        outs: dict[str, Any] = {}
        for n in self.order:
            ins = self.inputs[n]
            if n == self.input_name:
                h = x
            elif len(ins) == 1:
                h = outs[ins[0]]
            else:
                h = torch.cat([outs[i] for i in ins], dim=1)
            if n in self.convs:
                h = torch.relu(self.convs[n](h, edge_index))
            outs[n] = h
        size = int(batch.max()) + 1 if num_graphs is None else num_graphs
        return self.pool(outs[self.output_name], batch, dim_size=size)


class SiameseRanker(torch.nn.Module):
    """Shared-weight pairwise classifier: embed, concatenate, dense (half width), 3 classes.

    ``embed(x, edge_index, batch, num_graphs)`` embeds graphs once; ``compare(a, b)`` gives the
    logits (equal, first better, second better) of embedded pairs. Parameters as
    :class:`GraphEmbedder`.
    """

    def __init__(self, descriptor, num_features: int, *, base_width: int | None = None, readout: str | None = None):
        super().__init__()
        self.embedder = GraphEmbedder(descriptor, num_features, base_width=base_width, readout=readout)
        size = 2 * self.embedder.embedding_size
        hidden = max(1, size // 2)
        self.head = torch.nn.Sequential(torch.nn.Linear(size, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 3))

    def embed(self, x, edge_index, batch, num_graphs=None):
        """Graph embeddings (see :class:`GraphEmbedder`)."""
        return self.embedder(x, edge_index, batch, num_graphs)

    def compare(self, emb_first, emb_second):
        """Logits (equal, first better, second better) of embedded pairs."""
        return self.head(torch.cat([emb_first, emb_second], dim=1))


class ScoreRanker(torch.nn.Module):
    """Regression variant: embed a graph, dense (half width), one score (margin ranking loss).

    ``embed(...)`` as :class:`SiameseRanker`; ``score(emb) -> (graphs,)`` (higher = better).
    """

    def __init__(self, descriptor, num_features: int, *, base_width: int | None = None, readout: str | None = None):
        super().__init__()
        self.embedder = GraphEmbedder(descriptor, num_features, base_width=base_width, readout=readout)
        size = self.embedder.embedding_size
        hidden = max(1, size // 2)
        self.head = torch.nn.Sequential(torch.nn.Linear(size, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def embed(self, x, edge_index, batch, num_graphs=None):
        """Graph embeddings (see :class:`GraphEmbedder`)."""
        return self.embedder(x, edge_index, batch, num_graphs)

    def score(self, emb):
        """One score per embedded graph (higher = better)."""
        return self.head(emb).squeeze(-1)


def default_gcn_descriptor(layers: Any = (("sage_pool", "standard"), ("sage_pool", "standard")), readout: str = "max"):
    """A chain GCN descriptor ``input → SAGE layers → output`` named ``readout=<r>``.

    Examples
    --------
    >>> default_gcn_descriptor([("sage_lstm", "half")], "sort1").name
    'readout=sort1'
    """
    from nasnb.descriptors import NeuralDescriptor

    check_choice(readout, READOUTS, "readout", "default_gcn_descriptor")
    d = NeuralDescriptor(name=f"readout={readout}")
    d.add_layer_sequential("input")
    for kind, filters in layers:
        check_choice(kind, SAGE_LAYERS, "layers", "default_gcn_descriptor")
        d.add_layer_sequential(kind, {"filters": filters})
    d.add_layer_sequential("output")
    return d
