"""Descriptor JSON: every malformed or hostile document gives a SerializationError naming the culprit."""

from __future__ import annotations

import copy
import json
import os

import pytest

from _hostile import good_descriptor_doc

from nasnb.descriptors import NeuralDescriptor
from nasnb.descriptors.serialization import MAX_DOCUMENT_BYTES
from nasnb.exceptions import NasnbError, SerializationError


def _doc(change):
    doc = good_descriptor_doc()
    change(doc)
    return json.dumps(doc)


def _set(path, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _del(path):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


GOOD = json.dumps(good_descriptor_doc())

# (label, document text or bytes, regex the message must match)
BAD_DOCUMENTS = [
    # the cases
    ("int_5000_digits", GOOD.replace('"kernel_size": 3', '"kernel_size": ' + "9" * 5000), "5000 digits"),
    ("non_utf8_bytes", b"\xff\xfe\x00{", "not UTF-8"),
    ("non_utf8_inside_string", GOOD.encode().replace(b'"cell"', b'"c\xe9ll"'), "not UTF-8"),
    ("params_false", _doc(_set(["layers", 1, "params"], False)), r"layer #1 \('b'\): 'params' must be an object"),
    # top level
    ("top_level_list", "[]", "top level must be an object"),
    ("top_level_string", '"x"', "top level must be an object"),
    ("top_level_number", "{}".replace("{}", "[1]"), "top level must be an object"),
    ("empty_object", "{}", "'format'"),
    ("unknown_key", _doc(_set(["extra"], 1)), r"unknown keys \['extra'\]"),
    ("format_missing", _doc(_del(["format"])), "'format' must be"),
    ("format_wrong", _doc(_set(["format"], "nasnb.genome")), "'format' must be"),
    ("format_number", _doc(_set(["format"], 1)), "'format' must be"),
    ("version_missing", _doc(_del(["schema_version"])), "schema_version"),
    ("version_2", _doc(_set(["schema_version"], 2)), "schema_version 2"),
    ("version_true", _doc(_set(["schema_version"], True)), "schema_version true"),
    ("version_string", _doc(_set(["schema_version"], "1")), "schema_version"),
    ("version_float", _doc(_set(["schema_version"], 1.5)), "schema_version"),
    ("name_number", _doc(_set(["name"], 3)), "'name' must be a string"),
    ("name_list", _doc(_set(["name"], ["a"])), "'name' must be a string"),
    ("name_lone_surrogate", GOOD.replace('"cell"', '"\\ud800"'), "'name' must be a string"),
    ("layers_missing", _doc(_del(["layers"])), "'layers' must be a list"),
    ("layers_object", _doc(_set(["layers"], {})), "'layers' must be a list"),
    ("layers_string", _doc(_set(["layers"], "abc")), "'layers' must be a list"),
    ("connections_object", _doc(_set(["connections"], {})), "'connections' must be a list"),
    ("connections_null", _doc(_set(["connections"], None)), "'connections' must be a list"),
    ("input_number", _doc(_set(["input"], 1)), "'input' must be a layer name"),
    ("output_list", _doc(_set(["output"], ["c"])), "'output' must be a layer name"),
    ("input_unknown_layer", _doc(_set(["input"], "zz")), "'zz' is not a layer"),
    ("output_empty", _doc(_set(["output"], "")), "'output' must be a layer name"),
    # layers
    ("layer_string", _doc(_set(["layers", 0], "nn.ReLU")), "layer #0 must be an object"),
    ("layer_list", _doc(_set(["layers", 0], ["a", "nn.ReLU"])), "layer #0 must be an object"),
    ("layer_null", _doc(_set(["layers", 2], None)), "layer #2 must be an object"),
    ("layer_unknown_key", _doc(_set(["layers", 0, "weights"], [1])), r"layer #0 has unknown keys \['weights'\]"),
    ("layer_name_missing", _doc(_del(["layers", 0, "name"])), "layer #0 needs a non-empty string 'name'"),
    ("layer_name_number", _doc(_set(["layers", 1, "name"], 7)), "layer #1 needs a non-empty string 'name'"),
    ("layer_name_empty", _doc(_set(["layers", 1, "name"], "")), "layer #1 needs a non-empty string 'name'"),
    ("layer_name_null", _doc(_set(["layers", 1, "name"], None)), "layer #1 needs"),
    ("layer_name_surrogate", GOOD.replace('"name": "b"', '"name": "\\udc00"'), "layer #1 needs"),
    ("layer_type_missing", _doc(_del(["layers", 1, "type"])), r"layer #1 \('b'\) needs a non-empty string 'type'"),
    ("layer_type_number", _doc(_set(["layers", 1, "type"], 5)), r"layer #1 \('b'\) needs"),
    ("layer_type_empty", _doc(_set(["layers", 1, "type"], "")), r"layer #1 \('b'\) needs"),
    ("layer_type_blank", _doc(_set(["layers", 1, "type"], "   ")), "layer #1"),
    ("layer_type_object", _doc(_set(["layers", 1, "type"], {"a": 1})), r"layer #1 \('b'\) needs"),
    ("duplicate_layer_name", _doc(_set(["layers", 2, "name"], "a")), "layer #2: Duplicate layer name 'a'"),
    ("params_true", _doc(_set(["layers", 0, "params"], True)), "'params' must be an object"),
    ("params_null", _doc(_set(["layers", 0, "params"], None)), "'params' must be an object"),
    ("params_zero", _doc(_set(["layers", 0, "params"], 0)), "'params' must be an object"),
    ("params_list", _doc(_set(["layers", 0, "params"], [1, 2])), "'params' must be an object"),
    ("params_string", _doc(_set(["layers", 0, "params"], "kernel_size=3")), "'params' must be an object"),
    ("param_value_object", _doc(_set(["layers", 0, "params", "kernel_size"], {"h": 3})), "kernel_size"),
    ("param_value_nested_object", _doc(_set(["layers", 0, "params", "kernel_size"], [{"h": 3}])), "kernel_size"),
    ("param_value_surrogate", GOOD.replace('"kernel_size": 3', '"kernel_size": "\\ud83d"'), "not valid Unicode"),
    ("param_name_surrogate", GOOD.replace('"kernel_size": 3', '"\\ud83d": 3'), "parameter name"),
    ("param_value_infinity", GOOD.replace('"kernel_size": 3', '"kernel_size": 1e999'), "out of the range"),
    ("param_value_nan_constant", GOOD.replace('"kernel_size": 3', '"kernel_size": NaN'), "'NaN'"),
    ("param_value_infinity_constant", GOOD.replace('"kernel_size": 3', '"kernel_size": -Infinity'), "'-Infinity'"),
    ("param_deeply_nested", GOOD.replace('"kernel_size": 3', '"kernel_size": ' + "[" * 100_000 + "]" * 100_000),
     "nesting is too deep"),
    # connections
    ("connection_string", _doc(_set(["connections", 0], "a->b")), "connection #0 must be a"),
    ("connection_three", _doc(_set(["connections", 0], ["a", "b", "c"])), "connection #0 must be a"),
    ("connection_one", _doc(_set(["connections", 1], ["a"])), "connection #1 must be a"),
    ("connection_numbers", _doc(_set(["connections", 0], [0, 1])), "connection #0 must be a"),
    ("connection_object", _doc(_set(["connections", 0], {"src": "a", "dst": "b"})), "connection #0 must be a"),
    ("connection_empty_name", _doc(_set(["connections", 0], ["", "b"])), "connection #0 must be a"),
    ("connection_unknown_source", _doc(_set(["connections", 0], ["x", "b"])), "connection #0: .*'x' is not a layer"),
    ("connection_unknown_dest", _doc(_set(["connections", 0], ["a", "y"])), "connection #0: .*'y' is not a layer"),
    ("connection_self_loop", _doc(_set(["connections", 0], ["b", "b"])), "connection #0: .*to itself"),
    ("connection_duplicate", _doc(_set(["connections", 2], ["a", "b"])), r"connection #2 \['a', 'b'\] is listed twice"),
    # JSON syntax and encoding
    ("trailing_comma", GOOD[:-1] + ",}", "line 1, column"),
    ("truncated", GOOD[: len(GOOD) // 2], "invalid JSON at line 1"),
    ("single_quotes", GOOD.replace('"', "'"), "path|invalid JSON|Cannot read"),
    ("duplicate_top_key", GOOD[:-1] + ', "layers": []}', "duplicate key 'layers'"),
    ("duplicate_layer_key", GOOD.replace('"name": "a"', '"name": "a", "name": "z"'), "duplicate key 'name'"),
    ("comment", "{/* c */}", "invalid JSON"),
    ("multiline_error_line", GOOD.replace(", ", ",\n").replace('"nn.ReLU"', "nn.ReLU"), "line [2-9]"),
    ("bom_then_garbage", "\ufeff{garbage", "invalid JSON"),
    ("utf16_bytes", GOOD.encode("utf-16"), "not UTF-8|invalid JSON"),
    ("null_bytes", b"{\x00}", "invalid JSON|not UTF-8"),
    ("too_many_layers_claim", json.dumps({**good_descriptor_doc(), "layers": [{}] * 100_001}), "exceed the limit"),
]


@pytest.mark.parametrize("label, text, match", BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS])
def test_bad_descriptor_document_is_named(label, text, match):
    with pytest.raises(SerializationError, match=match) as info:
        NeuralDescriptor.from_json(text)
    assert isinstance(info.value, (NasnbError, ValueError))


def test_good_document_still_reads():
    d = NeuralDescriptor.from_json(GOOD)
    assert d.layer("a").params["kernel_size"] == 3 and set(d.connections) == {("a", "b"), ("b", "c"), ("a", "c")}
    assert NeuralDescriptor.from_json(GOOD.encode("utf-8")) == d
    assert NeuralDescriptor.from_json(b"\xef\xbb\xbf" + GOOD.encode()) == d  # UTF-8 BOM
    doc = good_descriptor_doc()
    del doc["layers"][1]["params"]  # params may be left out
    assert NeuralDescriptor.from_json(json.dumps(doc)).layer("b").params == {}


BAD_SOURCES = [
    ("directory", lambda tmp: str(tmp), "is a directory"),
    ("missing_file", lambda tmp: str(tmp / "nope.json"), "no such file"),
    ("nul_in_path", lambda tmp: str(tmp) + "/a\x00b.json", "embedded null"),
    ("pathlike_directory", lambda tmp: tmp, "is a directory"),
    ("integer_source", lambda tmp: 42, "JSON text or a file path"),
    ("none_source", lambda tmp: None, "JSON text or a file path"),
    ("list_source", lambda tmp: [GOOD], "JSON text or a file path"),
    ("empty_string", lambda tmp: "", "Cannot read"),
    ("file_with_bad_utf8", lambda tmp: _write(tmp / "bad.json", b'{"format": "\xff"}'), "in file .*bad.json.*not UTF-8"),
    ("file_with_bad_json", lambda tmp: _write(tmp / "bad2.json", b'{"format": }'), r"in file .*bad2.json.*line 1, column"),
    ("file_too_large", lambda tmp: _sparse(tmp / "big.json", MAX_DOCUMENT_BYTES + 1), "exceed the limit"),
    ("unreadable_file", lambda tmp: _unreadable(tmp / "secret.json"), "permission denied|Cannot read|params"),
]


def _write(path, data: bytes):
    path.write_bytes(data)
    return str(path)


def _sparse(path, size):
    with open(path, "wb") as fh:
        fh.truncate(size)
    return str(path)


def _unreadable(path):
    path.write_text(json.dumps(good_descriptor_doc()).replace('"params": {}', '"params": false'))
    os.chmod(path, 0)
    return str(path)


@pytest.mark.parametrize("label, make, match", BAD_SOURCES, ids=[b[0] for b in BAD_SOURCES])
def test_bad_descriptor_source_is_named(tmp_path, label, make, match):
    with pytest.raises(SerializationError, match=match):
        NeuralDescriptor.from_json(make(tmp_path))


def test_from_dict_is_as_strict_as_from_json():
    doc = copy.deepcopy(good_descriptor_doc())
    doc["layers"][0]["params"] = False
    with pytest.raises(SerializationError, match="'params' must be an object"):
        NeuralDescriptor.from_dict(doc)
