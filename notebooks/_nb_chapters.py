"""Cells of the chapter notebooks 03-08 (see _make_notebooks.py)."""

from _nb_chapters_late import CH7, CH8

DATA_ROOT_CELL = '''# Optional: the original data sets. If you have the files, set DATA_ROOT to their folder
# (e.g. DATA_ROOT = "/data"); cells guarded by `if DATA_ROOT:` then use them.
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT") or None'''

CH3 = [
    """md:
# Chapter 3 -- the framework: descriptors, builders, evaluators, benchmarks, search

The chapter asks whether one small set of abstractions -- a *descriptor* (the network as
data), a *builder* (descriptor -> working network, with the Minimum-Viable-Size merge), an
*evaluator* (train and test, or look up a tabular benchmark) and an *environment* (distributed
execution) -- is enough to write NAS experiments quickly, and it compares the cost of the
*search logic* of regularized evolution with that of a Double-DQN agent (0.8 s vs 34.1 s over a
NAS-Bench-101 run, published).

This notebook reproduces the chapter's examples on embedded data: the two descriptor styles,
MVS merging and the build-vs-train time, evaluators and a tabular benchmark
(NAS-Bench-Graph instead of NAS-Bench-101, which needs a 2 GB download -- see `DATA_ROOT`),
regularized evolution and the DQN agent on the benchmark, and the search-logic time comparison.""",
    """params:
import os

BUDGET = os.environ.get("NASNB_BUDGET", "full")
SEED = 0
if BUDGET == "small":
    EPOCHS = 1
    EVALUATIONS = 100      # benchmark queries per search
    DQN_EPISODES = 20
    REPEATS = 2
else:
    EPOCHS = 5
    EVALUATIONS = 500
    DQN_EPISODES = 500     # the thesis: 500 episodes
    REPEATS = 5""",
    DATA_ROOT_CELL,
    """import time
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import nasnb""",
    """md:
## Descriptors: two styles

Layers added one by one and connected explicitly, or added *sequentially* (each new layer is
connected to the previous one). `disconnect_layers` removes an edge.""",
    """explicit = nasnb.NeuralDescriptor()
explicit.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3}, "conv_a")
explicit.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 6, "kernel_size": 5}, "conv_b")
explicit.add_layer("nn.Conv2d", {"in_channels": 6, "out_channels": 8, "kernel_size": 1}, "conv_c")
explicit.add_layer("nn.Identity", {}, "stem")
explicit.connect_layers("stem", "conv_a")
explicit.connect_layers("stem", "conv_b")
explicit.connect_layers("conv_a", "conv_c")   # conv_c merges a 6x6 and a 4x4 input (MVS)
explicit.connect_layers("conv_b", "conv_c")
explicit.set_input("stem")
explicit.set_output("conv_c")

sequential = nasnb.NeuralDescriptor()
sequential.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 8, "kernel_size": 3})
sequential.add_layer_sequential("nn.ReLU", {})
sequential.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
print(explicit.connections)
print(sequential.connections)

layout = nasnb.SharedLayout().fit([explicit, sequential])
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5))
nasnb.plot_architecture(explicit, layout, ax=axes[0])
nasnb.plot_architecture(sequential, layout, ax=axes[1])""",
    """md:
## Builder: Minimum Viable Size merging, and build time vs training time

`conv_c` receives a 4-channel 6x6 and a 6-channel 4x4 tensor. MVS resizes them to the smallest
viable size and matches channels with 1x1 convolutions before summing; the *realised* plot
shows the inserted steps. The thesis notes that building is negligible next to training.""",
    """nasnb.build_network(sequential, (1, 8, 8), 10)   # warm-up: the first build imports torch
start = time.perf_counter()
net = nasnb.build_network(explicit, (1, 8, 8), 10)
build_seconds = time.perf_counter() - start
print(net.shapes)
print(net.merges)
nasnb.plot_realised(explicit, (1, 8, 8), 10)""",
    """evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64)
evaluator.descriptor_evaluate(explicit, 1, "digits", seed=SEED)   # warm-up: data loading, imports
start = time.perf_counter()
result = evaluator.descriptor_evaluate(explicit, EPOCHS, "digits", seed=SEED)
epoch_seconds = (time.perf_counter() - start) / EPOCHS
print(result)
print(f"build {build_seconds * 1000:.1f} ms, one epoch on digits {epoch_seconds:.2f} s")""",
    """md:
## Evaluators: optimizers and partial training sets

The optimizer (class or name) and its parameters go to the evaluator; `percentage` trains on
part of the training set.""",
    """rows = []
for optimizer, params in [("Adam", {"lr": 1e-3}), ("SGD", {"lr": 0.05, "momentum": 0.9}), ("Adadelta", {})]:
    ev = nasnb.LocalEvaluator(optimizer, params, batch_size=64)
    for percentage in (0.5, 1.0):
        r = ev.descriptor_evaluate(sequential, EPOCHS, "digits", percentage=percentage, seed=SEED)
        rows.append({"optimizer": optimizer, "percentage": percentage, "accuracy": r.metrics["accuracy"],
                     "seconds": r.total_time})
pd.DataFrame(rows)""",
    """md:
## A tabular benchmark: NAS-Bench-Graph

A benchmark is both a search space and an evaluator: `sample`/`mutate`/`to_descriptor`,
`descriptor_to_matrix` (adjacency + op list) and `descriptor_evaluate` / `evaluate_candidate`
(a table look-up).""",
    """bench = nasnb.NASBenchGraph("cora")
print("operations:", bench.get_available_ops())
cell = bench.sample(np.random.default_rng(SEED))
cell_descriptor = bench.to_descriptor(cell)
adjacency, ops = bench.descriptor_to_matrix(cell_descriptor)
print(adjacency, ops)
print(bench.descriptor_evaluate(cell_descriptor, 1, "cora"))
nasnb.plot_architecture(cell_descriptor)""",
    """md:
## Regularized evolution, random search and the Double-DQN agent on the benchmark

Evolution uses the thesis' mutation (a new forward connection or a node inserted on an edge);
random search is the same loop with S = 1. The DQN agent builds a cell layer by layer and is
rewarded with the benchmark score at the end of each episode. Because evaluation is a table
look-up, the wall time of each search *is* its search-logic time.""",
    """def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start

rows, histories = [], {}
for repeat in range(REPEATS):
    seed = SEED + repeat
    evo, t_evo = timed(lambda: nasnb.RegularizedEvolution(bench, 20, 5, seed=seed).run(bench, EVALUATIONS))
    rnd, t_rnd = timed(lambda: nasnb.RandomSearch(bench, 20, seed=seed).run(bench, EVALUATIONS))
    dqn, t_dqn = timed(lambda: nasnb.DoubleDQNSearch(bench, seed=seed).run(bench, DQN_EPISODES))
    dqn_frame = dqn.to_dataframe().rename(columns={"reward": "fitness"})
    histories.setdefault("regularized evolution", []).append(evo)
    histories.setdefault("random search", []).append(rnd)
    histories.setdefault("double DQN", []).append(dqn_frame)
    rows += [{"search": "regularized evolution", "seed": seed, "evaluations": EVALUATIONS, "seconds": t_evo,
              "best": evo.best.fitness},
             {"search": "random search", "seed": seed, "evaluations": EVALUATIONS, "seconds": t_rnd,
              "best": rnd.best.fitness},
             {"search": "double DQN", "seed": seed, "evaluations": DQN_EPISODES, "seconds": t_dqn,
              "best": float(dqn_frame["fitness"].max())}]
searches = pd.DataFrame(rows)
searches["ms per evaluation"] = 1000 * searches["seconds"] / searches["evaluations"]
results_table = searches.groupby("search")[["best", "ms per evaluation"]].agg(["mean", "std"])
results_table""",
    """fig, ax = plt.subplots(figsize=(7, 4))
nasnb.plot_progress({name: runs[0] for name, runs in histories.items()}, ax=ax)
ax.set_title("NAS-Bench-Graph (Cora): best validation score so far")""",
    """md:
### With NAS-Bench-101 (optional)

If `DATA_ROOT` holds `nasbench_only108.tfrecord`, the same three searches run on the benchmark the
thesis used.""",
    """if DATA_ROOT and os.path.exists(os.path.join(DATA_ROOT, "nasbench_only108.tfrecord")):
    nb101 = nasnb.NASBench101(os.path.join(DATA_ROOT, "nasbench_only108.tfrecord"))
    _, t101_evo = timed(lambda: nasnb.RegularizedEvolution(nb101, 20, 5, seed=SEED).run(nb101, EVALUATIONS))
    _, t101_dqn = timed(lambda: nasnb.DoubleDQNSearch(nb101, seed=SEED).run(nb101, DQN_EPISODES))
    print(f"NAS-Bench-101: evolution {t101_evo:.2f} s, DQN {t101_dqn:.2f} s")
else:
    print("NAS-Bench-101 not available; skipped")""",
    """md:
## Our numbers next to the thesis'

The search-logic times are scaled to 500 evaluations (the thesis' run length) from the measured
time per evaluation.""",
    """ms = searches.groupby("search")["ms per evaluation"].mean()
ours_evo, ours_dqn = ms["regularized evolution"] * 500 / 1000, ms["double DQN"] * 500 / 1000
comparison = pd.DataFrame([
    {"quantity": "build time of a small net (s)", "thesis": 0.11, "ours": build_seconds,
     "note": "thesis: 10-layer, 8M-parameter net; ours: the 4-layer example above"},
    {"quantity": "one training epoch (s)", "thesis": 43.0, "ours": epoch_seconds,
     "note": "thesis: Fashion-MNIST on a GTX1060; ours: digits on CPU"},
    {"quantity": "search logic, evolution, 500 evals (s)", "thesis": 0.8, "ours": ours_evo,
     "note": "thesis on NAS-Bench-101; ours on NAS-Bench-Graph"},
    {"quantity": "search logic, DQN, 500 episodes (s)", "thesis": 34.1, "ours": ours_dqn, "note": ""},
    {"quantity": "DQN / evolution time ratio", "thesis": 34.1 / 0.8, "ours": ours_dqn / ours_evo, "note": ""},
])
comparison""",
    """md:
The table above puts the numbers this run measured next to the published ones. The qualitative
claims are what carries over: building is orders of magnitude cheaper than training, and the
DQN agent's search logic (a neural network trained on every step) costs far more than evolution's
(sampling and mutating a list). Absolute times differ because the hardware, the benchmark and
the network sizes differ; with the small budget the DQN runs only a few episodes, so its
per-episode cost includes start-up and its best score is not comparable to a 500-episode run.""",
]

CH4 = [
    """md:
# Chapter 4 -- optimizers, training epochs and ranking retention

The chapter asks how far the *ranking* of architectures after a short training agrees with the
ranking after a long one, for seven optimizers (Adadelta, Adam, Adamax, RMSprop, SGD,
SGD+momentum, SGD+Nesterov). It builds a lineage of architectures by repeatedly mutating one
network (the DeepNEAT-style conv-block genome: filters 32-56, kernel 1 or 3, dropout 0-0.7,
weight scaling 0-2, max-pool), trains each with every optimizer for 1-50 epochs, and compares the
rankings with Kendall's tau, on all architectures and on the youngest (most complex) half. A
Monte-Carlo study on a perturbed Rastrigin function then asks how a proxy's rank correlation
limits what a genetic algorithm finds.

This notebook runs the same protocol on the embedded digits data (CIFAR-10 when `DATA_ROOT`
has it), draws the tau heatmaps and the training-time plot, and computes the Monte-Carlo table.""",
    """params:
import os

BUDGET = os.environ.get("NASNB_BUDGET", "full")
SEED = 0
OPTIMIZERS = {
    "Adadelta": ("Adadelta", {}), "Adam": ("Adam", {"lr": 1e-3}), "Adamax": ("Adamax", {}),
    "RMSprop": ("RMSprop", {"lr": 1e-3}), "SGD": ("SGD", {"lr": 0.05}),
    "SGD-M": ("SGD", {"lr": 0.05, "momentum": 0.9}),
    "SGD-NM": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
}
if BUDGET == "small":
    N_ARCHITECTURES, EPOCHS, PERCENTAGE, BATCH = 5, (1, 2), 0.25, 16
    HEAD = "linear"             # a one-layer head keeps CI fast; the thesis' head is 2 dense layers
    MC_REPETITIONS, MC_RESOLUTION = 3, 10
else:
    N_ARCHITECTURES, EPOCHS, PERCENTAGE, BATCH = 20, (1, 5, 10, 20, 50), 1.0, 64
    HEAD = "thesis"
    MC_REPETITIONS, MC_RESOLUTION = 1000, None""",
    DATA_ROOT_CELL,
    """import dataclasses
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import nasnb
from nasnb.analysis import chapter4_table, kendall_tau, tau_matrix
from nasnb.viz import tau_heatmap_data

datasets = nasnb.default_datasets()
DATASET = "digits"
if DATA_ROOT:
    datasets.add_dataset(dataclasses.replace(datasets.get("cifar10"), loader_kwargs={"root": DATA_ROOT}))
    DATASET = "cifar10"
config = datasets.get(DATASET)
datasets.add_dataset(dataclasses.replace(config, name="study", head=HEAD))
config""",
    """md:
## A lineage of architectures

One minimal genome mutated generation after generation (node-add probability 0.05,
connection-add 0.1, the rest perturbs a layer gene), as in the chapter; later architectures
are the more complex ones.""",
    """space = nasnb.conv_block_space(4, rates=nasnb.MutationRates(add_node=0.05, connection=0.1))
rng = np.random.default_rng(SEED)
genome = space.sample(rng)
lineage = [genome]
while len(lineage) < N_ARCHITECTURES:
    genome = space.mutate(genome, rng)
    if space.invalid_reason(genome) is None:
        lineage.append(genome)
descriptors = [space.to_descriptor(g) for g in lineage]
layout = nasnb.SharedLayout().fit(descriptors)
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
nasnb.plot_architecture(descriptors[0], layout, ax=axes[0]); axes[0].set_title("generation 0")
nasnb.plot_architecture(descriptors[-1], layout, ax=axes[1]); axes[1].set_title(f"generation {len(lineage) - 1}")""",
    """md:
## Train every architecture with every optimizer for every epoch budget""",
    """rows = []
for opt_name, (optimizer, params) in OPTIMIZERS.items():
    evaluator = nasnb.LocalEvaluator(optimizer, params, batch_size=BATCH, datasets=datasets)
    for epochs in EPOCHS:
        for arch, descriptor in enumerate(descriptors):
            r = evaluator.descriptor_evaluate(descriptor, epochs, "study", percentage=PERCENTAGE, seed=SEED)
            rows.append({"arch": arch, "optimizer": opt_name, "epochs": epochs, "setup": f"{opt_name} {epochs}",
                         "score": r.fitness if r.status == "done" else np.nan, "seconds": r.total_time,
                         "status": r.status})
records = pd.DataFrame(rows)
records.pivot_table(index="arch", columns="setup", values="score").round(3)""",
    """md:
## Training time scales with epochs""",
    """fig, ax = plt.subplots(figsize=(6, 4))
for opt_name, group in records.groupby("optimizer"):
    ax.plot(*group.groupby("epochs")["seconds"].mean().reset_index().values.T, marker="o", label=opt_name)
ax.set_xlabel("epochs"); ax.set_ylabel("mean training time (s)"); ax.legend(fontsize=8)
slope, intercept = np.polyfit(records["epochs"], records["seconds"], 1)
linear_r = np.corrcoef(records["epochs"], records["seconds"])[0, 1]
print(f"time ~ {slope:.2f} s/epoch + {intercept:.2f} s (Pearson r = {linear_r:.3f})")""",
    """md:
## Ranking retention: Kendall tau against the longest training

Every (optimizer, epochs) ranking list against every optimizer's longest-training list, on all
architectures and on the youngest half.""",
    """longest = max(EPOCHS)
references = [f"{name} {longest}" for name in OPTIMIZERS]
young = records[records["arch"] >= N_ARCHITECTURES // 2]
tau_all = tau_matrix(records, reference=references)
tau_young = tau_matrix(young, reference=references)
fig, axes = plt.subplots(1, 2, figsize=(14, 6))
nasnb.plot_tau_heatmap(tau_heatmap_data(tau_all, title="all architectures"), ax=axes[0])
nasnb.plot_tau_heatmap(tau_heatmap_data(tau_young, title="youngest half"), ax=axes[1])
fig.tight_layout()""",
    """def off_diagonal(matrix):
    values = matrix.copy()
    for ref in values.columns:
        if ref in values.index:
            values.loc[ref, ref] = np.nan
    return values.stack().dropna()

pairs_all, pairs_young = off_diagonal(tau_all), off_diagonal(tau_young)
results_table = pd.DataFrame({
    "pairs": [len(pairs_all), len(pairs_young)],
    "share with tau > 0.65": [(pairs_all > 0.65).mean(), (pairs_young > 0.65).mean()],
    "median tau": [pairs_all.median(), pairs_young.median()],
    "max tau": [pairs_all.max(), pairs_young.max()],
}, index=["all architectures", "youngest half"])
results_table""",
    """md:
## The Monte-Carlo study

A 3-d Rastrigin grid; perturbed copies whose Kendall tau to the original is 0.95, 0.85, 0.75;
a GA (population 10, crossover 0.9, mutation 0.02, tournament selection) run on the perturbed
values for 10, 100 and 1000 generations. Each run is scored by the share of grid points that
are better *on the original* than the best point found ("top %", lower is better).""",
    """study = chapter4_table(repetitions=MC_REPETITIONS, resolution=MC_RESOLUTION, seed=SEED)
study.table.round(2)""",
    """md:
## Our numbers next to the thesis'""",
    """adam_sgd_nm = tau_young.loc[f"Adam {longest}", f"SGD-NM {longest}"]
comparison = pd.DataFrame([
    {"quantity": "training time linear in epochs (Pearson r)", "thesis": "linear", "ours": round(linear_r, 3)},
    {"quantity": "share of pairs with tau > 0.65 (all)", "thesis": "most", "ours": round(results_table.iloc[0, 1], 3)},
    {"quantity": "tau Adam vs SGD-NM, complex nets, longest training", "thesis": 0.964, "ours": round(adam_sgd_nm, 3)},
    {"quantity": "Monte-Carlo table", "thesis": "not in the digest (blind)",
     "ours": f"{len(study.table)} rows, {MC_REPETITIONS} repetitions"},
])
comparison""",
    """md:
The table puts our numbers next to the published ones. With the small budget (a handful of
architectures, 1-2 epochs on a quarter of the 8x8 digits, a one-layer head; many
networks are still at chance level, which leaves ties and undefined taus) the ranking lists
are short and dominated by training noise, so the tau values are not expected to match; the
full budget follows the chapter's protocol on digits (CIFAR-10 with `DATA_ROOT`), and even then
the numbers depend on the data set and on the architectures the lineage happens to produce.
The Monte-Carlo table is reproducible from the seed; with few repetitions its standard
deviations are large.""",
]

CH5 = [
    """md:
# Chapter 5 -- reduced training epochs as a proxy

The chapter asks how few epochs are enough to *rank* architectures. It trains random
DeepNEAT-style networks for 1-50 epochs with seven optimizers and compares each ranking with
the 50-epoch one using Kendall's tau-b on raw accuracies and on accuracies rounded to whole
percents, with 800 bootstrap resamples for mean and standard error. On NAS-Bench-101 it samples
100,000 architectures with replacement, each draw taking one of the three recorded runs, and
compares the 4/12/36-epoch groups with a separate 108-epoch draw -- including 108 vs another
108-epoch run, the noise ceiling. A Monte-Carlo study in 2, 3 and 4 dimensions closes it.

This notebook runs all three on embedded data: the reduced-epoch study on digits (CIFAR-10 with
`DATA_ROOT`), the sampling protocol on a small "benchmark" we record ourselves (several epoch
budgets and two independent runs per architecture -- NAS-Bench-Graph records one budget and one
run only, so it cannot be used here; NAS-Bench-101 is used with `DATA_ROOT`), and the 2/3/4-D
Monte-Carlo table.""",
    """params:
import os

BUDGET = os.environ.get("NASNB_BUDGET", "full")
SEED = 0
if BUDGET == "small":
    N_ARCHITECTURES, EPOCHS, PERCENTAGE, HEAD, BATCH = 6, (1, 2), 0.25, "linear", 16
    OPTIMIZERS = {"Adam": ("Adam", {"lr": 1e-3}), "SGD": ("SGD", {"lr": 0.05})}
    N_RESAMPLES, PROTOCOL_SAMPLES = 50, 500
    MC_REPETITIONS, MC_RESOLUTION = 3, {2: 20, 3: 10, 4: 6}
else:
    N_ARCHITECTURES, EPOCHS, PERCENTAGE, HEAD, BATCH = 140, (1, 5, 10, 20, 50), 1.0, "thesis", 64
    OPTIMIZERS = {
        "Adadelta": ("Adadelta", {}), "Adam": ("Adam", {"lr": 1e-3}), "Adamax": ("Adamax", {}),
        "RMSprop": ("RMSprop", {"lr": 1e-3}), "SGD": ("SGD", {"lr": 0.05}),
        "SGD-M": ("SGD", {"lr": 0.05, "momentum": 0.9}),
        "SGD-NM": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    }
    N_RESAMPLES, PROTOCOL_SAMPLES = 800, 100_000
    MC_REPETITIONS, MC_RESOLUTION = 100, None""",
    DATA_ROOT_CELL,
    """import dataclasses
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import nasnb
from nasnb.analysis import bootstrap_tau, chapter5_table, resampling_protocol
from nasnb.viz import surface_data

datasets = nasnb.default_datasets()
DATASET = "digits"
if DATA_ROOT:
    datasets.add_dataset(dataclasses.replace(datasets.get("cifar10"), loader_kwargs={"root": DATA_ROOT}))
    DATASET = "cifar10"
datasets.add_dataset(dataclasses.replace(datasets.get(DATASET), name="study", head=HEAD))""",
    """md:
## Random architectures

Chapter-5 genes (filters 32-256, kernel 1 or 3, dropout 0-0.7, scaling 0-2, max-pool), each
architecture the result of a few random mutations of a minimal genome; invalid ones are
discarded.""",
    """space = nasnb.conv_block_space(5, initial_mutations=4)
rng = np.random.default_rng(SEED)
genomes = []
while len(genomes) < N_ARCHITECTURES:
    g = space.sample(rng)
    if space.invalid_reason(g) is None:
        genomes.append(g)
descriptors = [space.to_descriptor(g) for g in genomes]
sizes = [nasnb.build_network(d, datasets.get("study").input_shape, 10, head=HEAD).num_parameters() for d in descriptors]
print(f"parameters: min {min(sizes)}, mean {np.mean(sizes):.0f}, max {max(sizes)}")""",
    """md:
## Train for every epoch budget, plus a second run at the longest one

The second run (another seed) of the longest budget gives the noise ceiling: how well does a
full training agree with *another* full training?""",
    """rows = []
longest = max(EPOCHS)
for opt_name, (optimizer, params) in OPTIMIZERS.items():
    evaluator = nasnb.LocalEvaluator(optimizer, params, batch_size=BATCH, datasets=datasets)
    for epochs, run in [(e, 0) for e in EPOCHS] + [(longest, 1)]:
        for arch, d in enumerate(descriptors):
            r = evaluator.descriptor_evaluate(d, epochs, "study", percentage=PERCENTAGE, seed=SEED + run)
            rows.append({"arch": arch, "optimizer": opt_name, "budget": epochs, "run": run,
                         "score": r.fitness if r.status == "done" else np.nan})
records = pd.DataFrame(rows).dropna()
records.head()""",
    """md:
## Kendall tau-b against the longest training, raw and rounded, with bootstrap""",
    """rows = []
for opt_name, group in records.groupby("optimizer"):
    wide = group.pivot_table(index="arch", columns=["budget", "run"], values="score")
    reference = wide[(longest, 0)]
    for column in wide.columns:
        if column == (longest, 0):
            continue
        label = f"{column[0]} epochs" + (" (rerun)" if column[1] else "")
        for decimals in (None, 2):
            b = bootstrap_tau(wide[column], reference, n_resamples=N_RESAMPLES, decimals=decimals, seed=SEED)
            rows.append({"optimizer": opt_name, "vs longest": label,
                         "scores": "raw" if decimals is None else "rounded", "tau": b.estimate,
                         "mean": b.mean, "std_error": b.std_error})
results_table = pd.DataFrame(rows)
results_table.pivot_table(index=["optimizer", "vs longest"], columns="scores", values=["mean", "std_error"]).round(3)""",
    """fig, ax = plt.subplots(figsize=(7, 4))
for (opt_name, scores), g in results_table.groupby(["optimizer", "scores"]):
    ax.errorbar(g["vs longest"], g["mean"], yerr=g["std_error"], marker="o", capsize=3, label=f"{opt_name}, {scores}")
ax.set_ylabel(f"Kendall tau-b vs {longest} epochs"); ax.legend(fontsize=8); ax.set_ylim(-1, 1)""",
    """md:
## The sampling protocol

Draw architectures with replacement; each draw takes one of the recorded runs at random; compare
the partial-budget groups with a separate draw at the reference budget (raw and rounded scores,
bootstrap, Lilliefors normality test of the bootstrap distribution). Our records: Adam's runs
above. With `DATA_ROOT` holding NAS-Bench-101, the thesis' own benchmark is used.""",
    """benchmark_records = records[records["optimizer"] == "Adam"][["arch", "budget", "run", "score"]]
source = "our digits runs (Adam)"
if DATA_ROOT and os.path.exists(os.path.join(DATA_ROOT, "nasbench_full.tfrecord")):
    benchmark_records = nasnb.NASBench101(os.path.join(DATA_ROOT, "nasbench_full.tfrecord")).records()
    source = "NAS-Bench-101"
protocol = resampling_protocol(benchmark_records, n_samples=PROTOCOL_SAMPLES, decimals=[None, 2],
                               n_resamples=N_RESAMPLES, seed=SEED)
print(source)
protocol.round(4)""",
    """md:
## The 2/3/4-D Monte-Carlo table

A 2-d mesh of the Rastrigin function next to a perturbed copy (tau = 0.75), then the table: top %
(lower is better) for each dimension, proxy quality and generation count.""",
    """surface = surface_data(resolution=100, target_tau=0.75, seed=SEED)
nasnb.plot_surfaces(surface)""",
    """mc = chapter5_table(repetitions=MC_REPETITIONS, resolution=MC_RESOLUTION, seed=SEED)
mc.table.round(2)""",
    """md:
## Our numbers next to the thesis'""",
    """def pick(opt, label, scores):
    hit = results_table[(results_table["optimizer"] == opt) & (results_table["vs longest"] == label)
                        & (results_table["scores"] == scores)]
    return float(hit["mean"].iloc[0]) if len(hit) else np.nan

second = sorted(EPOCHS)[-2]
proto = protocol.set_index(["budget", "decimals"], drop=False)
def proto_tau(budget, decimals):
    hit = protocol[(protocol["budget"] == budget) & (protocol["decimals"].fillna(-1) == (-1 if decimals is None else decimals))]
    return float(hit["mean"].iloc[0]) if len(hit) else np.nan

budgets = sorted(benchmark_records["budget"].unique())
comparison = pd.DataFrame([
    {"quantity": "SGD, second-longest vs longest, rounded", "thesis": "0.851 +- 0.028 (20 vs 50 epochs)",
     "ours": f"{pick('SGD', f'{second} epochs', 'rounded'):.3f} ({second} vs {longest} epochs)"},
    {"quantity": "protocol: second-longest vs reference, raw", "thesis": "~0.76 (36 vs 108)",
     "ours": f"{proto_tau(budgets[-2], None):.3f}"},
    {"quantity": "protocol: second-longest vs reference, rounded", "thesis": "0.808 (36 vs 108)",
     "ours": f"{proto_tau(budgets[-2], 2):.3f}"},
    {"quantity": "protocol: reference vs another run (ceiling), raw", "thesis": "0.89",
     "ours": f"{proto_tau(budgets[-1], None):.3f}"},
    {"quantity": "protocol: ceiling, rounded", "thesis": "0.94", "ours": f"{proto_tau(budgets[-1], 2):.3f}"},
])
comparison""",
    """md:
The table sets our values beside the published ones. They come from different settings --
digits instead of CIFAR-10, our own small "benchmark" instead of NAS-Bench-101 unless
`DATA_ROOT` provides it, and with the small budget only a few architectures trained for one or
two epochs on a quarter of the data -- so they are not expected to match. What the protocol
shows in any setting is the structure of the thesis' argument: agreement grows with the
budget, rounding changes tau-b (ties), and the rerun row shows how far two full trainings of the
same networks agree, the ceiling for any proxy.""",
]

CH6 = [
    """md:
# Chapter 6 -- distributed regularized evolution in a global search space

The chapter asks whether regularized evolution still works when several workers evaluate
children concurrently (W offspring per cycle, the W oldest removed), and what it finds in a
*global* space of twelve layer choices (convolutions with kernel 2/3/5 at half or all of 64
fixed channels, average/max pooling with kernel 2/3/5; MVS merging; a fixed dense head) on
Fashion-MNIST, against random search. It plots how often individuals are sampled before removal
(serial vs W = 4), overlays every evolved architecture to see recurring motifs, and retrains the
best one wider and longer (REMNet).

This notebook runs both searches on a 2-engine MPI cluster on digits (Fashion-MNIST with
`DATA_ROOT`), the sample-count comparison on NAS-Bench-Graph (pure search logic, so thousands of
cycles are cheap), the overlay, and the retraining.""",
    """params:
import os

BUDGET = os.environ.get("NASNB_BUDGET", "full")
SEED = 0
ENGINES = 2
if BUDGET == "small":
    CHANNELS, WIDE_CHANNELS, EPOCHS, RETRAIN_EPOCHS, PERCENTAGE = 8, 16, 1, 2, 1.0
    POPULATION, SAMPLE, CYCLES = 4, 2, 2
    MIN_SAMPLED = 0
    SC_POPULATION, SC_SAMPLE, SC_CYCLES = 20, 5, 100
else:
    CHANNELS, WIDE_CHANNELS, EPOCHS, RETRAIN_EPOCHS, PERCENTAGE = 64, 128, 10, 20, 1.0
    POPULATION, SAMPLE, CYCLES = 100, 25, 200       # the thesis: 400 cycles of 4 workers
    MIN_SAMPLED = 5
    SC_POPULATION, SC_SAMPLE, SC_CYCLES = 100, 25, 400""",
    DATA_ROOT_CELL,
    """import dataclasses
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import nasnb

datasets = nasnb.default_datasets()
DATASET = "digits"
if DATA_ROOT:
    datasets.add_dataset(dataclasses.replace(datasets.get("fashion-mnist"), loader_kwargs={"root": DATA_ROOT}))
    DATASET = "fashion-mnist"
rates = nasnb.MutationRates(add_node=0.25, connection=0.7, identity=0.05, new_connections=False)
space = nasnb.layer_choice_space(CHANNELS, rates=rates, initial_layers=4)
evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64, datasets=datasets)
evaluate_kwargs = {"epochs": EPOCHS, "dataset": DATASET, "percentage": PERCENTAGE, "seed": SEED}""",
    """md:
## Distributed evolution vs random search on the cluster

W = 2 workers (one per engine): each cycle asks two children, the engines train them in
parallel, and the two oldest individuals are removed. Random search is the same loop with S = 1.
Every evaluation is also recorded in an experiment store, so an interrupted run resumes.""",
    """store = nasnb.ExperimentStore("chapter6.db")
with nasnb.Cluster(n=ENGINES) as env:
    evolution = nasnb.RegularizedEvolution(space, POPULATION, SAMPLE, seed=SEED, workers=ENGINES, cycles=CYCLES)
    evo = evolution.run(evaluator, executor=env, evaluate_kwargs=evaluate_kwargs,
                        study=store.create_study("evolution", {"search": evolution.config(), **evaluate_kwargs}))
    random_search = nasnb.RandomSearch(space, POPULATION, seed=SEED, workers=ENGINES, cycles=CYCLES)
    rnd = random_search.run(evaluator, executor=env, evaluate_kwargs=evaluate_kwargs,
                            study=store.create_study("random", {"search": random_search.config(), **evaluate_kwargs}))
print(f"evolution: {len(evo.fitness)} evaluations, best {evo.best.fitness:.4f}")
print(f"random search: {len(rnd.fitness)} evaluations, best {rnd.best.fitness:.4f}")""",
    """fig, axes = plt.subplots(1, 2, figsize=(13, 4))
nasnb.plot_progress({"regularized evolution": evo, "random search": rnd}, ax=axes[0])
nasnb.plot_ecdf({"regularized evolution": evo, "random search": rnd}, ax=axes[1])
fig.tight_layout()""",
    """md:
## How often is an individual sampled before it is removed? Serial vs W = 4

Only the search logic matters here, so we run it on NAS-Bench-Graph where an evaluation is a
table look-up, with the chapter's P and S.""",
    """bench = nasnb.NASBenchGraph("cora")
serial = nasnb.RegularizedEvolution(bench, SC_POPULATION, SC_SAMPLE, seed=SEED, workers=1, cycles=4 * SC_CYCLES).run(bench)
parallel = nasnb.RegularizedEvolution(bench, SC_POPULATION, SC_SAMPLE, seed=SEED, workers=4, cycles=SC_CYCLES).run(bench)
nasnb.plot_sample_counts({"serial (W=1)": serial, "distributed (W=4)": parallel})""",
    """from nasnb.analysis import ks_test
counts_serial, counts_parallel = serial.removed_sample_counts(), parallel.removed_sample_counts()
sample_count_test = ks_test(counts_serial, counts_parallel)
pd.DataFrame({"mean times sampled": [counts_serial.mean(), counts_parallel.mean()],
              "individuals removed": [len(counts_serial), len(counts_parallel)]},
             index=["serial", "W=4"]).assign(ks_pvalue=sample_count_test.pvalue if hasattr(sample_count_test, "pvalue") else sample_count_test)""",
    """md:
## Overlay of every evolved architecture

Each architecture is drawn with opacity 1/N on one shared layout, so motifs that recur across
the search stand out.""",
    """evolved = [space.to_descriptor(c) for c, s in zip(evo.candidates, evo.statuses) if s == "done"]
nasnb.plot_overlay(evolved)""",
    """md:
## Retraining the best

The best individual among those sampled at least `MIN_SAMPLED` times, widened to
`WIDE_CHANNELS` and trained longer with Adamax (the thesis adds flips and random erasing on
Fashion-MNIST).""",
    """frame = evo.to_dataframe()
eligible = frame[(frame["status"] == "done") & (frame["sample_count"] >= MIN_SAMPLED)]
best_index = int(eligible.sort_values("fitness", ascending=False)["index"].iloc[0])
best = evo.candidates[best_index]
wide_space = nasnb.layer_choice_space(WIDE_CHANNELS, rates=rates, initial_layers=4)
wide = wide_space.to_descriptor(best)
retrainer = nasnb.LocalEvaluator("Adamax", {}, batch_size=64, datasets=datasets)
retrained = retrainer.descriptor_evaluate(wide, RETRAIN_EPOCHS, DATASET, seed=SEED)
print(f"best individual #{best_index}: search accuracy {frame.loc[best_index, 'fitness']:.4f}, "
      f"retrained at {WIDE_CHANNELS} channels: {retrained.fitness:.4f}")
nasnb.plot_architecture(wide)""",
    """results_table = pd.DataFrame({
    "best accuracy": [evo.best.fitness, rnd.best.fitness, retrained.fitness],
    "evaluations": [len(evo.fitness), len(rnd.fitness), 1],
}, index=["regularized evolution (search)", "random search (search)", f"best retrained, {WIDE_CHANNELS} channels"])
results_table""",
    """md:
## Our numbers next to the thesis'""",
    """comparison = pd.DataFrame([
    {"quantity": "evolution, best search accuracy", "thesis (Fashion-MNIST)": 0.9362, "ours": evo.best.fitness},
    {"quantity": "random search, best search accuracy", "thesis (Fashion-MNIST)": 0.9191, "ours": rnd.best.fitness},
    {"quantity": "evolution minus random search", "thesis (Fashion-MNIST)": 0.9362 - 0.9191,
     "ours": evo.best.fitness - rnd.best.fitness},
    {"quantity": "best retrained wider (REMNet-128)", "thesis (Fashion-MNIST)": 0.9426, "ours": retrained.fitness},
])
comparison["data"] = DATASET
comparison""",
    """md:
The table places our accuracies beside the published Fashion-MNIST ones. Unless `DATA_ROOT`
provides Fashion-MNIST, ours are on the 8x8 digits, a different and much smaller task, so the
absolute values are not comparable; the small budget moreover runs only a few cycles with tiny
networks, so evolution has no room to beat random search. The sample-count comparison, which
needs only the search logic, is the part of the chapter whose conclusion (serial and distributed
distributions barely differ) can be checked at any budget: see its KS p-value above.""",
]

CHAPTERS = {
    "03_framework.ipynb": CH3,
    "04_optimizers_ranking.ipynb": CH4,
    "05_reduced_epochs.ipynb": CH5,
    "06_distributed_evolution.ipynb": CH6,
    "07_egraph.ipynb": CH7,
    "08_darts.ipynb": CH8,
}
