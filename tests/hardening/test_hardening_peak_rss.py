"""Peak memory: no hostile input under 1 MB makes a reader use more than 200 MB.

Method: the hostile files are written to a temporary directory, then ONE fresh Python
subprocess imports every reader (numpy, pandas, torch through ``nasnb.data`` ...), reads
one valid file of each kind so lazy imports and caches are warm, and records its peak
resident set size, ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on Linux), as the
baseline. It then feeds every hostile file to its reader, catching only nasnb errors, and
records ``ru_maxrss`` after each. ``ru_maxrss`` is the high-water mark of the process, so the
final value minus the baseline is the largest extra memory any input needed at any moment
(an allocation that is never touched does not count as resident, which is why the readers are
also tested to refuse such inputs *before* allocating: see the other hardening tests). Any
exception that is not a ``NasnbError`` fails the test, as does an increase above 200 MB.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import subprocess
import sys

import pytest

from _hostile import (HOSTILE_PICKLES, bz2_bomb, cifar_amplifying_labels, cifar_batch_bytes,
                      good_descriptor_doc, good_genome_doc, gzip_bomb, idx_bytes, nb201_doc, tfrecord_length_bomb)

LIMIT_MB = 200

_SCRIPT = r"""
import json, os, resource, sys
from nasnb.exceptions import NasnbError
from nasnb._safe_pickle import safe_load
from nasnb.benchmarks import NASBench101
from nasnb.benchmarks.nb201_format import read_nats_meta, read_nb201_json
from nasnb.data.activity import read_activity_file
from nasnb.data.images import load_cifar10, read_idx
from nasnb.descriptors import NeuralDescriptor
from nasnb.genomes import Genome

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

def descriptor(p): NeuralDescriptor.from_json(p)
def genome(p): Genome.from_json(open(p, "rb").read())
def pickle_file(p): safe_load(open(p, "rb").read(), name=p)
READERS = {"pickle": pickle_file, "cifar": load_cifar10, "nats": read_nats_meta, "nb201": read_nb201_json,
           "nb101": lambda p: len(NASBench101(p)), "idx": read_idx, "activity": read_activity_file,
           "descriptor": descriptor, "genome": genome}
cases = json.load(open(sys.argv[1]))
for kind, path in cases["warmup"]:
    READERS[kind](path)
base = rss()
out = {"baseline_mb": base, "cases": []}
for kind, path in cases["hostile"]:
    error = None
    try:
        READERS[kind](path)
    except NasnbError as exc:
        error = type(exc).__name__
    except BaseException as exc:
        error = "RAW " + type(exc).__name__ + ": " + str(exc)[:200]
    out["cases"].append([kind, os.path.basename(path), error, rss() - base])
print(json.dumps(out))
"""


def _write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def _cases(tmp):
    warm, hostile = [], []
    # warm-up: one valid file per reader
    warm.append(("pickle", _write(tmp / "ok.pkl", cifar_batch_bytes())))
    warm.append(("descriptor", _write(tmp / "ok.json", json.dumps(good_descriptor_doc()).encode())))
    warm.append(("genome", _write(tmp / "okg.json", json.dumps(good_genome_doc()).encode())))
    warm.append(("nb201", _write(tmp / "ok201.json", json.dumps(nb201_doc()).encode())))
    warm.append(("idx", _write(tmp / "ok-idx1-ubyte", idx_bytes((4,)))))
    warm.append(("activity", _write(tmp / "ok.csv", b"".join(b"%d,1,2,3,1\n" % i for i in range(60)))))
    for name, blob in HOSTILE_PICKLES.items():
        hostile.append(("pickle", _write(tmp / "pickles" / name, blob)))
    cifar = tmp / "cifar"
    for stem in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        _write(cifar / "cifar-10-batches-py" / stem, cifar_batch_bytes())
    _write(cifar / "cifar-10-batches-py" / "data_batch_1", cifar_amplifying_labels())
    hostile.append(("cifar", str(cifar)))
    nats = tmp / "nats"
    _write(nats / "meta.pickle.pbz2", bz2_bomb())
    hostile.append(("nats", str(nats)))
    flood = tmp / "nats2"
    _write(flood / "meta.pickle.pbz2", bz2.compress(HOSTILE_PICKLES["empty_set_flood"]))
    hostile.append(("nats", str(flood)))
    hostile.append(("nb201", _write(tmp / "bomb.json.gz", gzip_bomb())))
    hostile.append(("nb201", _write(tmp / "flood.json.gz", gzip.compress(b"[" + b"[]," * 5_000_000 + b"[]]"))))
    hostile.append(("nb201", _write(tmp / "flood.json", b"[" + b"{}," * 330_000 + b"{}]")))
    hostile.append(("nb201", _write(tmp / "strings.json", json.dumps(nb201_doc({"test_accuracy": "x" * 900_000}))
                                    .encode())))
    hostile.append(("nb101", _write(tmp / "bomb.tfrecord", tfrecord_length_bomb())))
    hostile.append(("idx", _write(tmp / "dims-idx3-ubyte", idx_bytes((65536,) * 4, b""))))
    hostile.append(("idx", _write(tmp / "bomb-idx3-ubyte.gz", gzip_bomb())))
    hostile.append(("activity", _write(tmp / "5.csv", bytes(range(256)) * 3900)))
    hostile.append(("activity", _write(tmp / "6.csv", b"1," * 490_000 + b"\n")))
    layers = b'{"format": "nasnb.descriptor", "schema_version": 1, "layers": [' + b"{}," * 330_000 + b"{}]}"
    hostile.append(("descriptor", _write(tmp / "layers.json", layers)))
    hostile.append(("descriptor", _write(tmp / "deep.json", b"[" * 450_000 + b"]" * 450_000)))
    hostile.append(("descriptor", _write(tmp / "lists.json", b'{"a": [' + b"[]," * 330_000 + b"[]]}")))
    hostile.append(("genome", _write(tmp / "genes.json", b'{"format": "nasnb.genome", "schema_version": 1, '
                                     b'"layers": [], "connections": [' + b"[]," * 330_000 + b"[]]}")))
    return {"warmup": warm, "hostile": hostile}


@pytest.mark.timeout(120)
def test_no_hostile_input_under_1mb_needs_200mb(tmp_path):
    cases = _cases(tmp_path)
    for _, path in cases["hostile"]:
        if os.path.isfile(path):
            assert os.path.getsize(path) < 1_000_000, path
    manifest = tmp_path / "cases.json"
    manifest.write_text(json.dumps(cases))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(manifest)], capture_output=True, text=True,
                          timeout=110, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(report["cases"]) == len(cases["hostile"])
    raw = [c for c in report["cases"] if c[2] is None or c[2].startswith("RAW")]
    assert not raw, f"inputs accepted or raising a raw exception: {raw}"
    worst = max(report["cases"], key=lambda c: c[3])
    assert worst[3] <= LIMIT_MB, f"{worst[0]} {worst[1]} raised peak RSS by {worst[3]:.0f} MB"


if __name__ == "__main__":  # print the measured table: python tests/hardening/test_hardening_peak_rss.py
    import pathlib
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        cases = _cases(pathlib.Path(d))
        (pathlib.Path(d) / "c.json").write_text(json.dumps(cases))
        print(subprocess.run([sys.executable, "-c", _SCRIPT, str(pathlib.Path(d) / "c.json")], capture_output=True,
                             text=True).stdout)
