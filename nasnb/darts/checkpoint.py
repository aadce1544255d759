"""Per-epoch checkpoints of a DARTS search, kept in a study so that a killed search resumes.

After every epoch a search's full state -- supernet weights and BatchNorm statistics,
architecture parameters, both optimizers' states, the learning-rate schedule, the numpy
generator that orders the batches, the augmentation generator, the curves so far and the
all-reduce count -- is encoded as JSON data (tensors as base64 of their raw bytes, so nothing
is pickled and every bit is kept) and written with :meth:`nasnb.store.Study.save_checkpoint`
under ``"darts:seed=<seed>"``, one entry holding every worker's state for the same epoch
(only the client process writes to the store: spawned workers and cluster engines send
their states back). A search given the same study again loads it, checks that it was made by
the same configuration, algorithm and worker count, and continues from the next epoch; the
result is bit-identical to an uninterrupted search.

Examples
--------
>>> import torch
>>> state = {"w": torch.arange(3, dtype=torch.float32) / 3, "step": 2, "betas": (0.5, 0.999)}
>>> back = decode_state(encode_state(state))
>>> torch.equal(back["w"], state["w"]), back["step"], back["betas"]
(True, 2, (0.5, 0.999))
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np
import torch

from nasnb.exceptions import SerializationError, StudyConfigError

__all__ = ["encode_state", "decode_state", "checkpoint_name", "load_search_checkpoint", "save_search_checkpoint"]

#: Version of the checkpoint layout (a checkpoint of another version is refused, not guessed at).
FORMAT = 1


def encode_state(value: Any) -> Any:
    """JSON data for a nest of dicts, lists, tuples, tensors, numbers and strings (lossless)."""
    if isinstance(value, torch.Tensor):
        array = value.detach().cpu().contiguous().numpy()
        return {"__tensor__": [str(array.dtype), list(array.shape), base64.b64encode(array.tobytes()).decode()]}
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode_state(v) for v in value]}
    if isinstance(value, list):
        return [encode_state(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode_state(v) for k, v in value.items()}
        return {"__items__": [[encode_state(k), encode_state(v)] for k, v in value.items()]}
    raise SerializationError(f"A DARTS checkpoint cannot hold a {type(value).__name__} ({value!r}).")


def decode_state(value: Any) -> Any:
    """Inverse of :func:`encode_state` (tensors come back with their dtype, shape and bits)."""
    if isinstance(value, list):
        return [decode_state(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tensor__" in value:
        dtype, shape, data = value["__tensor__"]
        array = np.frombuffer(base64.b64decode(data), dtype=np.dtype(dtype)).reshape(shape)
        return torch.from_numpy(array.copy())
    if "__float__" in value:
        return float(value["__float__"])
    if "__tuple__" in value:
        return tuple(decode_state(v) for v in value["__tuple__"])
    if "__items__" in value:
        return {decode_state(k): decode_state(v) for k, v in value["__items__"]}
    return {k: decode_state(v) for k, v in value.items()}


def checkpoint_name(seed: int) -> str:
    """Name of the study checkpoint of the search with this seed."""
    return f"darts:seed={int(seed)}"


def _identity(config: Any, algorithm: str, workers: int) -> dict[str, Any]:
    return {"config": config.to_dict(), "algorithm": algorithm, "workers": int(workers)}


def load_search_checkpoint(study: Any, config: Any, algorithm: str, workers: int) -> tuple[int, list | None]:
    """``(epochs done, per-rank states)`` of the stored search, or ``(0, None)`` when there is none.

    Raises
    ------
    StudyConfigError
        When the study holds a checkpoint of another configuration, algorithm or worker count
        (named key by key); use another study, or the same settings.
    """
    saved = study.load_checkpoint(checkpoint_name(config.seed))
    if saved is None:
        return 0, None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise StudyConfigError(
            f"Study {study.name!r}: the checkpoint {checkpoint_name(config.seed)!r} is not a "
            f"DARTS checkpoint of format {FORMAT}; use another study."
        )
    want = _identity(config, algorithm, workers)
    have: dict[str, Any] = {k: saved.get(k) for k in want}
    have["config"] = {**want["config"], **(have["config"] or {})}
    differ = [f"{k}: stored {have[k]!r}, given {want[k]!r}" for k in ("algorithm", "workers") if have[k] != want[k]]
    differ += [
        f"config.{k}: stored {have['config'][k]!r}, given {v!r}"
        for k, v in want["config"].items()
        if have["config"][k] != v
    ]
    if differ:
        raise StudyConfigError(
            f"Study {study.name!r} holds a DARTS search with other settings, so it cannot be "
            f"resumed with these ({'; '.join(differ)}). Use another study name, or the "
            "stored settings."
        )
    return int(saved["epoch"]), list(saved["ranks"])


def save_search_checkpoint(study: Any, config: Any, algorithm: str, workers: int, epoch: int, states: list) -> None:
    """Store every rank's encoded state after ``epoch`` epochs (one transaction)."""
    value = {"format": FORMAT, **_identity(config, algorithm, workers), "epoch": int(epoch), "ranks": list(states)}
    study.save_checkpoint(checkpoint_name(config.seed), value)
