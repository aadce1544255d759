"""Genome JSON: every malformed or hostile document gives a SerializationError naming the gene or key."""

from __future__ import annotations

import json

import pytest

from _hostile import good_genome_doc

from nasnb.exceptions import SerializationError
from nasnb.genomes import Genome


def _doc(path, value=..., delete=False):
    doc = good_genome_doc()
    target = doc
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(doc)


GOOD = json.dumps(good_genome_doc())

BAD_GENOMES = [
    ("not_json", "{", "line 1"),
    ("non_utf8", b"\xc3\x28", "not UTF-8"),
    ("int_5000_digits", GOOD.replace('"innovation": 1', '"innovation": ' + "1" * 5000), "5000 digits"),
    ("nan_constant", GOOD.replace('"mean"', "NaN"), "'NaN'"),
    ("duplicate_key", GOOD[:-1] + ', "layers": []}', "duplicate key"),
    ("top_level_list", "[]", "top level must be an object"),
    ("format_wrong", _doc(["format"], "nasnb.descriptor"), "format"),
    ("format_missing", _doc(["format"], delete=True), "format"),
    ("version_2", _doc(["schema_version"], 2), "schema version 2"),
    ("version_true", _doc(["schema_version"], True), "schema version true"),
    ("version_string", _doc(["schema_version"], "1"), "schema version"),
    ("unknown_key", _doc(["extra"], []), r"unknown keys \['extra'\]"),
    ("layers_missing", _doc(["layers"], delete=True), "'layers' and 'connections' are required"),
    ("connections_missing", _doc(["connections"], delete=True), "required"),
    ("layers_object", _doc(["layers"], {}), "'layers' must be a list"),
    ("connections_string", _doc(["connections"], "0,-2,99"), "'connections' must be a list"),
    ("hyper_object", _doc(["hyperparameters"], {"readout": "mean"}), "'hyperparameters' must be a list"),
    ("layer_gene_list", _doc(["layers", 0], [1, "CONV_3.N", {}]), "layer gene #0 must be an object"),
    ("layer_gene_unknown_key", _doc(["layers", 0, "weights"], 1), "layer gene #0 must be an object"),
    ("layer_gene_no_type", _doc(["layers", 0, "type"], delete=True), "layer gene #0 must be an object"),
    ("layer_gene_no_innovation", _doc(["layers", 0, "innovation"], delete=True), "layer gene #0"),
    ("layer_innovation_string", _doc(["layers", 0, "innovation"], "1"), "layer gene #0: 'innovation' must be an integer"),
    ("layer_innovation_float", _doc(["layers", 0, "innovation"], 1.5), "'innovation' must be an integer"),
    ("layer_innovation_bool", _doc(["layers", 0, "innovation"], True), "'innovation' must be an integer"),
    ("layer_innovation_huge", _doc(["layers", 0, "innovation"], 2**70), "'innovation' must be an integer"),
    ("layer_type_number", _doc(["layers", 0, "type"], 3), "layer gene #0: 'type' must be a non-empty string"),
    ("layer_type_empty", _doc(["layers", 0, "type"], ""), "'type' must be a non-empty string"),
    ("layer_type_surrogate", GOOD.replace('"CONV_3.N"', '"\\ud800"'), "'type' must be a non-empty string"),
    ("layer_params_false", _doc(["layers", 0, "params"], False), "layer gene #0: 'params' must be an object"),
    ("layer_params_list", _doc(["layers", 0, "params"], [["a", 1]]), "'params' must be an object"),
    ("layer_param_object_value", _doc(["layers", 0, "params"], {"k": {"a": 1}}), "parameter 'k' must be a number"),
    ("connection_three_fields", _doc(["connections", 0], [0, -2, 99]), "connection gene #0 must be"),
    ("connection_object", _doc(["connections", 1], {"src": -2}), "connection gene #1 must be"),
    ("connection_enabled_string", _doc(["connections", 0, 3], "false"), "'enabled' must be true or false"),
    ("connection_enabled_int", _doc(["connections", 0, 3], 0), "'enabled' must be true or false"),
    ("connection_enabled_null", _doc(["connections", 0, 3], None), "'enabled' must be true or false"),
    ("connection_src_string", _doc(["connections", 1, 1], "-2"), "connection gene #1: 'source' must be an integer"),
    ("connection_dst_float", _doc(["connections", 1, 2], 1.0), "'destination' must be an integer"),
    ("connection_innovation_null", _doc(["connections", 2, 0], None), "connection gene #2: 'innovation'"),
    ("connection_dst_huge", _doc(["connections", 1, 2], -(2**64)), "'destination' must be an integer"),
    ("hyper_two_fields", _doc(["hyperparameters", 0], [4, "readout"]), "hyper-parameter gene #0 must be"),
    ("hyper_name_number", _doc(["hyperparameters", 0, 1], 5), "'name' must be a non-empty string"),
    ("hyper_value_object", _doc(["hyperparameters", 0, 2], {"a": 1}), "'value' must be a number"),
    ("hyper_innovation_string", _doc(["hyperparameters", 0, 0], "4"), "'innovation' must be an integer"),
    ("too_many_genes", _doc(["connections"], [[i, -2, 99, True] for i in range(100_001)]), "exceed the limit"),
    ("bytes_too_long", b" " * 10_000_001, "larger than"),
    ("not_text", 12345, "takes JSON text"),
]


@pytest.mark.parametrize("label, text, match", BAD_GENOMES, ids=[b[0] for b in BAD_GENOMES])
def test_bad_genome_document_is_named(label, text, match):
    with pytest.raises(SerializationError, match=match):
        Genome.from_json(text)


def test_good_genome_round_trips():
    g = Genome.from_json(GOOD)
    assert Genome.from_json(g.to_json()) == g and Genome.from_json(GOOD.encode()) == g
    assert g.connections[0].enabled is False and g.hyper_dict == {"readout": "mean"}
