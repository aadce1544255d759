"""The UCI "Activity Recognition from a Single Chest-Mounted Accelerometer" data set.

Layout (https://archive.ics.uci.edu/dataset/287): a directory of participant files
``1.csv`` ... ``15.csv``; every row is ``sequential number, x, y, z, label`` with
the accelerometer sampled at 52 Hz and labels 1-7 (0 = unlabelled).

Series are cut into fixed-length windows **inside runs of one label** (a window
never spans two activities or an unlabelled gap); unlabelled rows (label 0) are
dropped. Defaults: ``window=52`` samples (one second), ``stride=52`` (no overlap,
so a random split does not leak overlapping windows between train and test).
Each window is a ``(3, window)`` series (x, y, z); labels become 0-6. The
train/test split is a seeded stratified split of the windows
(``test_fraction``), or by participant with ``test_participants``. Channels are
standardised with the training windows' mean and standard deviation.

Examples
--------
>>> import os, tempfile
>>> root = tempfile.mkdtemp()
>>> with open(os.path.join(root, "1.csv"), "w") as f:
...     _ = f.write("".join(f"{i},{1900 + i % 7},{2300},{2000},{1 + (i >= 60)}\\n" for i in range(120)))
>>> x, y = read_activity_file(os.path.join(root, "1.csv"), window=20, stride=20)
>>> x.shape, sorted(set(y.tolist()))
((6, 3, 20), [0, 1])
"""

from __future__ import annotations

import logging
import numbers
import os
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from nasnb._validation import as_generator, check_positive_int, parameter_error
from nasnb.data.supply import supply_hint
from nasnb.exceptions import DatasetError

__all__ = [
    "read_activity_file",
    "load_activity_recognition",
    "activity_recognition_loader",
    "ACTIVITY_LABELS",
    "ACTIVITY_URL",
    "MAX_ACTIVITY_FILE_BYTES",
]

logger = logging.getLogger(__name__)

ACTIVITY_URL = "https://archive.ics.uci.edu/dataset/287"
ACTIVITY_LABELS = (
    "Working at Computer",
    "Standing Up, Walking and Going up/down stairs",
    "Standing",
    "Walking",
    "Going Up/Down Stairs",
    "Walking and Talking with Someone",
    "Talking while Standing",
)
_NAME = re.compile(r"^(\d+)\.csv$")


def _scan_for_error(path: str) -> DatasetError:
    """Find the first malformed line of ``path`` (slow path, only after a failure)."""
    with open(path, encoding="utf-8", errors="replace", newline=None) as f:
        for lineno, line in enumerate(f, start=1):
            text = line.strip()
            if not text:
                continue
            fields = text.split(",")
            if len(fields) != 5:
                return DatasetError(
                    f"{path}, line {lineno}: expected 5 comma-separated fields "
                    f"(seq, x, y, z, label), found {len(fields)}: {text[:80]!r}"
                )
            try:
                values = [float(v) for v in fields]
            except (ValueError, OverflowError):
                return DatasetError(f"{path}, line {lineno}: non-numeric value in {text[:80]!r}")
            if not all(np.isfinite(values)):
                return DatasetError(f"{path}, line {lineno}: non-finite value in {text[:80]!r}")
            label = values[4]
            if label != int(label) or not 0 <= label <= 7:
                return DatasetError(f"{path}, line {lineno}: label {fields[4]!r} is not an integer in 0..7")
    return DatasetError(f"{path}: malformed activity-recognition CSV (no single bad line found).")


#: Largest participant file read (bytes); the official files take 2-5 MB.
MAX_ACTIVITY_FILE_BYTES = 256 * 2**20


def _read_rows(path: str) -> np.ndarray:
    import io

    import pandas as pd

    from nasnb._safeio import read_file

    raw = read_file(
        path, what="activity-recognition participant file", error=DatasetError, max_bytes=MAX_ACTIVITY_FILE_BYTES
    )
    if not raw.strip():
        raise DatasetError(f"{path}: the file is empty.")
    if raw.count(b",") > 4 * (raw.count(b"\n") + 1):  # some line has more than 5 fields: find it, line by line
        raise _scan_for_error(path)
    try:
        frame = pd.read_csv(io.BytesIO(raw), header=None, dtype=np.float64, engine="c")
    except (ValueError, pd.errors.ParserError, OverflowError) as exc:
        if isinstance(exc, pd.errors.EmptyDataError):
            raise DatasetError(f"{path}: the file is empty.") from exc
        raise _scan_for_error(path) from exc
    rows = frame.to_numpy()
    if rows.ndim != 2 or rows.shape[1] != 5 or not np.isfinite(rows).all():
        raise _scan_for_error(path)
    labels = rows[:, 4]
    if ((labels != np.round(labels)) | (labels < 0) | (labels > 7)).any():
        raise _scan_for_error(path)
    return rows


def read_activity_file(path: str, *, window: int = 52, stride: int = 52) -> tuple[np.ndarray, np.ndarray]:
    """Read one participant file and cut it into labelled windows.

    Returns
    -------
    x : ndarray of float32, shape (n_windows, 3, window)
        Raw (uncalibrated) accelerations.
    y : ndarray of int64, shape (n_windows,)
        Activity labels 0-6 (the file's 1-7).

    Raises
    ------
    DatasetError
        A malformed line; the message names the file and the line number.
    """
    window = check_positive_int(window, "window", "read_activity_file")
    stride = check_positive_int(stride, "stride", "read_activity_file")
    rows = _read_rows(path)
    signal, labels = rows[:, 1:4].astype(np.float32), rows[:, 4].astype(np.int64)
    change = np.flatnonzero(np.diff(labels)) + 1
    starts, ends = np.r_[0, change], np.r_[change, len(labels)]
    xs, ys = [], []
    for s, e in zip(starts, ends):
        if labels[s] == 0 or e - s < window:
            continue
        views = np.lib.stride_tricks.sliding_window_view(signal[s:e], window, axis=0)[::stride]
        xs.append(views)  # (k, 3, window)
        ys.append(np.full(len(views), labels[s] - 1, dtype=np.int64))
    if not xs:
        return np.zeros((0, 3, window), np.float32), np.zeros(0, np.int64)
    return np.ascontiguousarray(np.concatenate(xs)), np.concatenate(ys)


def _participant_files(root: str) -> dict[int, str]:
    if not os.path.isdir(root):
        raise DatasetError(
            f"Activity recognition: directory {root!r} does not exist. Download the participant "
            f"files (1.csv ... 15.csv) from {ACTIVITY_URL}. "
            + supply_hint("activity_recognition", "activity_recognition/1.csv ... 15.csv")
        )
    try:
        names = os.listdir(root)
    except OSError as exc:
        raise DatasetError(f"Activity recognition: cannot list {root!r}: {exc.strerror or exc}.") from exc
    files = {int(m.group(1)): os.path.join(root, n) for n in names if (m := _NAME.match(n))}
    for path in files.values():
        if os.path.isdir(path):
            raise DatasetError(
                f"Activity recognition: {path!r} is a directory, not a participant CSV file; "
                f"move it away or replace it with the file from {ACTIVITY_URL}."
            )
    if not files:
        raise DatasetError(
            f"Activity recognition: no participant files '<n>.csv' in {root!r} "
            f"(get them from {ACTIVITY_URL}). "
            + supply_hint("activity_recognition", "activity_recognition/1.csv ... 15.csv")
        )
    return dict(sorted(files.items()))


def load_activity_recognition(
    root: str,
    *,
    window: int = 52,
    stride: int = 52,
    participants: Iterable[int] | None = None,
    test_participants: Iterable[int] | None = None,
    test_fraction: float = 0.2,
    seed: Any = 0,
    standardize: bool = True,
) -> tuple[np.ndarray, ...]:
    """Return ``(x_train, y_train, x_test, y_test)`` windows of the activity data set.

    Parameters
    ----------
    root : str
        Directory with the participant files (or a parent holding ``activity_recognition/``).
    window, stride : int
        Window length and step in samples (52 Hz).
    participants : iterable of int, optional
        Participant ids to use (default: every ``<n>.csv`` found).
    test_participants : iterable of int, optional
        Hold these participants out as the test set instead of a random split.
    test_fraction : float in (0, 1)
        Share of windows in the test set for the random (stratified) split.
    seed : int or numpy Generator
        Seed of the random split.
    standardize : bool
        Standardise each channel with the training windows' statistics.
    """
    func = "load_activity_recognition"
    try:
        root = os.fspath(root)
    except TypeError:
        raise parameter_error("root", func, "a directory path", root) from None
    window = check_positive_int(window, "window", func)
    stride = check_positive_int(stride, "stride", func)
    if (
        isinstance(test_fraction, bool)
        or not isinstance(test_fraction, numbers.Real)
        or not 0.0 < float(test_fraction) < 1.0
    ):
        raise parameter_error("test_fraction", func, "a float in the open range (0, 1)", test_fraction)
    if not isinstance(standardize, bool):
        raise parameter_error("standardize", func, "a bool", standardize)
    as_generator(seed, func)
    participants = _ids(participants, "participants", func)
    test_participants = _ids(test_participants, "test_participants", func)
    nested = os.path.join(root, "activity_recognition")
    files = _participant_files(nested if os.path.isdir(nested) else root)
    if participants is not None:
        wanted = [int(p) for p in participants]
        missing = [p for p in wanted if p not in files]
        if missing:
            raise DatasetError(f"Activity recognition: no file for participant(s) {missing} in {root!r}.")
        files = {p: files[p] for p in wanted}
    parts = {p: read_activity_file(path, window=window, stride=stride) for p, path in files.items()}
    if test_participants is not None:
        held = {int(p) for p in test_participants}
        unknown = held - set(parts)
        if unknown:
            raise DatasetError(f"Activity recognition: test participant(s) {sorted(unknown)} not loaded.")
        if not set(parts) - held:
            raise DatasetError(
                f"Activity recognition: every loaded participant ({sorted(parts)}) is a test "
                "participant; leave at least one for training."
            )
        pick = lambda test: [parts[p] for p in parts if (p in held) == test]  # noqa: E731
        (xtr, ytr), (xte, yte) = [
            (np.concatenate([a for a, _ in ps]), np.concatenate([b for _, b in ps])) for ps in (pick(False), pick(True))
        ]
    else:
        x = np.concatenate([a for a, _ in parts.values()])
        y = np.concatenate([b for _, b in parts.values()])
        if len(y) < 2:
            raise DatasetError(f"Activity recognition: only {len(y)} labelled window(s) in {root!r}.")
        from sklearn.model_selection import train_test_split

        counts = np.bincount(y)
        classes = int((counts > 0).sum())
        n_test = int(np.ceil(float(test_fraction) * len(y)))
        stratify = y if counts[counts > 0].min() >= 2 and classes <= min(n_test, len(y) - n_test) else None
        rs = int(as_generator(seed).integers(2**31 - 1))
        try:
            xtr, xte, ytr, yte = train_test_split(
                x, y, test_size=float(test_fraction), random_state=rs, stratify=stratify
            )
        except ValueError as exc:
            raise DatasetError(
                f"Activity recognition: cannot split {len(y)} windows with test_fraction={test_fraction!r} ({exc})."
            ) from exc
        if not len(ytr) or not len(yte):
            raise DatasetError(
                f"Activity recognition: test_fraction={test_fraction!r} of {len(y)} windows leaves "
                "an empty training or test set."
            )
    if standardize and len(xtr):
        mean = xtr.mean(axis=(0, 2), keepdims=True)
        std = xtr.std(axis=(0, 2), keepdims=True) + 1e-6
        xtr, xte = (xtr - mean) / std, (xte - mean) / std
    logger.info("activity recognition: %d train / %d test windows", len(ytr), len(yte))
    return xtr.astype(np.float32), ytr, xte.astype(np.float32), yte


def _ids(values: Any, name: str, func: str) -> list[int] | None:
    """Participant ids: an iterable of ints >= 0 (None passes through)."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise parameter_error(name, func, "an iterable of participant ids (ints >= 0)", values)
    out = list(values)
    for v in out:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
            raise parameter_error(name, func, "an iterable of participant ids (ints >= 0)", values)
    if not out:
        raise parameter_error(name, func, "a non-empty iterable of participant ids", values)
    return [int(v) for v in out]


def activity_recognition_loader(root: Any = None, **options: Any) -> tuple[np.ndarray, ...]:
    """Loader used by the built-in ``activity_recognition`` config (needs ``root``)."""
    if root is None:
        raise DatasetError(
            "Dataset 'activity_recognition' needs the directory of its participant CSV files "
            f"(download them from {ACTIVITY_URL}). "
            + supply_hint("activity_recognition", "activity_recognition/1.csv ... 15.csv")
        )
    return load_activity_recognition(root, **options)
