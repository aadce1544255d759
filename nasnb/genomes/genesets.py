"""The three gene sets of the thesis: what a layer gene can be and how it mutates.

* :class:`ConvBlockGenes` -- continuous convolution blocks of chapters 4 and 5 (layer type
  ``"deepneat_conv"``: filters, kernel 1 or 3, dropout 0-0.7, weight scaling 0-2, max-pool
  yes/no). ``ConvBlockGenes.chapter4()`` uses filters 32-56, ``chapter5()`` 32-256.
* :class:`LayerChoiceGenes` -- the twelve layer choices of chapter 6 (``"CONV_2.H"`` ...
  ``"POOL_5.M"``), fixed channels 64 by default.
* :class:`GraphSageGenes` -- chapter 7: GraphSAGE layers with an LSTM or pooling aggregator
  at half / standard / double filters (``"sage_lstm"`` / ``"sage_pool"`` with param
  ``filters_mult`` in {0.5, 1, 2}) and a hyper-parameter gene ``readout`` in
  {max, mean, sort1, sort2, sort3}, written on the output node (type ``"readout"``).

Each gene set also carries the default :class:`MutationRates` of its chapter.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> t, p = ConvBlockGenes.chapter4().random_layer(rng)
>>> t, 32 <= p["filters"] <= 56, p["kernel"] in (1, 3)
('deepneat_conv', True, True)
>>> LayerChoiceGenes().random_layer(rng)[0] in LAYER_CHOICES
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nasnb._validation import check_positive_int, check_probability, parameter_error

__all__ = [
    "MutationRates",
    "GeneSet",
    "ConvBlockGenes",
    "LayerChoiceGenes",
    "GraphSageGenes",
    "LAYER_CHOICES",
    "READOUTS",
    "SAGE_TYPES",
    "gene_set_from_json",
]

#: The twelve layer choices of thesis chapter 6 (kernel 2/3/5; H = half channels, N = all;
#: A = average pooling, M = max pooling).
LAYER_CHOICES = (
    "CONV_2.H",
    "CONV_2.N",
    "CONV_3.H",
    "CONV_3.N",
    "CONV_5.H",
    "CONV_5.N",
    "POOL_2.A",
    "POOL_2.M",
    "POOL_3.A",
    "POOL_3.M",
    "POOL_5.A",
    "POOL_5.M",
)
#: Readouts of the chapter-7 hyper-parameter gene (sortK = sort pooling keeping k nodes).
READOUTS = ("max", "mean", "sort1", "sort2", "sort3")
#: GraphSAGE layer types of chapter 7.
SAGE_TYPES = ("sage_lstm", "sage_pool")
_EVENTS = ("add_node", "connection", "identity", "layer", "hyper")


@dataclass(frozen=True)
class MutationRates:
    """Probabilities of the mutation applied by one ``mutate`` call (one event per call).

    ``add_node`` inserts a node on an enabled connection (the connection is disabled);
    ``connection`` flips a connection gene (disabled <-> enabled) or, when
    ``new_connections`` is true, half of the time adds a new forward connection; ``identity``
    leaves the genome unchanged; ``layer`` mutates one layer gene; ``hyper`` one
    hyper-parameter gene. Whatever probability is left over goes to ``layer``. With
    ``keep_connected`` a connection is never disabled when that would leave no enabled
    input -> output path (such genomes would be invalid, fitness 0).

    Examples
    --------
    >>> MutationRates(add_node=0.25, connection=0.35, identity=0.05, layer=0.35).cumulative()
    (0.25, 0.6, 0.65, 1.0, 1.0)
    """

    add_node: float = 0.05
    connection: float = 0.1
    identity: float = 0.0
    layer: float = 0.0
    hyper: float = 0.0
    new_connections: bool = True
    keep_connected: bool = True

    def __post_init__(self) -> None:
        total = 0.0
        for name in _EVENTS:
            total += check_probability(getattr(self, name), name, "MutationRates")
        if total > 1.0 + 1e-9:
            raise parameter_error(
                "add_node+connection+identity+layer+hyper", "MutationRates", "at most 1", round(total, 6)
            )

    def cumulative(self) -> tuple[float, ...]:
        """Cumulative bounds of the events (add_node, connection, identity, layer, hyper)."""
        rest = 1.0 - (self.add_node + self.connection + self.identity + self.hyper)
        out, acc = [], 0.0
        for value in (self.add_node, self.connection, self.identity, max(rest, 0.0)):
            acc += value
            out.append(round(acc, 12))
        out.append(1.0)
        return tuple(out)

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (*_EVENTS, "new_connections", "keep_connected")}


class GeneSet:
    """What layer genes (and hyper-parameter genes) a genome space uses. Subclass API.

    Subclasses define ``name``, ``random_layer(rng)``, ``mutate_layer(type, params, rng)``,
    ``default_rates()`` and may define ``hyper_choices`` (name -> tuple of values).
    """

    name = "base"
    input_type = "input"
    output_type = "output"
    hyper_choices: dict[str, tuple] = {}
    initial_layers = 1

    def random_layer(self, rng) -> tuple[str, dict[str, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def mutate_layer(self, type_: str, params: dict[str, Any], rng) -> tuple[str, dict[str, Any]]:
        """Default: draw a different random layer (up to 10 tries)."""
        for _ in range(10):
            new = self.random_layer(rng)
            if new != (type_, params):
                return new
        return new

    def random_hyper(self, rng) -> dict[str, Any]:
        return {name: choices[int(rng.integers(len(choices)))] for name, choices in self.hyper_choices.items()}

    def mutate_hyper(self, name: str, value: Any, rng) -> Any:
        others = [c for c in self.hyper_choices[name] if c != value]
        return others[int(rng.integers(len(others)))] if others else value

    def layer_spec(self, type_: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Descriptor layer ``(type, params)`` of a layer gene."""
        return type_, dict(params)

    def output_spec(self, hyper: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Descriptor layer of the output node."""
        return self.output_type, {}

    def default_rates(self) -> MutationRates:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_json().items() if k != "name")
        return f"{type(self).__name__}({args})"


class ConvBlockGenes(GeneSet):
    """Continuous convolution blocks of chapters 4-5 (layer type ``"deepneat_conv"``).

    Parameters
    ----------
    min_filters, max_filters : int
        Range of the number of filters (chapter 4: 32-56, chapter 5: 32-256).
    max_pool_prob : float
        Probability that a new block ends with max pooling.

    Examples
    --------
    >>> ConvBlockGenes.chapter5().max_filters
    256
    """

    name = "conv_block"

    def __init__(self, min_filters: int = 32, max_filters: int = 56, *, max_pool_prob: float = 0.5) -> None:
        self.min_filters = check_positive_int(min_filters, "min_filters", "ConvBlockGenes")
        self.max_filters = check_positive_int(max_filters, "max_filters", "ConvBlockGenes")
        if self.max_filters < self.min_filters:
            raise parameter_error("max_filters", "ConvBlockGenes", f"at least min_filters={min_filters}", max_filters)
        self.max_pool_prob = check_probability(max_pool_prob, "max_pool_prob", "ConvBlockGenes")

    @classmethod
    def chapter4(cls) -> ConvBlockGenes:
        return cls(32, 56)

    @classmethod
    def chapter5(cls) -> ConvBlockGenes:
        return cls(32, 256)

    def random_layer(self, rng) -> tuple[str, dict[str, Any]]:
        return "deepneat_conv", {
            "filters": int(rng.integers(self.min_filters, self.max_filters + 1)),
            "kernel": 1 if rng.random() < 0.5 else 3,
            "dropout": round(float(rng.uniform(0.0, 0.7)), 4),
            "weight_scale": round(float(rng.uniform(0.0, 2.0)), 4),
            "max_pool": bool(rng.random() < self.max_pool_prob),
        }

    def mutate_layer(self, type_: str, params: dict[str, Any], rng) -> tuple[str, dict[str, Any]]:
        """Perturb one parameter: Gaussian steps (10 % of the range) for numbers, flips otherwise."""
        p = dict(params)
        which = ("filters", "kernel", "dropout", "weight_scale", "max_pool")[int(rng.integers(5))]
        if which == "filters":
            span = self.max_filters - self.min_filters
            step = int(round(float(rng.normal(0.0, max(1.0, 0.1 * span)))))
            p["filters"] = int(min(self.max_filters, max(self.min_filters, p["filters"] + (step or 1))))
        elif which == "kernel":
            p["kernel"] = 3 if p["kernel"] == 1 else 1
        elif which == "dropout":
            p["dropout"] = round(min(0.7, max(0.0, p["dropout"] + float(rng.normal(0.0, 0.07)))), 4)
        elif which == "weight_scale":
            p["weight_scale"] = round(min(2.0, max(0.0, p["weight_scale"] + float(rng.normal(0.0, 0.2)))), 4)
        else:
            p["max_pool"] = not p["max_pool"]
        return type_, p

    def default_rates(self) -> MutationRates:
        # chapter 4: node-add 0.05, connection-add 0.1, otherwise perturb a block
        return MutationRates(add_node=0.05, connection=0.1, layer=0.85, new_connections=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "min_filters": self.min_filters,
            "max_filters": self.max_filters,
            "max_pool_prob": self.max_pool_prob,
        }


class LayerChoiceGenes(GeneSet):
    """The twelve layer choices of chapter 6 (``"CONV_2.H"`` ... ``"POOL_5.M"``).

    Layer genes have no parameters: the channel count is fixed for the whole network
    (build with ``fixed_channels=self.channels``, 64 in the thesis). Initial individuals
    have 4 layers.
    """

    name = "layer_choice"
    initial_layers = 4

    def __init__(self, channels: int = 64, *, choices: tuple = LAYER_CHOICES) -> None:
        self.channels = check_positive_int(channels, "channels", "LayerChoiceGenes")
        self.choices = tuple(choices)
        if not self.choices:
            raise parameter_error("choices", "LayerChoiceGenes", "a non-empty tuple of layer names", choices)

    def random_layer(self, rng) -> tuple[str, dict[str, Any]]:
        return self.choices[int(rng.integers(len(self.choices)))], {}

    def default_rates(self) -> MutationRates:
        # thesis: p_add 0.25, p_identity 0.05, p_connection 0.7 for "mutate an existing gene";
        # as in the original code that branch picks a layer gene or a connection gene 50/50.
        # Connections are only flipped; new ones come from node insertion.
        return MutationRates(add_node=0.25, connection=0.35, identity=0.05, layer=0.35, new_connections=False)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "channels": self.channels, "choices": list(self.choices)}


class GraphSageGenes(GeneSet):
    """GraphSAGE layer genes and a readout hyper-parameter gene (chapter 7).

    A layer gene has type ``"sage_lstm"`` or ``"sage_pool"`` and params
    ``{"filters_mult": m, "filters": round(m * standard_filters)}`` with ``m`` in
    {0.5, 1, 2}. The readout gene's value (``"max"``, ``"mean"``, ``"sort1"``, ``"sort2"``,
    ``"sort3"``) becomes the params ``{"readout": value}`` of the output node, whose type is
    ``"readout"``; the input node has type ``"input"``.
    """

    name = "graphsage"
    output_type = "readout"
    initial_layers = 2
    multipliers = (0.5, 1.0, 2.0)

    def __init__(self, standard_filters: int = 300) -> None:
        self.standard_filters = check_positive_int(standard_filters, "standard_filters", "GraphSageGenes")
        self.hyper_choices = {"readout": READOUTS}

    def random_layer(self, rng) -> tuple[str, dict[str, Any]]:
        i = int(rng.integers(len(SAGE_TYPES) * len(self.multipliers)))
        return self._layer(SAGE_TYPES[i // 3], self.multipliers[i % 3])

    def _layer(self, type_: str, mult: float) -> tuple[str, dict[str, Any]]:
        return type_, {"filters_mult": mult, "filters": max(1, int(round(mult * self.standard_filters)))}

    def output_spec(self, hyper: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self.output_type, {"readout": hyper.get("readout", "max")}

    def default_rates(self) -> MutationRates:
        # chapter 7: p_a = 0.25 (add a layer), p_m = 0.25 (mutate a layer); readout and
        # connection mutations share the rest.
        return MutationRates(add_node=0.25, connection=0.25, layer=0.25, hyper=0.25, new_connections=False)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "standard_filters": self.standard_filters}


_GENE_SETS = {cls.name: cls for cls in (ConvBlockGenes, LayerChoiceGenes, GraphSageGenes)}


def gene_set_from_json(data: dict[str, Any]) -> GeneSet:
    """Rebuild a gene set from its :meth:`GeneSet.to_json` (names resolved from a fixed list)."""
    from nasnb._validation import check_choice

    name = check_choice(data.get("name"), tuple(_GENE_SETS), "name", "gene_set_from_json")
    kwargs = {k: v for k, v in data.items() if k != "name"}
    if "choices" in kwargs:
        kwargs["choices"] = tuple(kwargs["choices"])
    if name == "conv_block":
        return ConvBlockGenes(kwargs.pop("min_filters"), kwargs.pop("max_filters"), **kwargs)
    return _GENE_SETS[name](**kwargs)
