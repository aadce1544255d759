"""Export a study to the trackers researchers use: MLflow and TensorBoard's HParams.

Both exporters read a :class:`~nasnb.store.Study` (its :meth:`~nasnb.store.Study.to_dataframe`)
and write one *run* per finished evaluation (``done``, ``failed``, ``invalid`` or
``diverged``; queued and running rows are skipped):

* **parameters** (MLflow params, TensorBoard hparams): the evaluated candidate's genes or
  hyper-parameters (see :func:`evaluation_params`), the evaluator and training settings the
  evaluation used, and its ``seed``;
* **metrics**: ``fitness``, ``loss``, ``total_time`` and every ``metrics.<name>`` column;
* **tags** (MLflow) / session status (TensorBoard): the evaluation's status, sequence
  index, engine, host, MPI rank and device.

MLflow nests the evaluation runs under a parent run named after the study, which carries
the study's configuration and the best-so-far fitness per sequence index. TensorBoard
gets an experiment summary (every hyper-parameter with its discrete domain, every metric)
in ``logdir`` and one sub-directory per evaluation, so ``tensorboard --logdir LOGDIR``
shows the study in its HParams tab (table, parallel coordinates, scatter plots).

``mlflow`` and ``tensorboard`` are optional: ``pip install 'nasnb[mlflow]'`` /
``pip install 'nasnb[tensorboard]'``. From the command line: ``nasnb export mlflow
runs.sqlite STUDY`` and ``nasnb export tensorboard runs.sqlite STUDY --logdir tb``.

Examples
--------
>>> evaluation_params({"seed": 3, "settings": {"evaluator": {"optimizer": "Adam"}, "evaluate": {"epochs": 2}},
...                    "candidate_json": '{"links": [0, 1], "ops": ["gcn", "gat"]}'})  # doctest: +NORMALIZE_WHITESPACE
{'candidate.links.0': 0, 'candidate.links.1': 1, 'candidate.ops.0': 'gcn', 'candidate.ops.1': 'gat',
 'evaluator.optimizer': 'Adam', 'evaluate.epochs': 2, 'seed': 3}
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nasnb._json import loads
from nasnb._optional import require
from nasnb.exceptions import ParameterError, StoreError

__all__ = [
    "export_mlflow",
    "export_tensorboard",
    "mlflow_open_hint",
    "MISSING_HPARAM",
    "evaluation_params",
    "evaluation_metrics",
    "evaluation_tags",
]

logger = logging.getLogger(__name__)

_FINAL = ("done", "failed", "invalid", "diverged")
_TAG_COLUMNS = (
    "seq",
    "status",
    "engine_id",
    "engine_host",
    "engine_rank",
    "engine_pid",
    "device",
    "parent",
    "arrival",
    "threads",
    "descriptor_hash",
    "key",
)
_MAX_LIST = 64  # longer lists of scalars become one JSON string
_MAX_VALUE = 5000  # MLflow keeps at most 6000 characters of a parameter value


# ---------------------------------------------------------------------------- flattening
#: Value of a TensorBoard hyper-parameter in a session whose evaluation has none.
MISSING_HPARAM = "(none)"


def mlflow_open_hint(tracking_uri: str | None = None) -> str:
    """How to look at what :func:`export_mlflow` wrote to ``tracking_uri`` (default: MLflow's own).

    Examples
    --------
    >>> mlflow_open_hint("sqlite:///mlflow.db")
    'view it with: mlflow ui --backend-store-uri sqlite:///mlflow.db'
    >>> mlflow_open_hint("http://tracking:5000")
    'open http://tracking:5000 in a browser'
    """
    uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
    if uri and uri.startswith(("http://", "https://")):
        return f"open {uri} in a browser"
    if uri:
        return f"view it with: mlflow ui --backend-store-uri {uri}"
    return "view it with: mlflow ui (run in this folder: MLflow's default store is ./mlruns)"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN / NaT
    except (TypeError, ValueError):
        return False


def _scalar(value: Any) -> Any:
    """A JSON scalar as int / float / str / bool (numpy scalars unwrapped)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        if not value:
            out[prefix] = "{}"
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, (list, tuple)):
        if len(value) <= _MAX_LIST and all(v is None or isinstance(v, (bool, int, float, str)) for v in value):
            if not value:
                out[prefix] = "[]"
            for i, v in enumerate(value):
                if v is not None:
                    out[f"{prefix}.{i}"] = v
        else:
            out[prefix] = json.dumps(value, sort_keys=True, separators=(",", ":"))
    elif not _is_missing(value):
        out[prefix] = _scalar(value)


def _genome_params(data: Mapping[str, Any]) -> dict[str, Any]:
    """A DeepNEAT genome: one parameter per layer gene and hyper-gene, keyed by innovation number."""
    out: dict[str, Any] = {}
    layers = data.get("layers", [])
    for gene in layers:
        args = ", ".join(f"{k}={v}" for k, v in sorted(dict(gene.get("params", {})).items()))
        out[f"candidate.layer.{gene['innovation']}"] = f"{gene['type']}({args})" if args else str(gene["type"])
    enabled = [c for c in data.get("connections", []) if len(c) < 4 or c[3]]
    out["candidate.layers"] = len(layers)
    out["candidate.connections"] = len(enabled)
    out["candidate.edges"] = " ".join(f"{c[1]}->{c[2]}" for c in enabled)
    for gene in data.get("hyperparameters", []):
        out[f"candidate.hyper.{gene[1]}"] = _scalar(gene[2])
    return out


def evaluation_params(row: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters of one evaluation: its candidate's genes, the settings it used and its seed.

    Parameters
    ----------
    row : mapping
        One row of :meth:`Study.to_dataframe() <nasnb.store.Study.to_dataframe>` (a
        ``pandas.Series`` or a dict) with ``candidate_json``, ``settings`` and ``seed``.

    Returns
    -------
    dict
        Flat ``{name: int | float | str | bool}``. A DeepNEAT genome gives
        ``candidate.layer.<innovation>`` (layer type and parameters), ``candidate.hyper.<name>``,
        ``candidate.layers`` / ``candidate.connections`` (counts) and ``candidate.edges``; any
        other candidate (a benchmark cell, a tuple of choices) is flattened into dotted names
        (``candidate.ops.0``). ``settings`` ``{"evaluator": {...}, "evaluate": {...}}`` gives
        ``evaluator.<name>`` and ``evaluate.<name>``.

    Examples
    --------
    >>> genome = {"format": "nasnb.genome", "schema_version": 1,
    ...           "layers": [{"innovation": 5, "type": "CONV3.H", "params": {}}],
    ...           "connections": [[6, 0, 5, True], [7, 5, 1, True]], "hyperparameters": []}
    >>> import json
    >>> record = {"candidate_json": json.dumps(genome), "seed": 0, "settings": None}
    >>> evaluation_params(record)  # doctest: +NORMALIZE_WHITESPACE
    {'candidate.layer.5': 'CONV3.H', 'candidate.layers': 1, 'candidate.connections': 2,
     'candidate.edges': '0->5 5->1', 'seed': 0}
    """
    out: dict[str, Any] = {}
    text: Any = row.get("candidate_json")  # a stored value: str, or None / NaN when missing
    if not _is_missing(text):
        data = loads(text, what=f"evaluation seq={row.get('seq')}: candidate_json", error=StoreError)
        if isinstance(data, Mapping) and data.get("format") == "nasnb.genome":
            out.update(_genome_params(data))
        else:
            _flatten(data, "candidate", out)
    settings = row.get("settings")
    if isinstance(settings, str):
        settings = loads(settings, what=f"evaluation seq={row.get('seq')}: settings", error=StoreError)
    if isinstance(settings, Mapping) and set(settings) <= {"evaluator", "evaluate"}:
        _flatten(settings.get("evaluator") or {}, "evaluator", out)
        _flatten(settings.get("evaluate") or {}, "evaluate", out)
        out = {k: v for k, v in out.items() if k not in ("evaluator", "evaluate")}
    elif not _is_missing(settings):
        _flatten(settings, "settings", out)
    seed: Any = row.get("seed")
    if not _is_missing(seed):
        out["seed"] = int(seed)
    return out


def evaluation_metrics(row: Mapping[str, Any]) -> dict[str, float]:
    """Finite metrics of one evaluation: ``fitness``, ``loss``, ``total_time`` and ``metrics.*``.

    Examples
    --------
    >>> evaluation_metrics({"fitness": 0.9, "loss": float("nan"), "total_time": 1.5, "metrics.accuracy": 0.9})
    {'fitness': 0.9, 'total_time': 1.5, 'metrics.accuracy': 0.9}
    """
    out: dict[str, float] = {}
    for name, value in row.items():
        if name in ("fitness", "loss", "total_time") or str(name).startswith("metrics."):
            if not _is_missing(value) and isinstance(value, (int, float)) and math.isfinite(float(value)):
                out[str(name)] = float(value)
    return out


def evaluation_tags(row: Mapping[str, Any]) -> dict[str, str]:
    """Where and how an evaluation ran: status, sequence index, engine, host, rank, device.

    Examples
    --------
    >>> evaluation_tags({"seq": 4, "status": "done", "engine_id": "1", "engine_rank": 1.0, "device": "cpu"})
    {'seq': '4', 'status': 'done', 'engine_id': '1', 'engine_rank': '1', 'device': 'cpu'}
    """
    out: dict[str, str] = {}
    for name in _TAG_COLUMNS:
        value = row.get(name)
        if _is_missing(value):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[name] = str(value)
    return out


def _rows(study: Any) -> list[dict[str, Any]]:
    if not hasattr(study, "to_dataframe"):
        raise ParameterError(f"export needs a nasnb Study (with to_dataframe()); got {type(study).__name__}.")
    frame = study.to_dataframe()
    frame = frame[frame["status"].isin(_FINAL)]
    return [dict(r) for _, r in frame.iterrows()]


def _millis(value: Any) -> int | None:
    if _is_missing(value):
        return None
    return int(value.timestamp() * 1000) if hasattr(value, "timestamp") else int(float(value) * 1000)


def _clean_key(name: str) -> str:
    """MLflow accepts alphanumerics, ``_ - . /`` and spaces in names."""
    return re.sub(r"[^\w\-./ ]", "_", str(name))[:250]


def _clean_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, bool) else str(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------- MLflow
_MAX_NAME = 250  # experiment names may have 500 characters, run names and keys 250
_MAX_TAG = 8000  # MLflow's limit on a tag value
_PAGE = 1000  # runs per search_runs page


def _mlflow_name(name: str) -> str:
    """``name`` shortened for an MLflow experiment or run name (at most 250 characters).

    A shortened name keeps its start and ends with a hash of the whole name, so two long
    names that share their first 239 characters stay apart.

    Examples
    --------
    >>> _mlflow_name("re-cora")
    're-cora'
    >>> short = _mlflow_name("x" * 10_000)
    >>> len(short), short[:3], short[239]
    (250, 'xxx', '…')
    """
    if len(name) <= _MAX_NAME:
        return name
    return f"{name[: _MAX_NAME - 11]}…{_study_hash(name)[:10]}"


def _study_hash(name: str) -> str:
    import hashlib

    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _name_tags(name: str) -> dict[str, str]:
    """The study's full name as tags: ``nasnb.study``, continued in ``nasnb.study.1``, ... beyond 8000 characters."""
    parts = [name[i : i + _MAX_TAG] for i in range(0, len(name), _MAX_TAG)] or [""]
    return {("nasnb.study" if i == 0 else f"nasnb.study.{i}"): part for i, part in enumerate(parts)}


def _search(client: Any, experiment_id: str, filter_string: str) -> list:
    """Every active run of the experiment matching ``filter_string`` (all pages)."""
    runs, token = [], None
    while True:
        page = client.search_runs(
            [experiment_id],
            filter_string=filter_string,
            max_results=_PAGE,
            page_token=token,
            order_by=["attributes.start_time ASC"],
        )
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def export_mlflow(
    study: Any, tracking_uri: str | None = None, experiment: str | None = None, *, run_name: str | None = None
) -> str:
    """Export a study to MLflow: a parent run for the study, one nested run per evaluation.

    The export can be repeated and interrupted: the parent run is found again by the tag
    ``nasnb.study_hash`` (a hash of the study's name) and each evaluation's run by its tag
    ``key`` (the evaluation's identity in the store). Runs already exported and terminated are
    kept, a run left unfinished by an interrupted export (or whose evaluation was evaluated
    again since, e.g. with ``retry_failed``) is deleted and written again, and evaluations added
    to the study since are added. So exporting a study any number of times,
    killed at any point, leaves exactly one run per evaluation under one ``FINISHED`` parent.

    Parameters
    ----------
    study : nasnb.store.Study
        The study to export (read only).
    tracking_uri : str, optional
        Where MLflow records runs, e.g. ``"sqlite:///mlflow.db"``, ``"http://host:5000"`` or
        ``"file:/path/mlruns"`` (MLflow 3 wants ``MLFLOW_ALLOW_FILE_STORE=true`` for a file
        store). Default: MLflow's own default (``MLFLOW_TRACKING_URI``).
    experiment : str, optional
        MLflow experiment name (created when missing); default: the study's name.
    run_name : str, optional
        Name of the parent run; default: the study's name.

    Returns
    -------
    str
        The parent run's id. Each child run has params :func:`evaluation_params`, metrics
        :func:`evaluation_metrics`, tags :func:`evaluation_tags` (plus ``error`` for failed
        evaluations), start and end times from the study, and status ``FINISHED`` (done) or
        ``FAILED`` (failed / invalid / diverged). The parent run has the study's configuration
        as params and the metrics ``fitness`` and ``best_fitness`` with the sequence index as
        step. Names longer than MLflow allows (experiment and run names: 250 characters here)
        are shortened, ending in a hash of the whole name; the full study name is the tag
        ``nasnb.study`` of the parent run (continued in ``nasnb.study.1``, ... beyond 8000
        characters, MLflow's limit on a tag).

    Raises
    ------
    OptionalDependencyError
        When mlflow is not installed.

    Examples
    --------
    >>> from nasnb.export import export_mlflow
    >>> run_id = export_mlflow(study, "sqlite:///mlflow.db")  # doctest: +SKIP
    >>> mlflow.search_runs(experiment_names=[study.name])      # doctest: +SKIP
    """
    require("mlflow", extra="mlflow", purpose="export a study to MLflow")
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    import nasnb

    rows = _rows(study)
    client = MlflowClient(tracking_uri=tracking_uri)
    name = _mlflow_name(experiment or study.name)
    found = client.get_experiment_by_name(name)
    experiment_id = found.experiment_id if found is not None else client.create_experiment(name)
    study_hash = _study_hash(study.name)

    started = [m for m in (_millis(r.get("started")) for r in rows) if m is not None]
    finished = [m for m in (_millis(r.get("finished")) for r in rows) if m is not None]
    parents = _search(
        client, experiment_id, f"tags.`nasnb.study_hash` = '{study_hash}' and tags.`nasnb.role` = 'study'"
    )
    if parents:  # exported (or partly exported) before: continue that export
        parent_id = parents[0].info.run_id
        for extra in parents[1:]:
            logger.warning(
                "Deleting a second parent run %s of study %r (an earlier export).",
                extra.info.run_id,
                _mlflow_name(study.name),
            )
            client.delete_run(extra.info.run_id)
    else:
        tags = {
            **_name_tags(study.name),
            "nasnb.study_hash": study_hash,
            "nasnb.role": "study",
            "nasnb.store": _clean_value(str(study.store.path)),
            "nasnb.version": nasnb.__version__,
        }
        parent_id = client.create_run(
            experiment_id,
            start_time=min(started) if started else None,
            run_name=_mlflow_name(run_name or study.name),
            tags=tags,
        ).info.run_id
    client.set_tag(parent_id, "nasnb.evaluations", str(len(rows)))
    config: dict[str, Any] = {}
    _flatten(study.config if study.config is not None else {}, "study", config)
    logged = client.get_run(parent_id).data.params
    params = [Param(_clean_key(k), _clean_value(v)) for k, v in config.items() if _clean_key(k) not in logged]
    for chunk in _chunks(params, 100):
        client.log_batch(parent_id, params=chunk)

    existing: dict[str, Any] = {}
    for run in _search(client, experiment_id, f"tags.`mlflow.parentRunId` = '{parent_id}'"):
        key = run.data.tags.get("key")
        if key in existing or key is None or run.info.status not in ("FINISHED", "FAILED"):
            client.delete_run(run.info.run_id)  # cut short by an interrupted export, or a duplicate
        else:
            existing[key] = run
    short = _mlflow_name(study.name)
    progress: list = []
    logged_steps = {m.step for m in client.get_metric_history(parent_id, "best_fitness")}
    best = -math.inf
    for row in rows:
        step = int(row["seq"])
        start = _millis(row.get("started"))
        end = _millis(row.get("finished"))
        stamp = end if end is not None else start if start is not None else 0
        fitness: Any = row.get("fitness")
        if row["status"] == "done" and not _is_missing(fitness):
            best = max(best, float(fitness))
            if step not in logged_steps:
                progress += [Metric("fitness", float(fitness), stamp, step), Metric("best_fitness", best, stamp, step)]
        done = existing.get(str(row.get("key")))
        if done is not None and done.data.tags.get("status") == str(row["status"]):
            continue
        if done is not None:  # evaluated again since (retry_failed): the old run goes
            client.delete_run(done.info.run_id)
        _export_evaluation(client, experiment_id, parent_id, short, row, start, end, stamp)
    for chunk in _chunks(progress, 1000):
        client.log_batch(parent_id, metrics=chunk)
    client.set_terminated(parent_id, status="FINISHED", end_time=max(finished) if finished else None)
    logger.info(
        "Exported %d evaluations of study %r to MLflow run %s (experiment %r; %d exported before); %s.",
        len(rows),
        short,
        parent_id,
        name,
        len(existing),
        mlflow_open_hint(tracking_uri),
    )
    return parent_id


def _export_evaluation(
    client: Any,
    experiment_id: str,
    parent_id: str,
    study_name: str,
    row: Mapping[str, Any],
    start: int | None,
    end: int | None,
    stamp: int,
) -> None:
    """One evaluation as a run nested under ``parent_id``, terminated last (an unterminated run is redone)."""
    from mlflow.entities import Metric, Param

    tags = evaluation_tags(row)
    tags["mlflow.parentRunId"] = parent_id
    tags["nasnb.study"] = study_name
    if row["status"] != "done" and not _is_missing(row.get("traceback")) and row.get("traceback"):
        tags["error"] = _clean_value(str(row["traceback"]).strip().splitlines()[-1])
    child = client.create_run(
        experiment_id,
        start_time=start,
        run_name=f"seq-{int(row['seq']):05d}",
        tags={_clean_key(k): _clean_value(v) for k, v in tags.items()},
    )
    run_id = child.info.run_id
    metrics = [Metric(_clean_key(k), v, stamp, 0) for k, v in evaluation_metrics(row).items()]
    params = [Param(_clean_key(k), _clean_value(v)) for k, v in evaluation_params(row).items()]
    for index, chunk in enumerate(_chunks(params, 100)):
        client.log_batch(run_id, metrics=metrics if index == 0 else [], params=chunk)
    if not params and metrics:
        client.log_batch(run_id, metrics=metrics)
    client.set_terminated(run_id, status="FINISHED" if row["status"] == "done" else "FAILED", end_time=end)


# ---------------------------------------------------------------------------- TensorBoard
def _hparams_summary(plugin_data: Any) -> Any:
    from tensorboard.compat.proto.summary_pb2 import Summary
    from tensorboard.plugins.hparams import metadata

    tag = (
        metadata.EXPERIMENT_TAG
        if plugin_data.HasField("experiment")
        else metadata.SESSION_START_INFO_TAG
        if plugin_data.HasField("session_start_info")
        else metadata.SESSION_END_INFO_TAG
    )
    return Summary(value=[Summary.Value(tag=tag, metadata=metadata.create_summary_metadata(plugin_data))])


def _value(value: Any) -> Any:
    from google.protobuf import struct_pb2

    if isinstance(value, bool):
        return struct_pb2.Value(bool_value=value)
    if isinstance(value, (int, float)):
        return struct_pb2.Value(number_value=float(value))
    return struct_pb2.Value(string_value=str(value))


def export_tensorboard(study: Any, logdir: str | Path, *, max_discrete: int = 100) -> Path:
    """Export a study to TensorBoard's HParams dashboard (one session per evaluation).

    Parameters
    ----------
    study : nasnb.store.Study
        The study to export (read only).
    logdir : str or path
        Directory to write (created); ``tensorboard --logdir LOGDIR`` shows it. The export is
        written beside it first and moved into place at the end, so an interrupted export
        leaves the previous one (or nothing) and a repeated one replaces it: ``logdir`` always
        holds exactly one session per evaluation. A ``logdir`` holding anything but an earlier
        export of nasnb is refused rather than replaced.
    max_discrete : int, default 100
        A string or boolean hyper-parameter with at most this many distinct values gets a
        discrete domain (a filter list in TensorBoard).

    Returns
    -------
    pathlib.Path
        ``logdir``. It holds the experiment summary (hyper-parameters with their types and
        domains, metrics), the scalars ``search/fitness`` and ``search/best_fitness`` per
        sequence index, and one sub-directory ``seq-NNNNN`` per evaluation with its
        hyper-parameters (:func:`evaluation_params`), its metrics (:func:`evaluation_metrics`)
        as scalars at step ``seq``, and its status (``STATUS_SUCCESS`` for done,
        ``STATUS_FAILURE`` otherwise).

    Raises
    ------
    OptionalDependencyError
        When tensorboard is not installed.
    ParameterError
        When ``logdir`` is a file, or a directory holding files that are not an nasnb export.

    Examples
    --------
    >>> import tempfile
    >>> from nasnb.store import ExperimentStore
    >>> from nasnb.results import EvaluationResult
    >>> study = ExperimentStore(":memory:").create_study("tb-demo", {"epochs": 1})
    >>> _ = study.add_evaluation({"ops": ["gcn"]}, EvaluationResult(0.5, {"accuracy": 0.8}, 1.0, 0.8),
    ...                          seq=0, seed=0, candidate={"ops": ["gcn"]})
    >>> out = export_tensorboard(study, tempfile.mkdtemp())
    >>> sorted(p.name for p in out.iterdir() if p.is_dir())
    ['seq-00000']
    """
    require("tensorboard", extra="tensorboard", purpose="export a study to TensorBoard")

    rows = _rows(study)
    logdir = Path(logdir)
    _check_logdir(logdir)
    final, logdir = logdir, _scratch(logdir, "tmp")
    try:
        _write_tensorboard(study, rows, logdir, max_discrete)
        (logdir / _MARKER).write_text(json.dumps({"study": study.name, "evaluations": len(rows)}))
        _replace(logdir, final)
    except BaseException:
        import shutil

        shutil.rmtree(logdir, ignore_errors=True)
        raise
    logger.info("Exported %d evaluations of study %r to TensorBoard logdir %s.", len(rows), study.name, final)
    return final


_MARKER = ".nasnb-export.json"  # written last into a complete TensorBoard export
_EXPORT_ENTRY = re.compile(r"(seq-\d+|events\.out\.tfevents\..*|\.nasnb-export\.json)")


def _check_logdir(logdir: Path) -> None:
    """Refuse a ``logdir`` that is a file or holds anything but an nasnb export (it is replaced)."""
    if logdir.exists() and not logdir.is_dir():
        raise ParameterError(f"The 'logdir' of export_tensorboard, {str(logdir)!r}, is a file; give a directory.")
    if logdir.is_dir():
        foreign = [p.name for p in logdir.iterdir() if not _EXPORT_ENTRY.fullmatch(p.name)]
        if foreign:
            raise ParameterError(
                f"The 'logdir' of export_tensorboard, {str(logdir)!r}, holds files that are not an nasnb export "
                f"({', '.join(sorted(foreign)[:5])}); a new export replaces logdir, so give an empty or new directory."
            )
    logdir.parent.mkdir(parents=True, exist_ok=True)
    for stale in logdir.parent.glob(f".{logdir.name}.nasnb-*"):  # left by an export killed half-way
        import shutil

        found = re.match(r"\.nasnb-(?:tmp|old)-(\d+)-", stale.name[len(logdir.name) + 1 :])
        if found is None or not _alive(int(found.group(1))):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (an export in progress keeps its scratch directory)."""
    import os

    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _scratch(logdir: Path, kind: str) -> Path:
    import os
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f".{logdir.name}.nasnb-{kind}-{os.getpid()}-", dir=logdir.parent))


def _replace(new: Path, final: Path) -> None:
    """Move the finished export ``new`` to ``final`` (an earlier export there is removed)."""
    import os
    import shutil

    if final.exists():
        old = _scratch(final, "old")
        os.replace(final, old / "export")
        os.replace(new, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, final)


def _write_tensorboard(study: Any, rows: list[dict[str, Any]], logdir: Path, max_discrete: int) -> None:
    from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2
    from torch.utils.tensorboard import SummaryWriter

    params = [evaluation_params(r) for r in rows]
    metrics = [evaluation_metrics(r) for r in rows]
    # one type per hyper-parameter: a name whose values mix types is written as strings
    kinds: dict[str, set] = {}
    for p in params:
        for k, v in p.items():
            kind = bool if isinstance(v, bool) else float if isinstance(v, (int, float)) else str
            kinds.setdefault(k, set()).add(kind)
    # every session carries every hyper-parameter (TensorBoard's parallel coordinates leave out a
    # session that lacks one): one missing from some evaluations is written as a string, MISSING_HPARAM there
    missing = {k for k in kinds if any(k not in p for p in params)}
    mixed = {k for k, s in kinds.items() if len(s) > 1} | missing
    params = [
        {k: ((str(p[k]) if k in p else MISSING_HPARAM) if k in mixed else p[k]) for k in sorted(kinds)} for p in params
    ]
    infos = []
    for name in sorted(kinds):
        kind = str if name in mixed else next(iter(kinds[name]))
        values = sorted({p[name] for p in params if name in p}, key=str)
        info = api_pb2.HParamInfo(
            name=name,
            type={bool: api_pb2.DATA_TYPE_BOOL, float: api_pb2.DATA_TYPE_FLOAT64, str: api_pb2.DATA_TYPE_STRING}[kind],
        )
        if kind is not float and len(values) <= max_discrete:
            info.domain_discrete.extend(values)
        elif kind is float and values:
            info.domain_interval.min_value = float(min(values))
            info.domain_interval.max_value = float(max(values))
        infos.append(info)
    metric_names = sorted({k for m in metrics for k in m})
    experiment = api_pb2.Experiment(
        name=study.name,
        hparam_infos=infos,
        metric_infos=[api_pb2.MetricInfo(name=api_pb2.MetricName(tag=m)) for m in metric_names],
    )
    with SummaryWriter(log_dir=str(logdir)) as root:
        root.file_writer.add_summary(_hparams_summary(plugin_data_pb2.HParamsPluginData(experiment=experiment)))
        best = -math.inf
        for row, m in zip(rows, metrics):
            if row["status"] == "done" and "fitness" in m:
                best = max(best, m["fitness"])
                millis = _millis(row.get("finished"))
                wall = None if millis is None else millis / 1000
                root.add_scalar("search/fitness", m["fitness"], int(row["seq"]), walltime=wall)
                root.add_scalar("search/best_fitness", best, int(row["seq"]), walltime=wall)
    for row, p, m in zip(rows, params, metrics):
        seq = int(row["seq"])
        start = _millis(row.get("started"))
        end = _millis(row.get("finished"))
        start_info = plugin_data_pb2.SessionStartInfo(group_name=f"seq-{seq:05d}", start_time_secs=(start or 0) / 1000)
        for k, v in p.items():
            start_info.hparams[k].CopyFrom(_value(v))
        end_info = plugin_data_pb2.SessionEndInfo(
            status=api_pb2.STATUS_SUCCESS if row["status"] == "done" else api_pb2.STATUS_FAILURE,
            end_time_secs=(end or 0) / 1000,
        )
        with SummaryWriter(log_dir=str(logdir / f"seq-{seq:05d}")) as writer:
            wall = None if start is None else start / 1000
            writer.file_writer.add_summary(
                _hparams_summary(plugin_data_pb2.HParamsPluginData(session_start_info=start_info)), seq, wall
            )
            for k, v in m.items():
                writer.add_scalar(k, v, seq, walltime=None if end is None else end / 1000)
            writer.file_writer.add_summary(
                _hparams_summary(plugin_data_pb2.HParamsPluginData(session_end_info=end_info)),
                seq,
                None if end is None else end / 1000,
            )
