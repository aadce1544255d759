"""Benchmark: LocalEvaluator overhead vs a hand-written PyTorch loop, and import cost.

Run: ``python3 benchmarks/bench_core_train.py [--repeats 5] [--threads 1] [--samples 2000]``

1. One training epoch (plus build and test pass) of the same small CNN on the
   same in-memory 1×28×28 data, through ``LocalEvaluator.descriptor_evaluate``
   and through a hand-written loop (randperm + slicing, Adam, cross-entropy).
   Also the bare epoch: ``nasnb.evaluators.train.train_epoch`` vs the hand loop.
   Goal: ratio ≤ 1.05. Repeats alternate the order; medians are reported.
2. ``import nasnb`` (+ touching ``nasnb.NeuralDescriptor``) and
   ``import nasnb`` + ``LocalEvaluator`` vs ``import torch``, each in a fresh
   subprocess. Goal: ≤ 1.3×.

Writes ``benchmarks/results/core_train.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from nasnb import NeuralDescriptor  # noqa: E402
from nasnb.builders import build_network  # noqa: E402
from nasnb.data import DatasetRegistry, TensorBatches  # noqa: E402
from nasnb.evaluators import LocalEvaluator  # noqa: E402
from nasnb.evaluators.train import train_epoch  # noqa: E402

BATCH = 128
LR = 1e-3


def make_data(n_train: int, n_test: int):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n_train + n_test)
    x = rng.normal(size=(n_train + n_test, 1, 28, 28)).astype(np.float32)
    x[np.arange(len(y)), 0, y, y] += 3.0  # learnable signal
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def descriptor() -> NeuralDescriptor:
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 16, "kernel_size": 3, "padding": 1})
    d.add_layer_sequential("nn.ReLU")
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 16, "out_channels": 32, "kernel_size": 3, "padding": 1})
    d.add_layer_sequential("nn.ReLU")
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
    return d


def hand_epoch(model, opt, x, y, gen):
    model.train()
    perm = torch.randperm(len(x), generator=gen)
    total = 0.0
    for i in range(0, len(x), BATCH):
        idx = perm[i:i + BATCH]
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
    return total / len(x)


def hand_evaluate(model, x, y):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), BATCH):
            out = model(x[i:i + BATCH])
            loss += F.cross_entropy(out, y[i:i + BATCH], reduction="sum").item()
            correct += int((out.argmax(1) == y[i:i + BATCH]).sum())
    return loss / len(x), correct / len(x)


class Timer:
    """Wall-clock and process CPU time of a block (CPU time is robust on a shared machine)."""

    def __enter__(self):
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.w0, time.process_time() - self.c0


def hand_full(d, data, seed):
    """Build + 1 epoch + test, written by hand (what LocalEvaluator does)."""
    xtr, ytr, xte, yte = data
    with Timer() as t, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_network(d, (1, 28, 28), 10)
        opt = torch.optim.Adam(model.parameters(), lr=LR)
        hand_epoch(model, opt, xtr, ytr, torch.Generator().manual_seed(seed))
        hand_evaluate(model, xte, yte)
    return t


def epoch_only(use_nasnb: bool, d, data, seed):
    xtr, ytr, _, _ = data
    torch.manual_seed(seed)
    model = build_network(d, (1, 28, 28), 10)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    if use_nasnb:
        batches = TensorBatches(xtr, ytr, BATCH, shuffle=True, seed=seed)
        with Timer() as t:
            train_epoch(model, batches, opt, F.cross_entropy)
    else:
        gen = torch.Generator().manual_seed(seed)
        with Timer() as t:
            hand_epoch(model, opt, xtr, ytr, gen)
    return t


def bench_training(repeats: int, samples: int):
    arrays = make_data(samples, samples // 4)
    data = tuple(torch.as_tensor(a) for a in arrays)
    reg = DatasetRegistry()
    reg.add_classification_dataset("synthetic", 10, (1, 28, 28), 1, lambda: arrays)
    ev = LocalEvaluator("Adam", {"lr": LR}, batch_size=BATCH, device="cpu", datasets=reg)
    d = descriptor()
    # warm-up: data load/cache, optimizer first-use imports, kernels
    ev.descriptor_evaluate(d, 1, "synthetic", seed=0)
    hand_full(d, data, 0)
    rows = {"evaluator": [], "hand": [], "epoch_nasnb": [], "epoch_hand": []}
    for r in range(repeats):
        order = [("evaluator", "hand"), ("hand", "evaluator")][r % 2]
        for which in order:
            if which == "evaluator":
                with Timer() as t:
                    res = ev.descriptor_evaluate(d, 1, "synthetic", seed=r)
                rows["evaluator"].append(t)
                assert res.ok, res.message
            else:
                rows["hand"].append(hand_full(d, data, r))
        for flag in ([True, False] if r % 2 == 0 else [False, True]):
            rows["epoch_nasnb" if flag else "epoch_hand"].append(epoch_only(flag, d, data, r))
    med = {k: (statistics.median(t.wall for t in v), statistics.median(t.cpu for t in v)) for k, v in rows.items()}
    params = build_network(d, (1, 28, 28), 10).num_parameters()
    return med, params


def _import_time(code: str) -> tuple[float, float]:
    """(wall, CPU user+sys) seconds of a fresh interpreter running ``code``."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_imports(repeats: int):
    codes = {
        "torch": "import torch",
        "nasnb": "import nasnb; nasnb.NeuralDescriptor",
        "nasnb+LocalEvaluator": "import nasnb; nasnb.NeuralDescriptor; from nasnb.evaluators import LocalEvaluator",
        "python": "pass",
    }
    times = {k: [] for k in codes}
    for r in range(repeats):
        names = list(codes) if r % 2 == 0 else list(reversed(codes))
        for k in names:
            times[k].append(_import_time(codes[k]))
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--import-repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1: less noise)")
    parser.add_argument("--samples", type=int, default=2000, help="training samples")
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "core_train.md"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    med, params = bench_training(args.repeats, args.samples)
    imp = bench_imports(args.import_repeats)
    ok = lambda r, goal: f"{'meets' if r <= goal else 'MISSES'} ≤ {goal}×"  # noqa: E731

    def row(label, a, b, goal):
        rw, rc = a[0] / b[0], a[1] / b[1]
        return (f"| {label} | {a[0]:.3f} s / {a[1]:.3f} s | {b[0]:.3f} s / {b[1]:.3f} s | "
                f"{rw:.3f}× | {rc:.3f}× | {ok(rc, goal)} (CPU), {ok(rw, goal)} (wall) |")

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Core training loop and import cost (`benchmarks/bench_core_train.py`)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (load average {load:.1f} at the end), torch "
        f"{torch.__version__}, {args.threads} torch thread(s), CPU. Model: 2-conv CNN + thesis head "
        f"({params:,} parameters); data: {args.samples} synthetic 1×28×28 samples in memory "
        f"(+{args.samples // 4} test), batch {BATCH}, Adam. Medians of {args.repeats} alternating repeats "
        f"(imports: {args.import_repeats}). Times are wall / process CPU; on a shared machine the CPU-time "
        "ratio is the reliable one.",
        "",
        "| measurement | nasnb (wall / CPU) | reference (wall / CPU) | ratio wall | ratio CPU | goal |",
        "|---|---|---|---|---|---|",
        row("build + 1 epoch + test: `LocalEvaluator.descriptor_evaluate` vs hand-written loop",
            med["evaluator"], med["hand"], 1.05),
        row("1 epoch only: `train_epoch` + `TensorBatches` vs hand-written loop",
            med["epoch_nasnb"], med["epoch_hand"], 1.05),
        row("`import nasnb; nasnb.NeuralDescriptor` vs `import torch` (fresh process)",
            imp["nasnb"], imp["torch"], 1.3),
        row("`import nasnb` + `from nasnb.evaluators import LocalEvaluator` vs `import torch`",
            imp["nasnb+LocalEvaluator"], imp["torch"], 1.3),
        "",
        f"Bare interpreter start: {imp['python'][0]:.3f} s wall (included in the import times). "
        "`import nasnb` does not import torch; torch loads with the first builder/evaluator use.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
