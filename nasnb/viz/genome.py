"""Genomes for viz: the full graph (inactive nodes included) and chromosome tables.

``nasnb.genomes.genome_to_descriptor`` prunes inactive nodes because a builder must not see
them; plots want them (drawn faded). :func:`genome_descriptor` keeps every node and every
enabled connection, naming nodes as the decoder does (``input``, ``node_<innovation>``,
``output``), so a genome plot and the plot of its decoded network share positions.

Genomes are read as :class:`nasnb.genomes.Genome` objects or as their JSON documents
(``{"format": "nasnb.genome", "layers": [...], "connections": [[innov, src, dst, enabled], ...],
"hyperparameters": [...]}``), so a genome stored as text in a study can be inspected on a
laptop.

Examples
--------
>>> doc = {"format": "nasnb.genome", "schema_version": 1,
...        "layers": [{"innovation": 1, "type": "CONV_3.N", "params": {}},
...                   {"innovation": 4, "type": "POOL_2.M", "params": {}}],
...        "connections": [[0, -2, 99, False], [2, -2, 1, True], [3, 1, 99, True], [5, 1, 4, True]],
...        "hyperparameters": []}
>>> d = genome_descriptor(doc)
>>> sorted(d.layers), sorted(d.active_layers())
(['input', 'node_1', 'node_4', 'output'], ['input', 'node_1', 'output'])
>>> list(genome_tables(doc))
['layers', 'connections']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import ParameterError

__all__ = ["genome_descriptor", "genome_tables", "is_genome", "study_candidates", "with_candidates", "GENOME_FORMAT"]

GENOME_FORMAT = "nasnb.genome"
_INPUT, _OUTPUT = -2, 99


def is_genome(obj: Any) -> bool:
    """Whether ``obj`` is a genome object or a genome JSON document."""
    if isinstance(obj, Mapping):
        return obj.get("format") == GENOME_FORMAT
    return all(hasattr(obj, a) for a in ("layers", "connections", "node_ids"))


def _as_doc(genome: Any) -> dict[str, Any]:
    if isinstance(genome, str):
        import json

        genome = json.loads(genome)
    if isinstance(genome, Mapping):
        if genome.get("format") != GENOME_FORMAT:
            raise ParameterError(
                f"The 'genome' parameter of genome_descriptor must be a genome or a document "
                f"with format {GENOME_FORMAT!r}. Got format {genome.get('format')!r} instead."
            )
        return dict(genome)
    if hasattr(genome, "to_dict"):
        return genome.to_dict()
    raise ParameterError(
        f"The 'genome' parameter of genome_descriptor must be a Genome or its JSON document. "
        f"Got {type(genome).__name__} instead."
    )


def _node_name(node: int) -> str:
    return "input" if node == _INPUT else "output" if node == _OUTPUT else f"node_{node}"


def genome_descriptor(genome: Any, gene_set: Any = None, *, name: str | None = None) -> NeuralDescriptor:
    """Descriptor of the *whole* genome graph: inactive nodes kept, disabled connections left out.

    Parameters
    ----------
    genome : Genome, dict or JSON text
        The genome.
    gene_set : GeneSet, optional
        Maps layer genes to descriptor layers (``gene_set.layer_spec``); without it the gene's
        own type and parameters are shown.
    name : str, optional
        Descriptor name (plot title).
    """
    doc = _as_doc(genome)
    d = NeuralDescriptor(name)
    d.add_layer(getattr(gene_set, "input_type", "input"), {}, name=_node_name(_INPUT))
    for gene in doc.get("layers", []):
        type_, params = str(gene["type"]), dict(gene.get("params", {}))
        if gene_set is not None:
            type_, params = gene_set.layer_spec(type_, params)
        d.add_layer(type_, params, name=_node_name(int(gene["innovation"])))
    hyper = {h[1]: h[2] for h in doc.get("hyperparameters", [])}
    out_type, out_params = gene_set.output_spec(hyper) if gene_set is not None else ("output", {})
    d.add_layer(out_type, out_params, name=_node_name(_OUTPUT))
    for _innov, src, dst, enabled in doc.get("connections", []):
        a, b = _node_name(int(src)), _node_name(int(dst))
        if enabled and a in d and b in d and a != b:
            d.connect_layers(a, b)
    d.set_input("input")
    d.set_output("output")
    return d


def genome_tables(genome: Any) -> dict[str, pd.DataFrame]:
    """The chromosomes of a genome as tables (``layers``, ``connections``, ``hyperparameters``).

    Non-nasnb documents (any dict whose values are lists of records) are tabulated generically:
    every list value becomes a table. Empty chromosomes are left out.
    """
    if is_genome(genome) or (isinstance(genome, str) and GENOME_FORMAT in genome):
        doc = _as_doc(genome)
        active = genome_descriptor(doc).active_layers()
        layers = pd.DataFrame(
            [
                {
                    "innovation": int(g["innovation"]),
                    "type": g["type"],
                    **{f"param:{k}": v for k, v in dict(g.get("params", {})).items()},
                    "active": _node_name(int(g["innovation"])) in active,
                }
                for g in doc.get("layers", [])
            ]
        )
        conns = pd.DataFrame(
            [
                {"innovation": int(i), "src": int(s), "dst": int(t), "enabled": bool(e)}
                for i, s, t, e in doc.get("connections", [])
            ]
        )
        hyper = pd.DataFrame(
            [{"innovation": int(i), "name": n, "value": v} for i, n, v in doc.get("hyperparameters", [])]
        )
        tables = {"layers": layers, "connections": conns, "hyperparameters": hyper}
        return {
            k: (t.sort_values("innovation").reset_index(drop=True) if len(t) else t)
            for k, t in tables.items()
            if len(t)
        }
    if isinstance(genome, Mapping):
        out = {}
        for key, value in genome.items():
            if isinstance(value, list) and value:
                rows = [v if isinstance(v, Mapping) else {"value": v} for v in value]
                out[str(key)] = pd.DataFrame(rows)
        scalars = {k: v for k, v in genome.items() if not isinstance(v, (list, Mapping))}
        if scalars:
            out["values"] = pd.DataFrame([scalars])
        return out
    raise ParameterError(
        f"The 'genome' parameter of genome_tables must be a Genome or a JSON document. "
        f"Got {type(genome).__name__} instead."
    )


def study_candidates(study: Any, seqs: Any = None) -> dict[int, Any]:
    """The stored search candidate (e.g. a genome document) of each evaluation of ``study``, by ``seq``.

    The one place that knows where a study keeps its candidates: the ``candidate_json``
    column of the store (schema v2) when the study's frame has it, else the
    ``"candidate:<seq>"`` checkpoints that :class:`nasnb.strategies.recording.StudyRecorder`
    writes. Evaluations without a stored candidate are left out.

    Parameters
    ----------
    study : Study
        A :class:`nasnb.store.Study` (anything with ``to_dataframe()`` and ``load_checkpoint``).
    seqs : iterable of int, optional
        The evaluations wanted (default: all of the study's).

    Examples
    --------
    >>> import numpy as np, tempfile, nasnb
    >>> bench = nasnb.NASBenchGraph("cora")
    >>> study = nasnb.ExperimentStore(tempfile.mkdtemp() + "/s.sqlite").create_study("s", {})
    >>> _ = nasnb.RandomSearch(bench, seed=0).run(bench, 3, study=study)
    >>> sorted(study_candidates(study))
    [0, 1, 2]
    """
    import json

    frame = study.to_dataframe()
    if "candidate_json" in frame.columns and frame["candidate_json"].notna().any():
        rows = frame if seqs is None else frame[frame["seq"].isin([int(s) for s in seqs])]
        return {
            int(s): json.loads(c) if isinstance(c, str) else c
            for s, c in zip(rows["seq"], rows["candidate_json"])
            if c is not None and c == c
        }
    if seqs is None:
        seqs = frame["seq"].tolist()
    load = getattr(study, "load_checkpoint", None)
    if load is None:
        return {}
    out: dict[int, Any] = {}
    for seq in seqs:
        value = load(f"candidate:{int(seq)}")
        if isinstance(value, Mapping) and "candidate" in value:
            out[int(seq)] = value["candidate"]
    return out


def with_candidates(records: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (the records of ``records``) with a ``candidate_json`` column of the candidates.

    Candidates come from a ``SearchHistory``'s ``candidates`` (dict-like ones, e.g. genomes)
    or from a study (:func:`study_candidates`). Returns ``frame`` unchanged when there are none
    or the frame already holds candidates (``genome_json`` / ``candidate_json``).
    """
    import json

    have = [c for c in ("genome_json", "candidate_json") if c in frame.columns and frame[c].notna().any()]
    if have:
        return frame
    candidates = getattr(records, "candidates", None)  # a SearchHistory keeps them in ask order
    if isinstance(candidates, (list, tuple)) and len(candidates) == len(frame) and "seq" in frame.columns:
        docs = [c.to_dict() if hasattr(c, "to_dict") else c for c in candidates]
        if all(isinstance(d, Mapping) for d in docs):
            out = frame.copy()
            out["candidate_json"] = [json.dumps(docs[int(s)]) if 0 <= int(s) < len(docs) else None for s in out["seq"]]
            return out
    if not callable(getattr(records, "load_checkpoint", None)) or "seq" not in frame.columns:
        return frame
    found = study_candidates(records, frame["seq"].tolist())
    if not found:
        return frame
    out = frame.copy()
    out["candidate_json"] = [json.dumps(found[int(s)]) if int(s) in found else None for s in out["seq"]]
    return out
