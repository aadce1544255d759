"""Cells of notebooks 07 (EGraph) and 08 (DARTS) (see _make_notebooks.py)."""

CH7 = [
    """md:
# Chapter 7 -- evolving graph networks that rank architectures (EGraph vs ReNAS)

The chapter asks whether a graph convolutional network can learn to *rank* architectures from
their graphs well enough to replace training, and whether evolving the GCN itself helps. A GCN
genome has GraphSAGE layer genes (LSTM or pooling aggregator at half / standard / double
filters) and a readout gene (max, mean, or sort pooling keeping k = 1-3 nodes). A siamese GCN
embeds two architectures, a dense layer compares the embeddings and predicts *equal / first
better / second better*; its fitness is the Kendall tau of the ranking it induces on held-out
architectures. Regularized evolution searches the GCN space; the baseline is ReNAS (a small CNN
on the adjacency + op tensor, margin ranking loss).

This notebook runs both on NAS-Bench-Graph (Cora), which ships with the `nas-bench-graph`
package, instead of NAS-Bench-101 (a 2 GB download).""",
    """params:
import os

BUDGET = os.environ.get("NASNB_BUDGET", "full")
SEED = 0
if BUDGET == "small":
    N_ARCHITECTURES, TRAIN_SHARE, EPSILON = 60, 0.7, 0.01
    RENAS_EPOCHS, RENAS_BATCH, RENAS_PAIRS = 5, 32, 200
    EVALUATIONS, POPULATION, SAMPLE, FILTERS, GCN_EPOCHS, GCN_PAIRS = 4, 2, 1, 8, 1, 128
else:
    N_ARCHITECTURES, TRAIN_SHARE, EPSILON = 500, 0.7, 0.01       # the thesis: 500 split 70/30
    RENAS_EPOCHS, RENAS_BATCH, RENAS_PAIRS = 200, 1024, None
    EVALUATIONS, POPULATION, SAMPLE, FILTERS, GCN_EPOCHS, GCN_PAIRS = 500, 100, 25, 300, 2, None""",
    """import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import nasnb
from nasnb.predictors import (evolve_egraph, nas_bench_graph_dataset, ranking_metrics, renas_scores,
                              train_renas)
from nasnb.viz import gene_box_data""",
    """md:
## The architecture data set

Architectures drawn from the benchmark (seeded), node features = one-hot op, score = validation
accuracy; split into disjoint training and test sets.""",
    """data = nas_bench_graph_dataset("cora", n=N_ARCHITECTURES, seed=SEED)
train, test = data.split(TRAIN_SHARE, seed=SEED)
print(f"{len(train)} training and {len(test)} test architectures")
pd.Series(np.asarray(test.scores)).describe()""",
    """md:
## Baseline: ReNAS""",
    """renas, renas_report = train_renas(train, epochs=RENAS_EPOCHS, batch_size=RENAS_BATCH,
                                   pairs_per_epoch=RENAS_PAIRS, seed=SEED)
renas_predicted = renas_scores(renas, test)
renas_metrics = ranking_metrics(renas_predicted, np.asarray(test.scores))
renas_metrics""",
    """md:
## EGraph: regularized evolution of the ranking GCN""",
    """history, strategy = evolve_egraph(train, test, EVALUATIONS, population_size=POPULATION, sample_size=SAMPLE,
                                  standard_filters=FILTERS, seed=SEED, epochs=GCN_EPOCHS,
                                  pairs_per_epoch=GCN_PAIRS, epsilon=EPSILON)
frame = history.to_dataframe()
frame["readout"] = [dict((h.name, h.value) for h in c.hyperparameters).get("readout") for c in history.candidates]
frame["layers"] = [len(c.layers) for c in history.candidates]
frame["top50_tau"] = [m.get("top50_tau", np.nan) for m in history.metrics]
best_metrics = history.metrics[history.best.index]
frame[["fitness", "top50_tau", "readout", "layers", "status"]]""",
    """fig, axes = plt.subplots(1, 3, figsize=(16, 4))
nasnb.plot_progress({"EGraph evolution": history}, ax=axes[0])
axes[0].axhline(renas_metrics["tau"], color="k", ls="--", label="ReNAS")
axes[0].legend()
nasnb.plot_gene_boxes(gene_box_data(frame, "readout"), ax=axes[1])
axes[1].set_title("Kendall tau by readout")
axes[2].scatter(np.asarray(test.scores), renas_predicted, s=10)
axes[2].set_xlabel("true validation accuracy"); axes[2].set_ylabel("ReNAS score"); axes[2].set_title("ReNAS on the test set")
fig.tight_layout()""",
    """nasnb.plot_architecture(strategy.space.to_descriptor(history.best.candidate))""",
    """results_table = pd.DataFrame([
    {"predictor": "ReNAS", "tau": renas_metrics["tau"], "top-50% tau": renas_metrics["top50_tau"]},
    {"predictor": "EGraph (best evolved GCN)", "tau": best_metrics["tau"], "top-50% tau": best_metrics.get("top50_tau")},
]).set_index("predictor")
results_table""",
    """md:
## Our numbers next to the thesis'""",
    """comparison = pd.DataFrame([
    {"quantity": "ReNAS tau", "thesis (NAS-Bench-101)": "0.828-0.856", "ours (NAS-Bench-Graph, Cora)": renas_metrics["tau"]},
    {"quantity": "EGraph tau", "thesis (NAS-Bench-101)": "0.907", "ours (NAS-Bench-Graph, Cora)": best_metrics["tau"]},
    {"quantity": "EGraph top-50% tau", "thesis (NAS-Bench-101)": "0.853",
     "ours (NAS-Bench-Graph, Cora)": best_metrics.get("top50_tau")},
    {"quantity": "best readout", "thesis (NAS-Bench-101)": "max pooling",
     "ours (NAS-Bench-Graph, Cora)": frame.groupby("readout")["fitness"].mean().idxmax()},
])
comparison""",
    """md:
The table puts our results beside the published ones. They differ in setting -- another
benchmark (GNN cells on Cora rather than NAS-Bench-101 CNN cells), with its own score spread
and noise -- and, with the small budget, in scale: a few dozen architectures, a handful of GCNs
with 8 filters trained for one epoch, ReNAS for 5 epochs. At that size the taus are close to
chance and say nothing about which predictor is better; the full budget follows the chapter's
settings (500 architectures, P = 100, S = 25, 300 filters) and takes hours on a CPU. Note
also that, as in the chapter, the held-out set that scores each GCN is also what selects the
best one, so the best tau is optimistic.""",
]

CH8 = [
    """md:
# Chapter 8 -- data-parallel DARTS

The chapter asks whether DARTS can be sped up by data parallelism without changing what it
finds. Algorithm 1 lets each worker search on its own shard and *averages weights and
architecture parameters once per epoch*; Algorithm 2 (the conventional one) all-reduces the
gradients every step. It compares the cells derived with 1, 2 and 4 workers by graph edit
distance (Kruskal-Wallis across worker counts) and the validation curves by Kolmogorov-Smirnov
tests with Benjamini-Hochberg correction, and reports the speed-up (1.82 on 2 GPUs, 3.18 on 4).

This notebook runs the serial search and Algorithm 1 on 2 local worker processes (and one
Algorithm-2 run) on the digits data, then the consistency analysis and a short training of the
derived network. With `DATA_ROOT`, Fashion-MNIST is used as in the thesis. To run the workers on
MPI engines instead, pass `cluster=env` inside `with nasnb.Cluster(n=2) as env:`.

Each data-parallel worker uses one torch thread; keep `THREADS = 1` for the serial baseline
too (the small budget does) so that the speed-up compares like with like.""",
    """params:
import os

BUDGET = os.environ.get("NASNB_BUDGET", "full")
SEED = 0
if BUDGET == "small":
    CHANNELS, LAYERS, EPOCHS, PERCENTAGE = 4, 2, 2, 0.2
    SEEDS, WORKERS = (0, 1), (1, 2)
    FINAL_CHANNELS, FINAL_LAYERS, FINAL_EPOCHS = 4, 2, 1
    GED_TIMEOUT = 1.0        # seconds per exact graph edit distance (then the best bound found)
else:
    CHANNELS, LAYERS, EPOCHS, PERCENTAGE = 16, 8, 50, 1.0        # the thesis' search settings
    SEEDS, WORKERS = (0, 1, 2, 3), (1, 2, 4)                       # 4 workers need 4 cores or GPUs
    FINAL_CHANNELS, FINAL_LAYERS, FINAL_EPOCHS = 36, 20, 100
    GED_TIMEOUT = 60.0""",
    """DATA_ROOT = os.environ.get("NASNB_DATA_ROOT") or None   # set to a folder with Fashion-MNIST to use it""",
    """import dataclasses
import time
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import networkx as nx
import nasnb
from nasnb.darts import (DartsConfig, cell_graph, darts_consistency_report, darts_parallel, darts_registry,
                         darts_search, genotype_to_descriptor)

DATASET = "fashion-mnist" if DATA_ROOT else "digits"
base = DartsConfig(dataset=DATASET, channels=CHANNELS, layers=LAYERS, epochs=EPOCHS, percentage=PERCENTAGE)
base""",
    """md:
## Searches: serial and Algorithm 1 with several workers, several seeds""",
    """results, seconds = {}, {}
for workers in WORKERS:
    for seed in SEEDS:
        config = dataclasses.replace(base, seed=seed)
        start = time.perf_counter()
        if workers == 1:
            result = darts_search(config)
        else:
            result = darts_parallel(config, workers=workers, algorithm="algorithm1")[0]
        seconds.setdefault(workers, []).append(time.perf_counter() - start)
        results.setdefault(workers, []).append(result)
start = time.perf_counter()
algorithm2 = darts_parallel(dataclasses.replace(base, seed=SEEDS[0]), workers=max(WORKERS), algorithm="algorithm2")[0]
algorithm2_seconds = time.perf_counter() - start

runs = pd.DataFrame([{"workers": w, "seed": s, "final val accuracy": r.val_accuracy[-1],
                      "mean epoch seconds": np.mean(r.epoch_seconds), "all-reduce calls": r.allreduce_calls,
                      "wall seconds": t}
                     for w in results for s, r, t in zip(SEEDS, results[w], seconds[w])])
runs.loc[len(runs)] = {"workers": max(WORKERS), "seed": SEEDS[0], "final val accuracy": algorithm2.val_accuracy[-1],
                       "mean epoch seconds": np.mean(algorithm2.epoch_seconds),
                       "all-reduce calls": algorithm2.allreduce_calls, "wall seconds": algorithm2_seconds}
runs["algorithm"] = ["serial" if w == 1 else "algorithm 1" for w in runs["workers"][:-1]] + ["algorithm 2"]
runs""",
    """fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for workers, group in results.items():
    for r in group:
        axes[0].plot(range(1, len(r.val_accuracy) + 1), r.val_accuracy, color=f"C{WORKERS.index(workers)}",
                     label=f"{workers} worker(s)")
handles, labels = axes[0].get_legend_handles_labels()
axes[0].legend(dict(zip(labels, handles)).values(), dict(zip(labels, handles)).keys())
axes[0].set_xlabel("epoch"); axes[0].set_ylabel("validation accuracy")
g = cell_graph(results[WORKERS[0]][0].genotype, "normal")
nx.draw_networkx(g, pos=nx.kamada_kawai_layout(g), ax=axes[1], node_size=500, font_size=8)
nx.draw_networkx_edge_labels(g, pos=nx.kamada_kawai_layout(g), ax=axes[1], font_size=7,
                             edge_labels={(u, v): d.get("op", d.get("type", "")) for u, v, d in g.edges(data=True)})
axes[1].set_title("normal cell, serial search, first seed"); axes[1].axis("off")
fig.tight_layout()""",
    """md:
## Consistency: graph edit distances and KS tests""",
    """report = darts_consistency_report(results, first_epoch=0, ged_timeout=GED_TIMEOUT)
ged = report.ged
fig, ax = plt.subplots(figsize=(7, 4))
ged.boxplot(column="ged", by=["cell", "pair"], ax=ax, rot=30)
ax.set_ylabel("graph edit distance"); fig.suptitle("")
display(ged.groupby(["cell", "pair"])["ged"].describe()[["count", "mean", "min", "max"]])
pd.DataFrame(report.kruskal).T""",
    """report.ks""",
    """md:
## Training the derived network""",
    """final = genotype_to_descriptor(results[WORKERS[0]][0].genotype, (1, 8, 8) if DATASET == "digits" else (1, 28, 28),
                               channels=FINAL_CHANNELS, layers=FINAL_LAYERS)
from nasnb.data import default_datasets
datasets = default_datasets()
datasets.add_dataset(dataclasses.replace(datasets.get(DATASET), name="darts-final", head="linear"))
trainer = nasnb.LocalEvaluator("SGD", {"lr": 0.025, "momentum": 0.9}, batch_size=64, datasets=datasets,
                               layer_registry=darts_registry())
final_result = trainer.descriptor_evaluate(final, FINAL_EPOCHS, "darts-final", seed=SEED)
final_result""",
    """serial_epoch = runs[runs["algorithm"] == "serial"]["mean epoch seconds"].mean()
rows = []
for workers in WORKERS[1:]:
    parallel_epoch = runs[(runs["algorithm"] == "algorithm 1") & (runs["workers"] == workers)]["mean epoch seconds"].mean()
    rows.append({"workers": workers, "speed-up (epoch time)": serial_epoch / parallel_epoch})
results_table = pd.DataFrame(rows).set_index("workers")
results_table["mean final val accuracy"] = runs[runs["algorithm"] == "algorithm 1"].groupby("workers")["final val accuracy"].mean()
results_table.loc[1] = [1.0, runs[runs["algorithm"] == "serial"]["final val accuracy"].mean()]
results_table.sort_index()""",
    """md:
## Our numbers next to the thesis'""",
    """published = {2: 1.82, 4: 3.18}
comparison = pd.DataFrame([{"workers": w, "thesis speed-up (GPUs)": published.get(w),
                            "our speed-up (CPU processes)": results_table.loc[w, "speed-up (epoch time)"]}
                           for w in WORKERS[1:]])
kw_p = {cell: v.get("pvalue") for cell, v in report.kruskal.items()}
comparison["Kruskal-Wallis p (GED across worker counts)"] = [kw_p] * len(comparison)
comparison""",
    """md:
The table puts our speed-ups beside the published GPU ones. On a 2-core CPU machine with the
small budget (a 2-cell supernet with 4 channels on 20 % of the 8x8 digits for 2 epochs) the
workers compete for the same cores and the per-epoch work is tiny next to process start-up and
communication, so the speed-up is not expected to reach the thesis' values and may be below 1.
The GED and KS analysis runs on whatever runs were made; with two seeds per worker count its
tests have almost no power, which is why the full budget uses four seeds and 50 epochs.""",
]
