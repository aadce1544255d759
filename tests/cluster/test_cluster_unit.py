"""Cluster pieces that need no engines: errors, engine-side functions, the process group."""

import json
import socket

import pytest

from nasnb.cluster import Cluster, TaskFuture, distributed_context
from nasnb.cluster.connect import threads_per_engine
from nasnb.cluster.distributed import free_port
from nasnb.cluster.engine import MISSING, cache_object, call_task, dumps_object, evaluate_cached, loads_object
from nasnb.cluster.tasks import is_engine_death
from nasnb.exceptions import ClusterError, ClusterTimeoutError, ParameterError
from nasnb.results import EvaluationResult


def _closed_ports(n):
    return [free_port() for _ in range(n)]


def test_unreachable_cluster_times_out_with_a_clear_message(tmp_path):
    pytest.importorskip("ipyparallel")
    ports = _closed_ports(8)
    info = {"ssh": "", "interface": "tcp://127.0.0.1", "registration": ports[0], "control": ports[1],
            "mux": ports[2], "task": ports[3], "task_scheme": "leastload", "iopub": ports[4],
            "notification": ports[5], "broadcast": ports[6], "key": "k", "curve_serverkey": None,
            "location": socket.gethostname(), "pack": "json", "unpack": "json", "signature_scheme": "hmac-sha256"}
    path = tmp_path / "ipcontroller-client.json"
    path.write_text(json.dumps(info))
    with pytest.raises(ClusterTimeoutError, match="No ipyparallel controller answered .* within 1.0 s"):
        with Cluster(connection_file=path, timeout=1):
            pass


def test_missing_connection_file_and_use_outside_with(tmp_path):
    pytest.importorskip("ipyparallel")
    with pytest.raises(ClusterError, match="does not exist"):
        with Cluster(connection_file=tmp_path / "none.json", timeout=1):
            pass
    env = Cluster(n=2)
    assert env.num_engines == 0 and not env.owned
    with pytest.raises(ClusterError, match="inside `with Cluster"):
        env.map_evaluate([], 1, "digits")
    with pytest.raises(ParameterError, match="'n' parameter of Cluster"):
        Cluster(n=0)
    with pytest.raises(ParameterError, match="'timeout' parameter"):
        Cluster(timeout=-1)
    with pytest.raises(ParameterError, match="'engines' parameter of Cluster must be one of .*'mpi'.*Got 'bogus'"):
        Cluster(engines="bogus")


class _Evaluator:
    def descriptor_evaluate(self, descriptor, epochs, dataset, percentage=1.0, seed=None):
        if descriptor == "bad":
            raise KeyError("no such layer")
        return EvaluationResult(0.1 * epochs, {"accuracy": percentage}, 0.0, percentage)


def test_engine_task_wraps_results_and_failures(monkeypatch):
    namespace = {}
    monkeypatch.setattr("nasnb.cluster.engine.engine_namespace", lambda: namespace)
    kwargs = {"epochs": 2, "dataset": "digits", "percentage": 0.5, "seed": 0}
    assert evaluate_cached("tok", "good", False, kwargs) == (MISSING, "tok")  # never sent to this engine
    cache_object("tok", dumps_object(_Evaluator()))
    out = evaluate_cached("tok", "good", False, kwargs)
    assert out.result == EvaluationResult(0.2, {"accuracy": 0.5}, 0.0, 0.5)
    assert out.seed == 0 and out.threads == 1 and {"host", "pid"} <= set(out.engine)
    assert out.started <= out.finished
    bad = evaluate_cached("tok", "bad", False, dict(kwargs, epochs=1))
    assert bad.result.status == "failed" and "KeyError: 'no such layer'" in bad.result.message
    assert "builtins.KeyError" in bad.error_types and isinstance(bad.error, KeyError)
    assert call_task(dumps_object(divmod), (9, 4), {})["value"] == (2, 1)
    assert loads_object(dumps_object({"a": 1})) == {"a": 1}


def test_threads_are_shared_per_host():
    infos = [{"host": "a", "cpus": 16}] * 4 + [{"host": "b", "cpus": 2}] * 4
    assert threads_per_engine(infos) == [4, 4, 4, 4, 1, 1, 1, 1]


def test_single_rank_process_group_is_torn_down():
    import torch
    import torch.distributed as dist

    with distributed_context(rank=0, world_size=1) as ctx:
        assert dist.is_initialized() and ctx.device == torch.device("cpu")
        model = torch.nn.Linear(3, 1)
        model(torch.ones(2, 3)).sum().backward()
        ctx.allreduce_gradients(model)
        assert ctx.allreduce_mean(2.5) == 2.5 and len(ctx.shard(10, seed=0)) == 10
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match="boom"):
        with distributed_context(rank=0, world_size=1):
            raise RuntimeError("boom")
    assert not dist.is_initialized()


def test_engine_death_is_told_apart_from_task_errors():
    class RemoteError(Exception):
        ename = "EngineError"

    assert is_engine_death(RemoteError()) and not is_engine_death(ZeroDivisionError())
    f = TaskFuture(None)
    f.set_exception(ValueError("x"))
    assert isinstance(f.exception(), ValueError)


def test_an_ipyparallel_timeout_is_a_cluster_error_with_the_resume_hint():
    from nasnb.cluster.environment import _get
    from nasnb.exceptions import ClusterTimeoutError

    class NotReady:
        def get(self, timeout=None):
            raise TimeoutError("Result not ready.")

    with pytest.raises(ClusterTimeoutError, match=r"Waited 3 s for engine\(s\) \[0\] to report.*run the same call "
                                                  r"again with the same study to resume"):
        _get(NotReady(), 3.0, "engine(s) [0] to report their host and cores")


class _SlowClient:
    """Stands in for ``ipyparallel.Client``: one engine registers soon, the second never does."""

    def __init__(self):
        self.ids: list[int] = []
        self.asked: dict = {}

    def wait_for_engines(self, n, *, timeout, block, interactive):
        import threading
        from concurrent.futures import Future

        self.asked = {"block": block, "interactive": interactive}
        future = Future()
        threading.Timer(0.1, self.ids.append, [0]).start()
        threading.Timer(timeout, future.set_exception,
                        [TimeoutError(f"{n} engines not ready in {timeout} seconds. Currently ready: 1")]).start()
        return future


def test_waiting_for_engines_shows_nasnbs_bar_and_times_out_naming_the_timeout(capsys):
    from nasnb.cluster.connect import wait_for_engines

    client = _SlowClient()
    with pytest.raises(ClusterTimeoutError, match=r"Only 1 of 2 engine\(s\) registered with the controller of "
                                                  r"cluster 'x' within 1.2 s\. Check the engines' logs"):
        wait_for_engines(client, 2, 1.2, "cluster 'x'", progress=True)
    assert client.asked == {"block": False, "interactive": False}   # ipyparallel's own bar stays off
    shown = capsys.readouterr().err
    assert "engines: 1/2 registered |█████     |" in shown and "(timeout 1.2 s)" in shown, shown
    assert "?" not in shown, shown
