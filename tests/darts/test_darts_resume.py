"""A DARTS search killed with SIGKILL after some epoch resumes from its study, bit-identical.

Each case runs the search uninterrupted in this process (checkpointed in its own study), then
runs it in a subprocess that stops right after its ``k``-th epoch is stored (or, ``mid``, a few
steps into the next epoch), waits for that checkpoint to appear in the store, kills the whole
process group with SIGKILL (spawned workers included) and re-runs the search in a fresh
process. Every tensor of the final state -- architecture parameters, supernet weights,
BatchNorm statistics, optimizer states, generator states -- and the derived cell must equal the
uninterrupted run's.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from nasnb.darts import DartsConfig, Genotype, darts_parallel, darts_search, decode_state, genotype_to_descriptor
from nasnb.darts.checkpoint import checkpoint_name
from nasnb.exceptions import StoreError, StudyConfigError
from nasnb.store import ExperimentStore

ROOT = Path(__file__).resolve().parents[2]
TINY = DartsConfig(channels=4, layers=2, nodes=2, epochs=3, batch_size=32, percentage=0.1, augment=True)

# The child: runs the search with the study; with "hang" it blocks for ever right after the
# checkpoint of epoch k is committed ("after") or two weight steps into epoch k + 1 ("mid").
CHILD = r"""
import json, sys, threading
import torch
args = json.loads(sys.argv[1])
torch.set_num_threads(args["threads"])
from nasnb.darts import DartsConfig, darts_parallel, darts_search
from nasnb.store import ExperimentStore, Study

hang = args["hang"]
if hang is not None:
    epoch_k, where = hang
    save, step = Study.save_checkpoint, torch.optim.SGD.step
    state = {"armed": False, "steps": 0}

    def save_then_hang(self, name, value):
        save(self, name, value)
        if value["epoch"] == epoch_k:
            if where == "after":
                threading.Event().wait()
            state["armed"] = True

    def step_then_hang(self, *a, **k):
        out = step(self, *a, **k)
        if state["armed"]:
            state["steps"] += 1
            if state["steps"] == 2:
                threading.Event().wait()
        return out

    Study.save_checkpoint, torch.optim.SGD.step = save_then_hang, step_then_hang
cfg = DartsConfig(**args["config"])
study = ExperimentStore(args["store"]).create_study("darts", {"darts": args["config"]})
if args["algorithm"] == "serial":
    results = [darts_search(cfg, study=study)]
else:
    results = darts_parallel(cfg, workers=args["workers"], algorithm=args["algorithm"], study=study)
print("RESULTS " + json.dumps([r.to_dict() for r in results]))
"""


def _child(store, config, algorithm, workers, hang):
    args = {"store": str(store), "config": config.to_dict(), "algorithm": algorithm, "workers": workers,
            "hang": hang, "threads": torch.get_num_threads()}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _stored_epoch(path, seed=0):
    store = None
    try:
        store = ExperimentStore(path, read_only=True)
        study = store.load_study("darts") if "darts" in store.study_names() else None
        saved = None if study is None else study.load_checkpoint(checkpoint_name(seed))
        return 0 if saved is None else saved["epoch"]
    except StoreError:   # not created yet, or being created by the child
        return 0
    finally:
        if store is not None:
            store.close()


def _kill_after(path, proc, epoch, deadline=240.0):
    """Wait (polling the store) until ``epoch`` is stored, then SIGKILL the child and its workers."""
    end = time.monotonic() + deadline
    try:
        while _stored_epoch(path) < epoch:
            if proc.poll() is not None:
                raise AssertionError(f"the search exited ({proc.returncode}) before epoch {epoch} was stored:\n"
                                     + proc.stderr.read()[-3000:])
            if time.monotonic() > end:
                raise AssertionError(f"epoch {epoch} was not stored within {deadline} s")
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _stored_epoch(path) == epoch   # killed before the next epoch was stored


def _rerun(path, config, algorithm, workers):
    proc = _child(path, config, algorithm, workers, None)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    line = [ln for ln in out.splitlines() if ln.startswith("RESULTS ")][-1]
    return json.loads(line[len("RESULTS "):])


def _final_states(path, seed=0):
    store = ExperimentStore(path, read_only=True)
    try:
        saved = store.load_study("darts").load_checkpoint(checkpoint_name(seed))
    finally:
        store.close()
    return saved["epoch"], decode_state(saved["ranks"])


def _assert_identical(a, b, where="state"):
    """Every tensor, number and string of two decoded states is equal (tensors bit for bit)."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert set(a) == set(b), where
        for k in a:
            if k != "epoch_seconds":   # wall-clock times of the epochs differ between runs
                _assert_identical(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_identical(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """``reference(algorithm, workers)``: the uninterrupted search (run once per module)."""
    cache = {}

    def get(algorithm, workers):
        if (algorithm, workers) not in cache:
            cache[algorithm, workers] = _reference(tmp_path_factory.mktemp("reference"), algorithm, workers)
        return cache[algorithm, workers]

    return get


def _reference(folder, algorithm, workers):
    """The uninterrupted search, checkpointed in a study of its own; its results and final states."""
    path = folder / "reference.sqlite"
    with ExperimentStore(path) as store:
        study = store.create_study("darts", {"darts": TINY.to_dict()})
        if algorithm == "serial":
            results = [darts_search(TINY, study=study)]
        else:
            results = darts_parallel(TINY, workers=workers, algorithm=algorithm, study=study)
    return results, _final_states(path)


def _check_resumed(reference, resumed_dicts, path):
    results, (epochs, states) = reference
    assert epochs == TINY.epochs
    resumed_epochs, resumed_states = _final_states(path)
    assert resumed_epochs == TINY.epochs
    _assert_identical(states, resumed_states)
    for ref, got in zip(results, resumed_dicts, strict=True):
        alphas = [torch.tensor(got[k], dtype=torch.float32) for k in ("alphas_normal", "alphas_reduce")]
        assert torch.equal(alphas[0], torch.tensor(ref.alphas_normal, dtype=torch.float32))
        assert torch.equal(alphas[1], torch.tensor(ref.alphas_reduce, dtype=torch.float32))
        genotype = Genotype.from_json(got["genotype"])
        assert genotype == ref.genotype
        assert (genotype_to_descriptor(genotype, (1, 8, 8), channels=4, layers=2).to_json()
                == genotype_to_descriptor(ref.genotype, (1, 8, 8), channels=4, layers=2).to_json())
        assert got["val_accuracy"] == ref.val_accuracy and got["train_loss"] == ref.train_loss
        assert got["allreduce_per_epoch"] == ref.allreduce_per_epoch
        assert got["allreduce_calls"] == ref.allreduce_calls and len(got["epoch_seconds"]) == TINY.epochs
    # the final checkpoint holds the architecture the result reports
    for rank, ref in enumerate(results):
        model = resumed_states[rank]["model"]
        assert torch.equal(model["alphas_normal"], torch.tensor(ref.alphas_normal, dtype=torch.float32))


@pytest.mark.parametrize("epoch,where", [(1, "after"), (2, "mid")])
def test_serial_search_killed_after_an_epoch_resumes_bit_identical(tmp_path, reference, epoch, where):
    path = tmp_path / "killed.sqlite"
    _kill_after(path, _child(path, TINY, "serial", 1, [epoch, where]), epoch)
    _check_resumed(reference("serial", 1), _rerun(path, TINY, "serial", 1), path)


# Algorithm 1 is the harder case (workers' optimizer states differ between the all-reduces);
# Algorithm 2 shares the checkpoint path and is resumed on the MPI cluster in test_darts_cluster.py
# (each spawned case costs seven Python start-ups, so one runs here).
@pytest.mark.parametrize("algorithm,epoch", [("algorithm1", 2)])
def test_data_parallel_search_killed_with_its_workers_resumes_bit_identical(tmp_path, reference, algorithm, epoch):
    path = tmp_path / "killed.sqlite"
    _kill_after(path, _child(path, TINY, algorithm, 2, [epoch, "after"]), epoch)
    _check_resumed(reference(algorithm, 2), _rerun(path, TINY, algorithm, 2), path)


def test_finished_search_is_derived_from_its_checkpoint_and_other_settings_are_refused(tmp_path):
    cfg = DartsConfig(channels=2, layers=2, nodes=1, epochs=2, batch_size=64, percentage=0.1)
    with ExperimentStore(tmp_path / "s.sqlite") as store:
        study = store.create_study("darts", {"darts": cfg.to_dict()})
        first = darts_search(cfg, study=study)
        again = darts_search(cfg, study=study)   # nothing left to train: same result, same timings
        assert again.to_dict() == first.to_dict()
        with pytest.raises(StudyConfigError, match=r"config\.lr: stored 0\.025, given 0\.1"):
            darts_search(cfg, study=study, lr=0.1)
        with pytest.raises(StudyConfigError, match="workers: stored 1, given 2"):
            darts_parallel(cfg, workers=2, algorithm="serial", study=study)
        # another seed is another search of the same study
        other = darts_search(cfg, study=study, seed=1)
        assert other.alphas_normal != first.alphas_normal
        assert study.load_checkpoint(checkpoint_name(1))["epoch"] == 2
