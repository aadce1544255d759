"""Build time of a 10-layer convolutional descriptor (~8M parameters) vs the same layers by hand.

Goal (issue 3): ``build_network`` takes at most 1.5× the time of constructing the same torch
layers by hand; the thesis reports 0.11 s for such a build. Both sides are timed alternately
in one run (median of several repeats); the result is printed and written to
``benchmarks/results/core_build.md``.

Usage::

    python3 benchmarks/bench_core_build.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from nasnb.builders import build_network  # noqa: E402
from nasnb.descriptors import NeuralDescriptor  # noqa: E402

INPUT_SHAPE = (3, 32, 32)
CHANNELS = (64, 128, 256, 256, 384, 384, 384, 384, 384, 256)  # 10 conv layers, ~8.0M parameters
GOAL = 1.5
THESIS_SECONDS = 0.11
RESULT = Path(__file__).resolve().parent / "results" / "core_build.md"


def descriptor() -> NeuralDescriptor:
    d = NeuralDescriptor(name="bench-10-conv")
    for c in CHANNELS:
        d.add_layer_sequential("nn.Conv2d", {"out_channels": c, "kernel_size": 3, "padding": 1})
        d.add_layer_sequential("nn.ReLU")
    return d


def by_hand() -> nn.Module:
    layers, c_in = [], INPUT_SHAPE[0]
    for c in CHANNELS:
        layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU()]
        c_in = c
    return nn.Sequential(*layers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(1)
    d = descriptor()
    build_network(d, INPUT_SHAPE, head=None), by_hand()  # warm up (imports, signature caches)
    t_nasnb, t_hand = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        net = build_network(d, INPUT_SHAPE, head=None)
        t_nasnb.append(time.perf_counter() - start)
        start = time.perf_counter()
        ref = by_hand()
        t_hand.append(time.perf_counter() - start)
    n_params = net.num_parameters()
    assert n_params == sum(p.numel() for p in ref.parameters())
    m_nasnb, m_hand = statistics.median(t_nasnb), statistics.median(t_hand)
    ratio = m_nasnb / m_hand
    verdict = "meets" if ratio <= GOAL else "MISSES"
    lines = [
        "## Core: building a network from a descriptor",
        "",
        f"10 Conv2d(3×3)+ReLU layers, input {INPUT_SHAPE}, {n_params:,} parameters, no head; "
        f"median of {args.repeats} alternating repeats, torch {torch.__version__}, 1 thread, "
        f"{platform.processor() or platform.machine()}.",
        "",
        "| build | median time (s) | ratio |",
        "|---|---|---|",
        f"| by hand (plain torch.nn) | {m_hand:.4f} | 1.00 |",
        f"| nasnb build_network | {m_nasnb:.4f} | {ratio:.2f} |",
        f"| thesis (NORD, published) | {THESIS_SECONDS:.2f} | — |",
        "",
        f"Goal ≤ {GOAL}× by hand: **{verdict}** ({ratio:.2f}×); nasnb overhead "
        f"{(m_nasnb - m_hand) * 1e3:.1f} ms per build.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
