"""Huge descriptors (issue 26, point 7), measured in one run.

A chain of ``n`` ``nn.ReLU`` layers (within ``MAX_LAYERS``): describe, validate, canonical
hash, JSON round trip, build, one forward pass and the notebook display (``_repr_html_``,
which shows a summary beyond ``DRAW_LIMIT`` layers). Goals: the whole chain of 50,000 layers
within 60 s, the display within 2 s. Building was quadratic before (an execution plan that
scanned every source for every layer): 10,000 layers 16.5 s, 20,000 63 s, 50,000 462 s.

Run ``python3 benchmarks/bench_deep_chain.py``; ``NASNB_BENCH_QUICK=1`` shrinks it to a smoke
test. Writes ``benchmarks/results/deep_chain.md``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

QUICK = os.environ.get("NASNB_BENCH_QUICK") == "1"


def chain(n: int) -> dict:
    import torch

    import nasnb

    times = {}
    t0 = t = time.perf_counter()
    d = nasnb.NeuralDescriptor.sequential(["nn.ReLU"] * n)
    times["describe"] = time.perf_counter() - t
    t = time.perf_counter()
    d.validate()
    times["validate"] = time.perf_counter() - t
    t = time.perf_counter()
    d.canonical_hash()
    times["hash"] = time.perf_counter() - t
    t = time.perf_counter()
    nasnb.NeuralDescriptor.from_json(d.to_json())
    times["JSON round trip"] = time.perf_counter() - t
    t = time.perf_counter()
    net = nasnb.build_network(d, (4,), 2)
    times["build"] = time.perf_counter() - t
    t = time.perf_counter()
    with torch.no_grad():
        net(torch.zeros(1, 4))
    times["forward"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    t = time.perf_counter()
    d._repr_html_()
    times["display"] = time.perf_counter() - t
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500] if QUICK else [10_000, 20_000, 50_000])
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    rows = []
    for n in args.sizes:
        times = chain(n)
        print(n, {k: round(v, 2) for k, v in times.items()}, flush=True)
        rows.append((n, times))
    lines = ["## Huge descriptors (`benchmarks/bench_deep_chain.py`)", "",
             f"Machine: {os.cpu_count()} cores, shared; one run; a chain of `nn.ReLU` layers, input (4,).", "",
             "| layers | describe | validate | hash | JSON round trip | build | forward | total | goal | display "
             "(`_repr_html_`) | goal |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, t in rows:
        lines.append(f"| {n:,} | {t['describe']:.2f} s | {t['validate']:.2f} s | {t['hash']:.2f} s | "
                     f"{t['JSON round trip']:.2f} s | {t['build']:.2f} s | {t['forward']:.2f} s | {t['total']:.1f} s | "
                     f"{'<= 60 s at 50,000' if n == 50_000 else ''} | {t['display']:.2f} s | <= 2 s |")
    lines += ["", "Before (issue 26): build 16.5 s at 10,000 layers, 63 s at 20,000, 462 s at 50,000; display "
              "63 s at 20,000 and > 90 s at 50,000.", ""]
    out = Path(__file__).resolve().parent / "results" / "deep_chain.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
