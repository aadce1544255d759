"""Descriptors: JSON round trip, canonical hash, validate/prune and every bad input."""

import json

import networkx as nx
import pytest

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import (DescriptorError, LayerParameterError, NasnbError, SerializationError,
                              UnknownLayerError)


def branched(names=("a", "b", "c", "d"), order=None):
    """conv a -> (b, c) -> d, optionally adding the layers in another order."""
    a, b, c, d = names
    specs = {a: ("nn.Conv2d", {"out_channels": 8, "kernel_size": 3}), b: ("nn.MaxPool2d", {"kernel_size": 2}),
             c: ("CONV_3.H", {}), d: ("nn.ReLU", {})}
    desc = NeuralDescriptor()
    for n in order or names:
        desc.add_layer(specs[n][0], specs[n][1], name=n)
    for src, dst in ((a, b), (a, c), (b, d), (c, d)):
        desc.connect_layers(src, dst)
    return desc


# ------------------------------------------------------------------ JSON
def test_json_round_trip_is_lossless_and_stable(tmp_path):
    d = branched()
    d.name = "demo"
    d.set_output("d")
    text = d.to_json()
    back = NeuralDescriptor.from_json(text)
    assert back == d and back.name == "demo"
    assert back.to_json() == text  # stable
    path = tmp_path / "net.json"
    d.to_json(path, indent=2)
    assert NeuralDescriptor.from_json(path) == d
    assert NeuralDescriptor.from_json(str(path)) == d
    assert NeuralDescriptor.from_dict(d.to_dict()) == d


def test_networkx_round_trip():
    d = branched()
    g = d.to_networkx()
    assert g.nodes["a"]["type"] == "nn.Conv2d"
    assert NeuralDescriptor.from_networkx(g) == d


def test_params_are_normalised_and_tuples_become_lists():
    d = NeuralDescriptor()
    d.add_layer("nn.Conv2d", {"out_channels": 4, "kernel_size": (3, 3)}, name="c")
    assert d.layer("c").params["kernel_size"] == [3, 3]
    with pytest.raises(LayerParameterError, match="'kernel_size' of layer 'x'"):
        d.add_layer("nn.Conv2d", {"out_channels": 4, "kernel_size": object()}, name="x")
    with pytest.raises(LayerParameterError, match="finite"):
        d.add_layer("nn.Dropout", {"p": float("nan")}, name="y")


# ------------------------------------------------------------------ hash
def test_isomorphic_descriptors_share_a_hash():
    a = branched()
    b = branched(names=("w", "x", "y", "z"), order=("z", "y", "x", "w"))
    assert a.canonical_hash() == b.canonical_hash()
    assert a.canonical_hash() == NeuralDescriptor.from_json(a.to_json()).canonical_hash()


def test_hash_differs_when_an_op_or_a_param_differs():
    a, b = branched(), branched()
    b.remove_layer("b")
    b.add_layer("nn.AvgPool2d", {"kernel_size": 2}, name="b")
    b.connect_layers("a", "b"); b.connect_layers("b", "d")
    assert a.canonical_hash() != b.canonical_hash()
    c = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 8, "kernel_size": 3})])
    e = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 8, "kernel_size": 5})])
    assert c.canonical_hash() != e.canonical_hash()


def test_hash_differs_when_a_connection_differs():
    a, b = branched(), branched()
    b.connect_layers("b", "c")  # extra edge pool -> conv block
    assert a.canonical_hash() != b.canonical_hash()
    chain = NeuralDescriptor.sequential(["nn.ReLU", "nn.Tanh", "nn.ReLU"])
    other = NeuralDescriptor.sequential(["nn.Tanh", "nn.ReLU", "nn.ReLU"])
    assert chain.canonical_hash() != other.canonical_hash()


# ------------------------------------------------------------------ validate / prune
def test_prune_drops_inactive_layers_and_keeps_the_original():
    d = branched()
    d.add_layer("nn.Tanh", name="dead")
    d.connect_layers("a", "dead")
    d.set_output("d")
    pruned = d.prune()
    assert "dead" not in pruned and "dead" in d
    assert set(pruned.layers) == {"a", "b", "c", "d"}
    assert pruned.validate() is pruned


def test_topological_order_ignores_names_and_insertion_order():
    d = NeuralDescriptor()
    for name in ("z_last", "a_first", "m_mid"):
        d.add_layer("nn.ReLU", name=name)
    d.connect_layers("z_last", "m_mid")
    d.connect_layers("m_mid", "a_first")
    assert d.topological_order() == ["z_last", "m_mid", "a_first"]


def test_unknown_layer_is_named():
    d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3})])
    d.add_layer_sequential("nn.Conv2e", {}, name="oops")
    with pytest.raises(UnknownLayerError, match=r"'oops'.*'nn.Conv2e'.*'nn.Conv2d'") as info:
        d.validate()
    assert isinstance(info.value, ValueError) and isinstance(info.value, NasnbError)


def test_connection_to_a_missing_layer_is_named():
    d = NeuralDescriptor.sequential(["nn.ReLU"])
    with pytest.raises(DescriptorError, match="'ghost'"):
        d.connect_layers("layer_0", "ghost")
    with pytest.raises(DescriptorError, match="'ghost'"):
        d.connect_layers("ghost", "layer_0")


def test_duplicate_name_is_named():
    d = NeuralDescriptor()
    d.add_layer("nn.ReLU", name="twin")
    with pytest.raises(DescriptorError, match="Duplicate layer name 'twin'"):
        d.add_layer("nn.Tanh", name="twin")
    doc = {"format": "nasnb.descriptor", "schema_version": 1,
           "layers": [{"name": "twin", "type": "nn.ReLU"}, {"name": "twin", "type": "nn.Tanh"}]}
    with pytest.raises(SerializationError, match="twin"):
        NeuralDescriptor.from_dict(doc)


def test_cycle_is_named():
    d = NeuralDescriptor.sequential(["nn.ReLU", "nn.Tanh", "nn.Sigmoid"])
    d.add_layer("nn.Identity", name="in")
    d.connect_layers("in", "layer_0")
    d.connect_layers("layer_2", "layer_1")
    with pytest.raises(DescriptorError, match=r"cycle: .*layer_1.*layer_2"):
        d.validate()


def test_no_input_to_output_path_is_named():
    d = NeuralDescriptor()
    d.add_layer("nn.ReLU", name="src")
    d.add_layer("nn.Tanh", name="dst")
    d.set_input("src"); d.set_output("dst")
    with pytest.raises(DescriptorError, match="no path from the input layer 'src' to the output layer 'dst'"):
        d.validate()
    with pytest.raises(DescriptorError, match="no path"):
        d.prune()


def test_parameters_that_do_not_fit_are_named():
    d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3, "colour": 1})])
    with pytest.raises(LayerParameterError, match=r"'layer_0' \(nn.Conv2d\) has no parameter 'colour'.*kernel_size"):
        d.validate()
    bad_value = NeuralDescriptor.sequential([("deepneat_conv", {"filters": -2})])
    with pytest.raises(LayerParameterError, match="'layer_0' \\(deepneat_conv\\).*'filters'"):
        bad_value.validate()
    missing = NeuralDescriptor.sequential([("nn.Linear", {})])
    with pytest.raises(LayerParameterError, match="needs parameter 'out_features'"):
        missing.validate()


def test_malformed_json_file_names_file_and_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "nasnb.descriptor",\n  "layers": [\n    {"name": "a",, }\n  ]\n}\n')
    with pytest.raises(SerializationError, match=r"broken\.json.*line 4") as info:
        NeuralDescriptor.from_json(path)
    assert isinstance(info.value, ValueError)
    with pytest.raises(SerializationError, match="nope.json"):
        NeuralDescriptor.from_json(tmp_path / "nope.json")


@pytest.mark.parametrize("document, culprit", [
    ({"__class__": "os.system", "format": "nasnb.descriptor", "schema_version": 1, "layers": []}, "__class__"),
    ({"format": "nasnb.descriptor", "schema_version": 1,
      "layers": [{"name": "x", "type": "nn.ReLU", "__reduce__": "os.system"}]}, "layer #0"),
    ({"format": "nasnb.descriptor", "schema_version": 1,
      "layers": [{"name": "x", "type": {"py/object": "os.system"}}]}, "layer #0"),
    ({"format": "nasnb.descriptor", "schema_version": 99, "layers": []}, "schema_version 99"),
    ({"format": "pickle", "schema_version": 1, "layers": []}, "'format'"),
])
def test_hostile_json_documents_are_rejected(document, culprit):
    with pytest.raises(SerializationError, match=culprit):
        NeuralDescriptor.from_json(json.dumps(document))


def test_hostile_layer_type_is_never_resolved():
    doc = {"format": "nasnb.descriptor", "schema_version": 1,
           "layers": [{"name": "boom", "type": "os.system", "params": {"command": "echo hacked"}}]}
    d = NeuralDescriptor.from_json(json.dumps(doc))  # types are inert strings until validated
    with pytest.raises(UnknownLayerError, match="'boom' has unknown type 'os.system'"):
        d.validate()
    with pytest.raises(LayerParameterError, match="'__class__'"):
        NeuralDescriptor.sequential([("nn.ReLU", {"__class__": "os.system"})]).validate()


def test_hugely_nested_json_is_rejected(tmp_path):
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(SerializationError, match="nesting is too deep"):
        NeuralDescriptor.from_json('{"layers": ' + text + "}")
    path = tmp_path / "deep.json"
    path.write_text('{"layers": ' + text + "}")
    with pytest.raises(SerializationError, match="deep.json"):
        NeuralDescriptor.from_json(path)
    with pytest.raises(SerializationError, match="NaN"):
        NeuralDescriptor.from_json('{"format": NaN}')


def test_graph_from_networkx_needs_types():
    g = nx.DiGraph()
    g.add_node("a")
    with pytest.raises(DescriptorError, match="'a'.*'type'"):
        NeuralDescriptor.from_networkx(g)


def test_descriptors_can_be_pickled_and_deep_copied():
    import copy
    import pickle

    d = branched()
    assert pickle.loads(pickle.dumps(d)) == d
    assert copy.deepcopy(d) == d


# ------------------------------------------------------------------ neighbours and disconnect
def test_outgoing_incoming_and_disconnect_layers():
    d = branched()
    assert sorted(d.outgoing("a")) == ["b", "c"] and d.outgoing("d") == []
    assert d.incoming("d") == ["b", "c"] and d.incoming("a") == []
    assert branched(order=("d", "c", "b", "a")).incoming("d") == ["b", "c"]  # sorted, not insertion order
    before = d.canonical_hash()
    d.disconnect_layers("c", "d")
    assert ("c", "d") not in d.connections and len(d.connections) == 3
    assert d.incoming("d") == ["b"] and d.outgoing("c") == [] and sorted(d.outgoing("a")) == ["b", "c"]
    assert len(d) == 4 and d.canonical_hash() != before  # layers stay, the graph changed
    d.connect_layers("c", "d")
    assert d.canonical_hash() == before
    # a connection that does not exist (reversed, removed twice, unknown layer) is an error naming it
    with pytest.raises(DescriptorError, match="'d' -> 'c'"):
        d.disconnect_layers("d", "c")
    d.disconnect_layers("a", "b")
    with pytest.raises(DescriptorError, match="'a' -> 'b'"):
        d.disconnect_layers("a", "b")
    with pytest.raises(DescriptorError, match="'zz'"):
        d.disconnect_layers("zz", "a")
    for method in (d.outgoing, d.incoming):
        with pytest.raises(DescriptorError, match="'zz'"):
            method("zz")
    assert d.incoming("b") == [] and d.outgoing("a") == ["c"]
