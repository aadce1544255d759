"""NAS-Bench-Graph (Qin et al., 2022) as a nasnb search space and evaluator.

The ``nas-bench-graph`` package ships the "light" tables of 26,206 unique GNN cells
(2,021 for ``proteins``) on nine graph data sets. A cell has four hidden nodes; node
``i`` reads from one earlier vertex ``links[i]`` (``0`` = the cell input, ``k`` = node
``k``), applies one op, and the nodes that feed no other node are read by the output.
The native candidate is the pair ``(links, ops)`` of two 4-tuples, e.g.
``((0, 0, 1, 2), ("gcn", "gat", "sage", "fc"))``; ``links[0]`` is always ``0``.

Every recorded metric is reported: validation score (the fitness), test score,
inference latency (s) and parameters (millions). Training time is not recorded, so
``total_time`` is 0. Isomorphic cells share one record: :meth:`NASBenchGraph.key` is the
package's canonical ``Arch.valid_hash()``. All-``skip`` cells are not in the benchmark.

Descriptors use ``"input"``, ``"output"`` and the op names (``"gcn"``, ``"gat"``, ...) as
layer types; they are for table look-up, not for the torch builder (validate them with
``check_layers=False``).

Examples
--------
>>> nb = NASBenchGraph("cora")
>>> r = nb.evaluate_candidate(((0, 0, 1, 2), ("gcn", "gat", "sage", "fc")))
>>> r.status, 0.0 < r.fitness < 1.0, sorted(r.metrics)
('done', True, ['latency', 'parameters', 'test_score', 'validation_score'])
>>> d = nb.to_descriptor(((0, 0, 1, 2), ("gcn", "gat", "sage", "fc")))
>>> nb.descriptor_to_candidate(d)
((0, 0, 1, 2), ('gcn', 'gat', 'sage', 'fc'))
"""

from __future__ import annotations

import itertools
import logging
import os
from typing import Any

import numpy as np

from nasnb._optional import require
from nasnb._safe_pickle import safe_load
from nasnb._validation import as_generator, check_choice, check_positive_int
from nasnb.benchmarks.base import TabularBenchmark
from nasnb.benchmarks.cellspace import CellSpace
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import BenchmarkError, DescriptorError, SerializationError
from nasnb.results import EvaluationResult

__all__ = ["NASBenchGraph", "GRAPH_DATASETS", "GRAPH_OPS", "GRAPH_OPS_PROTEINS"]

logger = logging.getLogger(__name__)

#: The nine data sets of NAS-Bench-Graph.
GRAPH_DATASETS = ("cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins")
#: Ops of every data set but ``proteins`` (the package's ``gnn_list`` order).
GRAPH_OPS = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
#: Ops of ``proteins`` (the package's ``gnn_list_proteins``).
GRAPH_OPS_PROTEINS = ("gcn", "sage", "arma", "fc", "skip")
_FIELDS = ("valid_perf", "perf", "latency", "para")
_NODES = 4
_NAN = float("nan")
#: every mutation draws one of ``_GENES * _SPREAD`` moves; ``_SPREAD`` is a multiple of every
#: number of alternatives a gene has (1, 2, 3 links; 8 or 4 ops), so each gene and each
#: alternative value is equally likely
_GENES = 2 * _NODES - 1
_SPREAD = 24
#: the 24 link patterns (node i reads one of the vertices 0..i)
_LINK_PATTERNS = tuple((0, a, b, c) for a in range(2) for b in range(3) for c in range(4))
#: op -> its index in the package's ``gnn_list`` (the digits of the canonical hash)
_OP_CODE = {op: i for i, op in enumerate(GRAPH_OPS)}
_SKIP = _OP_CODE["skip"]
#: {(links, skip mask): (p0, p1, p2, p3, base, sort kind)}: the canonical cell of a link pattern
#: with skip nodes at the bits of the mask holds op ``p_i`` of the original cell at node ``i``;
#: its hash is ``base + 1000 a + 100 b + 10 c + d`` once the ops that the package orders
#: (``sort kind``) are sorted. Built once per process by :func:`_build_plans`.
_PLANS: dict[tuple, tuple] = {}
#: positions that ``Arch.equalpart_sort`` sorts, by canonical link pattern (kind 5: swap the
#: two branches of ``[0, 0, 1, 2]``)
_SORT_KIND = {(0, 0, 0, 0): 1, (0, 0, 0, 1): 2, (0, 0, 1, 1): 3, (0, 0, 1, 2): 5, (0, 1, 1, 1): 4, (0, 1, 2, 2): 3}


def _build_plans() -> dict[tuple, tuple]:
    """Run the package's relabelling (``regularize`` then ``move_skip_op``) once per link
    pattern and skip mask on placeholder ops; they only ever test an op for ``'skip'``, so
    the resulting permutation holds for every cell with that pattern and mask."""
    pkg = require("nas_bench_graph", extra="benchmarks", purpose="hash NAS-Bench-Graph cells")
    from nas_bench_graph.architecture import link_list

    canonical = [tuple(lk) for lk in link_list]
    plans = {}
    for links in _LINK_PATTERNS:
        for mask in range(2**_NODES - 1):  # all-skip cells are not in the benchmark
            ops = ["skip" if mask >> i & 1 else i for i in range(_NODES)]
            arch = pkg.Arch(list(links), ops).regularize()
            arch.move_skip_op()
            first_skip = next((i for i in range(_NODES) if mask >> i & 1), 0)
            perm = tuple(first_skip if op == "skip" else op for op in arch.ops)
            final = tuple(arch.link)
            plans[links, mask] = perm + (canonical.index(final) * 10**_NODES, _SORT_KIND.get(final, 0))
    _PLANS.update(plans)
    return _PLANS


def _plan_hash(plan: tuple, codes: tuple) -> int:
    p0, p1, p2, p3, base, kind = plan
    a, b, c, d = codes[p0], codes[p1], codes[p2], codes[p3]
    if kind == 1:
        a, b, c, d = sorted((a, b, c, d))
    elif kind == 2:
        if b > c:
            b, c = c, b
    elif kind == 3:
        if c > d:
            c, d = d, c
    elif kind == 4:
        b, c, d = sorted((b, c, d))
    elif kind == 5 and (a > b or a == b and c > d):
        a, b, c, d = b, a, d, c
    return base + a * 1000 + b * 100 + c * 10 + d


class NASBenchGraph(TabularBenchmark):
    """NAS-Bench-Graph tables as a search space and an evaluator.

    Parameters
    ----------
    dataset : str
        Default data set, one of :data:`GRAPH_DATASETS`.
    path : str, optional
        A ``.bench`` file in the package's light format to read instead of the shipped
        one (read with a restricted unpickler, never ``pickle.load``).

    Notes
    -----
    Tables load on first use. Results are memoised per instance and data set: after the
    first query of a cell, :meth:`evaluate_candidate` returns the same (immutable)
    :class:`~nasnb.results.EvaluationResult` object from one dict access -- treat its
    ``metrics`` dict as read-only. Isomorphic cells share one result object. NAS-Bench-Graph
    records one run per cell, so ``seed`` does not change a result.
    """

    def __init__(self, dataset: str = "cora", *, path: str | os.PathLike | None = None) -> None:
        self.dataset = check_choice(dataset, GRAPH_DATASETS, "dataset", "NASBenchGraph")
        self.path = None if path is None else os.fspath(path)
        self._tables: dict[str, dict[int, tuple]] = {}
        self._canon: dict[tuple, int] = {}
        self._init_memo()

    _MEMO_ATTRS = ("_run_memo", "_memo", "_results", "_by_hash", "_sample_ops", "_alternatives", "_op_codes")

    def _init_memo(self) -> None:
        super()._init_memo()
        # {dataset: {candidate: EvaluationResult}}, {dataset: {canonical hash: EvaluationResult}}
        self._memo: dict[Any, EvaluationResult] = {}
        self._results: dict[str, dict[Any, EvaluationResult]] = {self.dataset: self._memo}
        self._by_hash: dict[str, dict[int, EvaluationResult]] = {}
        self._sample_ops: tuple | None = None
        self._alternatives: dict[str, tuple] | None = None
        self._op_codes = {op: _OP_CODE[op] for op in self.get_available_ops()}

    # ------------------------------------------------------------ data
    def _bench_path(self, dataset: str) -> str:
        if self.path is not None and dataset == self.dataset:
            return self.path
        pkg = require("nas_bench_graph", extra="benchmarks", purpose="read the NAS-Bench-Graph tables")
        if pkg.__file__ is None:  # a namespace package: no directory of its own holds the tables
            raise BenchmarkError(
                "The installed nas_bench_graph has no package directory; reinstall it "
                "(pip install nas-bench-graph) to read its tables."
            )
        return os.path.join(os.path.dirname(pkg.__file__), "light", f"{dataset}.bench")

    def table(self, dataset: str | None = None) -> dict[int, tuple]:
        """``{canonical hash: (validation, test, latency, parameters)}`` of one data set."""
        dataset = self._dataset(dataset, "NASBenchGraph.table")
        table = self._tables.get(dataset)
        if table is None:
            table = self._tables[dataset] = self._load(self._bench_path(dataset))
        return table

    @staticmethod
    def _load(path: str) -> dict[int, tuple]:
        try:
            with open(path, "rb") as fh:
                raw = safe_load(fh, name=path, error=BenchmarkError)
        except OSError as exc:
            raise BenchmarkError(f"Cannot read the NAS-Bench-Graph file {path!r}: {exc}.") from exc
        if not isinstance(raw, dict) or not raw:
            raise BenchmarkError(f"{path}: expected a non-empty dict of architecture hash -> metrics.")
        table = {}
        for key, rec in raw.items():
            if not isinstance(key, int) or not isinstance(rec, dict) or any(f not in rec for f in _FIELDS):
                raise BenchmarkError(
                    f"{path}: record {key!r} is malformed; each record needs an int hash and the fields "
                    f"{', '.join(_FIELDS)}."
                )
            try:
                table[key] = tuple(float(rec[f]) for f in _FIELDS)
            except (TypeError, ValueError) as exc:
                raise BenchmarkError(f"{path}: record {key!r} has a non-numeric metric ({exc}).") from exc
        logger.debug("loaded %d NAS-Bench-Graph records from %s", len(table), path)
        return table

    def _dataset(self, dataset: str | None, func: str) -> str:
        return self.dataset if dataset is None else check_choice(dataset, GRAPH_DATASETS, "dataset", func)

    def get_available_ops(self, dataset: str | None = None) -> list[str]:
        """Ops of the (default) data set."""
        dataset = self._dataset(dataset, "NASBenchGraph.get_available_ops")
        return list(GRAPH_OPS_PROTEINS if dataset == "proteins" else GRAPH_OPS)

    def __len__(self) -> int:
        return len(self.table())

    # ------------------------------------------------------------ candidates
    def invalid_reason(self, candidate: Any) -> str | None:
        """``None`` for a cell of the space, else a sentence naming the problem."""
        try:
            links, ops = candidate
            links, ops = tuple(links), tuple(ops)
        except (TypeError, ValueError):
            return f"A NAS-Bench-Graph candidate is a pair (links, ops); got {candidate!r}."
        if len(links) != _NODES or len(ops) != _NODES:
            return f"A NAS-Bench-Graph cell has {_NODES} links and {_NODES} ops; got {len(links)} and {len(ops)}."
        for i, link in enumerate(links):
            if isinstance(link, bool) or not isinstance(link, (int, np.integer)) or not 0 <= link <= i:
                return f"Link {i} is {link!r}; node {i + 1} can only read from vertices 0..{i}."
        known = self.get_available_ops()
        for i, op in enumerate(ops):
            if op not in known:
                return f"Unknown op {op!r} at node {i + 1}; the ops of {self.dataset} are {', '.join(known)}."
        if all(op == "skip" for op in ops):
            return "A cell made only of 'skip' ops is not in NAS-Bench-Graph."
        return None

    def canonical_hash(self, candidate: Any) -> int:
        """The package's canonical ``Arch(links, ops).valid_hash()`` of a cell (memoised).

        Computed from a plan per (link pattern, set of ``skip`` nodes), 360 in all, derived
        once per process from the package's own relabelling rules; a cell costs a few
        dict look-ups and one sort (equal to ``valid_hash`` on every cell of the space).

        Examples
        --------
        >>> nb = NASBenchGraph("cora")
        >>> nb.canonical_hash(((0, 0, 0, 0), ("gcn", "gat", "sage", "fc")))
        147
        >>> nb.canonical_hash(((0, 0, 0, 0), ("fc", "sage", "gat", "gcn")))
        147
        """
        try:
            return self._canon[candidate]
        except (KeyError, TypeError):
            pass
        try:
            value = self._plan_hash(candidate)
        except (KeyError, TypeError, ValueError, IndexError):  # not a tuple cell of the space
            reason = self.invalid_reason(candidate)
            if reason is not None:
                raise BenchmarkError(reason) from None
            value = self._plan_hash((tuple(int(x) for x in candidate[0]), tuple(candidate[1])))
        try:
            self._canon[candidate] = value
        except TypeError:
            pass
        return value

    def _plan_hash(self, candidate: Any) -> int:
        """Canonical hash of a well-formed cell; KeyError/TypeError/ValueError/IndexError otherwise."""
        links, ops = candidate
        codes = self._op_codes
        c0, c1, c2, c3 = code = codes[ops[0]], codes[ops[1]], codes[ops[2]], codes[ops[3]]
        plan = (_PLANS or _build_plans())[
            links, (c0 == _SKIP) | (c1 == _SKIP) << 1 | (c2 == _SKIP) << 2 | (c3 == _SKIP) << 3
        ]
        if len(ops) != _NODES or bool in (type(links[0]), type(links[1]), type(links[2]), type(links[3])):
            raise KeyError(links)
        return _plan_hash(plan, code)

    def key(self, candidate: Any) -> str:
        """Canonical identity: isomorphic cells share a key."""
        return str(self.canonical_hash(candidate))

    def _tables_for_moves(self) -> tuple[tuple, dict[str, tuple]]:
        """Every op 4-tuple (index = base-k number) and each op's alternatives (built once)."""
        if self._sample_ops is None or self._alternatives is None:
            ops = tuple(self.get_available_ops())
            self._sample_ops = tuple(itertools.product(ops, repeat=_NODES))
            self._alternatives = {op: tuple(o for o in ops if o != op) for op in ops}
        return self._sample_ops, self._alternatives

    def sample(self, rng: Any) -> tuple:
        """A uniformly random cell (each link uniform over earlier vertices, each op uniform).

        One uniform draw per attempt picks the link pattern and the four ops (all-``skip``
        cells are drawn again).

        Examples
        --------
        >>> nb = NASBenchGraph("cora")
        >>> nb.sample(np.random.default_rng(0)) == nb.sample(np.random.default_rng(0))
        True
        """
        if type(rng) is not np.random.Generator:
            rng = as_generator(rng)
        op_tuples = self._sample_ops or self._tables_for_moves()[0]
        n_links, n_ops = len(_LINK_PATTERNS), len(op_tuples)
        while True:
            x = int(rng.random() * (n_links * n_ops))
            ops = op_tuples[x // n_links]
            if ops.count("skip") != _NODES:
                return _LINK_PATTERNS[x % n_links], ops

    def mutate(self, candidate: Any, rng: Any) -> tuple:
        """Change one link (of nodes 2-4) or one op to a different value.

        The gene (3 links, 4 ops) is uniform, and so is its new value among the others; one
        uniform draw per attempt decides both (a child made only of ``skip`` is drawn again).

        Examples
        --------
        >>> nb = NASBenchGraph("cora")
        >>> cell = ((0, 0, 1, 2), ("gcn", "gat", "sage", "fc"))
        >>> child = nb.mutate(cell, np.random.default_rng(0))
        >>> sum(a != b for a, b in zip(child[0] + child[1], cell[0] + cell[1]))
        1
        """
        if type(rng) is not np.random.Generator:
            rng = as_generator(rng)
        alternatives = self._alternatives or self._tables_for_moves()[1]
        links, ops = candidate
        if type(links) is not tuple:
            links = tuple(links)
        if type(ops) is not tuple:
            ops = tuple(ops)
        while True:
            gene, r = divmod(int(rng.random() * (_GENES * _SPREAD)), _SPREAD)
            if gene < _NODES - 1:  # links of nodes 2..4: node i reads one of 0..i
                i = gene + 1
                v = r % i
                if v >= links[i]:
                    v += 1
                if ops.count("skip") != _NODES:
                    return links[:i] + (v,) + links[i + 1 :], ops
                continue
            i = gene - (_NODES - 1)
            alt = alternatives.get(ops[i])
            if alt is None:  # an op outside this data set's list: any of the list
                alt = tuple(self.get_available_ops())
            new_ops = ops[:i] + (alt[r % len(alt)],) + ops[i + 1 :]
            if new_ops.count("skip") != _NODES:
                return links, new_ops

    def candidate_to_json(self, candidate: Any) -> dict:
        """``{"links": [...], "ops": [...]}``."""
        return {"links": [int(x) for x in candidate[0]], "ops": list(candidate[1])}

    def candidate_from_json(self, value: Any) -> tuple:
        """Inverse of :meth:`candidate_to_json`."""
        if not isinstance(value, dict) or set(value) != {"links", "ops"}:
            raise SerializationError(
                f"A NAS-Bench-Graph candidate must be {{'links': [...], 'ops': [...]}}; got {value!r}."
            )
        return tuple(int(x) for x in value["links"]), tuple(str(x) for x in value["ops"])

    # ------------------------------------------------------------ descriptors
    def to_descriptor(self, candidate: Any) -> NeuralDescriptor:
        """Cell as a descriptor: ``input`` -> ``node_1..node_4`` -> ``output`` (from the leaves)."""
        reason = self.invalid_reason(candidate)
        if reason is not None:
            raise DescriptorError(reason)
        links, ops = candidate
        d = NeuralDescriptor(name=f"nasbench-graph {list(links)} {list(ops)}")
        d.add_layer(self.INPUT_OP, name="input")
        names = ["input"]
        for i in range(_NODES):
            names.append(d.add_layer(ops[i], name=f"node_{i + 1}"))
            d.connect_layers(names[int(links[i])], names[-1])
        d.add_layer(self.OUTPUT_OP, name="output")
        used = {int(v) for v in links}
        for i in range(1, _NODES + 1):
            if i not in used:
                d.connect_layers(names[i], "output")
        d.set_input("input")
        d.set_output("output")
        return d

    def descriptor_to_candidate(self, descriptor: NeuralDescriptor) -> tuple:
        """``(links, ops)`` of a descriptor written like :meth:`to_descriptor`'s output.

        Hidden nodes are numbered in topological order (ties by name). Raises
        :class:`DescriptorError` for a graph that is not a NAS-Bench-Graph cell and
        :class:`BenchmarkError` for an unknown op.
        """
        order = self._one_hot_order(descriptor)
        inp, out, hidden = order[0], order[-1], order[1:-1]
        if descriptor.layer(inp).type != self.INPUT_OP or descriptor.layer(out).type != self.OUTPUT_OP:
            raise DescriptorError(
                f"A NAS-Bench-Graph cell starts with an {self.INPUT_OP!r} layer and ends with an "
                f"{self.OUTPUT_OP!r} layer; got {descriptor.layer(inp).type!r} and {descriptor.layer(out).type!r}."
            )
        if len(hidden) != _NODES:
            raise DescriptorError(f"A NAS-Bench-Graph cell has {_NODES} hidden layers; this one has {len(hidden)}.")
        index = {name: i for i, name in enumerate(order)}
        known = self.get_available_ops()
        links, ops = [], []
        for name in hidden:
            preds = descriptor.incoming(name)
            if len(preds) != 1 or preds[0] == out:
                raise DescriptorError(
                    f"Layer {name!r} has inputs {preds}; every NAS-Bench-Graph node reads exactly one earlier vertex."
                )
            links.append(index[preds[0]])
            op = descriptor.layer(name).type
            self._check_unknown_op(op, known, f"layer {name!r}")
            ops.append(op)
        leaves = {hidden[i - 1] for i in range(1, _NODES + 1) if i not in links}
        if set(descriptor.incoming(out)) != leaves:
            raise DescriptorError(
                f"The output layer {out!r} must read exactly the nodes that feed no other node "
                f"({sorted(leaves)}); it reads {descriptor.incoming(out)}."
            )
        return tuple(links), tuple(ops)

    # ------------------------------------------------------------ look-up
    def _lookup(self, candidate: Any, *, epochs: Any, dataset: Any, seed: Any, run: Any) -> tuple[float, dict, float]:
        func = "NASBenchGraph.query"
        dataset = self._dataset(dataset, func)
        if run not in (None, 0):
            raise BenchmarkError(f"NAS-Bench-Graph records one run per cell; run {run} does not exist.")
        if dataset == "proteins" and any(op not in GRAPH_OPS_PROTEINS for op in candidate[1]):
            raise BenchmarkError(
                f"The proteins table has only the ops {', '.join(GRAPH_OPS_PROTEINS)}; got {candidate[1]}."
            )
        h = self.canonical_hash(candidate)
        rec = self.table(dataset).get(h)
        if rec is None:
            raise BenchmarkError(f"Cell {candidate!r} (hash {h}) is not in the NAS-Bench-Graph {dataset} table.")
        valid, test, latency, params = rec
        return valid, {"validation_score": valid, "test_score": test, "latency": latency, "parameters": params}, 0.0

    def evaluate_candidate(
        self, candidate: Any, *, seed: Any = None, epochs: int | None = None, dataset: str | None = None
    ) -> EvaluationResult:
        """Look a cell up (the strategies' fast path); ``invalid`` result if it is not in the table.

        Memoised: a cell seen before costs one dict access (the same result object is
        returned). ``seed`` is accepted for the evaluator API; the table has one run per cell.
        """
        if dataset is None and epochs is None:  # hot path
            try:
                return self._memo[candidate]
            except (KeyError, TypeError):
                pass
        return self._evaluate(candidate, epochs, dataset)

    def _evaluate(self, candidate: Any, epochs: Any, dataset: Any) -> EvaluationResult:
        func = "NASBenchGraph.evaluate_candidate"
        if epochs is not None:
            check_positive_int(epochs, "epochs", func)
        dataset = self._dataset(dataset, func)
        memo = self._results.get(dataset)
        if memo is None:
            memo = self._results[dataset] = {}
        try:
            return memo[candidate]
        except (KeyError, TypeError):
            pass
        try:
            table = self.table(dataset)
        except BenchmarkError as exc:  # unreadable file: not memoised, the next query tries again
            return EvaluationResult.invalid(str(exc))
        try:
            h = self.canonical_hash(candidate)
            if dataset == "proteins" and any(op not in GRAPH_OPS_PROTEINS for op in candidate[1]):
                raise BenchmarkError(
                    f"The proteins table has only the ops {', '.join(GRAPH_OPS_PROTEINS)}; got {candidate[1]}."
                )
            by_hash = self._by_hash.setdefault(dataset, {})
            result = by_hash.get(h)
            if result is None:
                rec = table.get(h)
                if rec is None:
                    raise BenchmarkError(
                        f"Cell {candidate!r} (hash {h}) is not in the NAS-Bench-Graph {dataset} table."
                    )
                result = by_hash[h] = EvaluationResult(
                    _NAN,
                    {"validation_score": rec[0], "test_score": rec[1], "latency": rec[2], "parameters": rec[3]},
                    0.0,
                    rec[0],
                )
        except (BenchmarkError, DescriptorError) as exc:
            result = EvaluationResult.invalid(str(exc))
        try:
            memo[candidate] = result
        except TypeError:  # unhashable candidate (lists): not memoised
            pass
        return result

    def score(self, candidate: Any, dataset: str | None = None) -> float:
        """Validation score only -- the fastest query (no result object is built)."""
        try:
            h = self._canon[candidate]
        except (KeyError, TypeError):
            h = self.canonical_hash(candidate)
        rec = self.table(dataset).get(h)
        if rec is None:
            raise BenchmarkError(f"Cell {candidate!r} (hash {h}) is not in the NAS-Bench-Graph table.")
        return rec[0]

    def records(self, metric: str = "validation_score", dataset: str | None = None):
        """Long pandas frame ``(arch, budget, run, score)``: one row per recorded cell.

        NAS-Bench-Graph records one run at one budget, reported as ``budget = 0`` and
        ``run = 0``. ``metric`` is one of validation_score, test_score, latency, parameters.
        """
        import pandas as pd

        names = ("validation_score", "test_score", "latency", "parameters")
        col = names.index(check_choice(metric, names, "metric", "NASBenchGraph.records"))
        table = self.table(dataset)
        return pd.DataFrame(
            {
                "arch": [str(k) for k in table],
                "budget": np.zeros(len(table), dtype=np.int64),
                "run": np.zeros(len(table), dtype=np.int64),
                "score": np.fromiter((v[col] for v in table.values()), dtype=float, count=len(table)),
            }
        )

    # ------------------------------------------------------------ DQN
    def cell_space(self) -> CellSpace:
        """The cell built one node at a time: 4 nodes, one input each, no early stop."""
        ops = tuple(self.get_available_ops())

        def build(layer_ops, layer_inputs):
            if len(layer_ops) != _NODES:
                return None
            cand = (tuple(int(inp[0]) for inp in layer_inputs), tuple(ops[i] for i in layer_ops))
            return None if self.invalid_reason(cand) else cand

        return CellSpace(
            "nasbench-graph",
            ops,
            max_layers=_NODES,
            max_inputs=1,
            build=build,
            min_layers=_NODES,
            allow_stop=False,
            allow_no_input=False,
        )

    def __repr__(self) -> str:
        return f"NASBenchGraph(dataset={self.dataset!r})"
