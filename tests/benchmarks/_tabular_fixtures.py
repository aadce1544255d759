"""Fixtures: small benchmark files in the official formats, written by the tests themselves.

Test modules import the fixtures they use from here (a conftest.py here would clash with
tests/conftest.py under --doctest-modules)."""

from __future__ import annotations

import numpy as np
import pytest

from _tabular_files import nb101_record, write_nats_dir, write_tfrecord

from nasnb.benchmarks.nb101_format import hash_module

NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")

#: (matrix, ops) of the small NAS-Bench-101 file
NB101_CELLS = [
    ([[0, 1], [0, 0]], ["input", "output"]),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv3x3-bn-relu", "output"]),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "maxpool3x3", "output"]),
    ([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], ["input", "conv1x1-bn-relu", "conv3x3-bn-relu", "output"]),
    ([[0, 1, 0, 0, 1], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
     ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "output"]),
]
NB201_ARCHS = [
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    "|none~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|",
]


def nb101_hash(matrix, ops) -> str:
    labels = [-1] + [NB101_OPS.index(o) for o in ops[1:-1]] + [-2]
    return hash_module(np.asarray(matrix), labels)


def nb101_final(cell: int, epochs: int, run: int) -> tuple:
    """(training_time, train, valid, test) written for a cell/budget/run."""
    return (10.0 * epochs + run, 0.5 + 0.01 * cell, 0.6 + 0.01 * cell + 0.001 * run + epochs / 1e4,
            0.55 + 0.01 * cell + 0.001 * run)


@pytest.fixture(scope="session")
def nb101_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("nb101") / "nasbench_full.tfrecord"
    records = []
    for c, (matrix, ops) in enumerate(NB101_CELLS):
        for epochs in (4, 12, 36, 108):
            for run in range(3):
                records.append(nb101_record(nb101_hash(matrix, ops), epochs, matrix, ops,
                                            nb101_final(c, epochs, run), params=1000 + c))
    write_tfrecord(path, records)
    return path


@pytest.fixture(scope="session")
def nats_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("nats") / "NATS-tss-v1_0-3ffb9-simple"
    write_nats_dir(directory, NB201_ARCHS)
    return directory
