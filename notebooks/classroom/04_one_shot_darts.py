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
# # Lesson 4 -- one-shot search: DARTS on a tiny supernet
#
# **Goal.** Lessons 2 and 3 evaluated every candidate on its own. A *one-shot* search trains
# **one** network, the *supernet*, that contains every candidate at once: on each edge of a cell
# all eight operations run side by side and their outputs are mixed with softmax weights α, the
# *architecture parameters*. DARTS (differentiable architecture search) learns the ordinary
# weights on one half of the training data and α on the other half, both by gradient descent,
# then *derives* a discrete cell -- on each edge the strongest operation (never `zero`), and for
# each node its two strongest edges -- and trains that network from scratch.
#
# Exercises are marked **Exercise**: write your answer under `# Your answer` (replace the `...`)
# and run the cell; its `check(...)` says whether it is right and, if not, gives a hint.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (about 15 s on 2 CPU cores,
# measured; a supernet of 2 cells with 4 channels searched for 2 epochs, so α barely move and the
# supernet's accuracy means nothing), `medium` (the default) gives real numbers (about 59 s on 2 shared CPU cores, measured), `full` uses the thesis' search settings (8 cells, 16 channels, 50
# epochs: hours on a CPU).

# %% [markdown] tags=["teacher"]
# ## Teacher notes (solution edition only)
#
# **Goals.** Students can (1) explain weight sharing: one supernet holds every candidate, and α
# are trained by gradient descent like weights; (2) count the edges of a cell and the cells DARTS
# can derive -- and so see why training every candidate is out of the question; (3) derive a
# cell from α by hand (strongest non-`zero` operation per edge, two strongest edges per node);
# (4) tell the supernet's accuracy from the derived network's (which must be retrained).
#
# **Timing (45 min).** Supernet and Exercises 4.1-4.2 10 min; the search (seconds at `small`,
# about 1 min at `medium`) and the α plot 10 min; Exercise 4.3 and the derivation table
# 10 min; retraining and discussion 15 min.
#
# **Common mistakes.**
# * 4.1: counting 2 edges per node (only the cell inputs) or all pairs of nodes; node i also
#   takes every *earlier* node, so 2 + 3 + 4 + 5 = 14 for 4 nodes.
# * 4.2: counting `zero` as an operation (8 instead of 7 choices per edge); ordering the two
#   kept edges (they are a set: `comb`, not `perm`); adding instead of multiplying over nodes.
# * 4.3: `argmax` over all eight weights -- on `ALPHA_ROWS` two edges have `zero` strongest,
#   which DARTS never keeps; returning the index instead of the name. Applying softmax first is
#   harmless but unnecessary (it keeps the order).
# * Reading the supernet's low accuracy as the derived network's: the supernet mixes eight
#   operations per edge with weights that are still nearly uniform, and is scored while its
#   BatchNorm statistics are those of the mixture.
#
# **In a lab of N students.** The search and the retraining use one core (`THREADS = 1`): about
# 15 s at `small`, 1.5 min at `medium`. On a shared server with C cores, N up to about 2C can run
# `medium` if the search cells are started a few minutes apart; otherwise run `small` in class
# and `medium` as homework. `full` (the thesis' search on digits) is for a GPU or an evening.
#
# **Answers to the discussion.** With so few epochs α stay close to uniform and the derived cell
# depends on the seed as much as on the data -- run two seeds and compare their genotypes (at
# `medium` the largest |α| is about 0.03, every softmax weight within about 0.004 of 1/8). The derived
# network, trained from scratch, is better than the supernet (at `medium` about 0.99 against
# 0.93 validation accuracy): the supernet is scored as a mixture whose weights were shared by
# eight operations per edge, which is why DARTS reports only the retrained network. Weight sharing is what makes the search cost one
# training instead of `n_cells ** 2`.

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
SIZES = {
    "small": {"channels": 4, "layers": 2, "nodes": 2, "epochs": 2, "percentage": 0.3, "batch_size": 32,
              "final_channels": 8, "final_layers": 2, "final_epochs": 2, "threads": 1},
    "medium": {"channels": 8, "layers": 2, "nodes": 3, "epochs": 10, "percentage": 0.5, "batch_size": 32,
               "final_channels": 16, "final_layers": 3, "final_epochs": 10, "threads": 1},
    "full": {"channels": 16, "layers": 8, "nodes": 4, "epochs": 50, "percentage": 1.0, "batch_size": 64,
             "final_channels": 36, "final_layers": 20, "final_epochs": 100, "threads": None},
}[BUDGET]
CHANNELS = SIZES["channels"]   # the supernet: thesis 16 channels, 8 cells, 4 intermediate nodes per cell
LAYERS = SIZES["layers"]
NODES = SIZES["nodes"]
EPOCHS = SIZES["epochs"]
PERCENTAGE = SIZES["percentage"]   # share of the training set used by the search
BATCH_SIZE = SIZES["batch_size"]
FINAL_CHANNELS = SIZES["final_channels"]   # the derived network, retrained from scratch (thesis: 36 x 20 cells)
FINAL_LAYERS = SIZES["final_layers"]
FINAL_EPOCHS = SIZES["final_epochs"]
THREADS = SIZES["threads"]   # torch threads: 1 is fastest for the small networks of small/medium; None keeps torch's default

# %%
import torch

if THREADS:
    torch.set_num_threads(THREADS)

# %%
import dataclasses
import math
import time
import numpy as np
import pandas as pd
# %matplotlib inline
import nasnb
import nasnb.viz
from nasnb.darts import (PRIMITIVES, DartsConfig, Supernet, darts_registry, darts_search,
                         genotype_to_descriptor)
from nasnb.classroom import check, hint, solved, ALPHA_ROWS

DATASET = "digits"          # this lesson always uses the embedded 8x8 digits (DATA_ROOT is not used)
INPUT_SHAPE = (1, 8, 8)

# %% [markdown]
# ## The supernet
#
# A cell has two inputs (the outputs of the two previous cells, `c(k-2)` and `c(k-1)`) and
# `NODES` intermediate nodes. Every node sums one *mixed edge* from each input and from each
# earlier node; a mixed edge runs all the operations of `PRIMITIVES` and adds their outputs
# weighted by the softmax of that edge's row of α. *Normal* cells keep the image size;
# *reduction* cells halve it, and have their own α.

# %%
supernet = Supernet(INPUT_SHAPE, 10, channels=CHANNELS, layers=LAYERS, nodes=NODES)
print("operations on every edge:", PRIMITIVES)
print(f"alphas_normal: {tuple(supernet.alphas_normal.shape)} (edges x operations), "
      f"alphas_reduce: {tuple(supernet.alphas_reduce.shape)}")
print(f"{sum(p.numel() for p in supernet.weight_parameters())} weights, "
      f"{sum(p.numel() for p in supernet.arch_parameters())} architecture parameters")

# %% [markdown]
# **Exercise 4.1** How many mixed edges does a cell with **4** intermediate nodes (the thesis'
# setting) have? (The supernet above has `NODES` of them: check your reasoning on its shape
# first.)

# %%
# Your answer
### BEGIN SOLUTION
n_edges = sum(2 + i for i in range(4))   # node i: both cell inputs and the i earlier nodes
### END SOLUTION
check("04.edges", n_edges)

# %% [markdown]
# **Exercise 4.2** After the search, DARTS keeps for each node its two strongest incoming edges,
# each with one operation other than `zero`. How many different cells can it derive when a cell
# has **2** intermediate nodes?

# %%
# Your answer
### BEGIN SOLUTION
ops = len(PRIMITIVES) - 1                 # every operation but 'zero'
n_cells = math.prod(math.comb(2 + i, 2) * ops ** 2 for i in range(2))
### END SOLUTION
check("04.cells", n_cells)

# %% [markdown]
# A network has a normal and a reduction cell, so even this tiny space has about
# `n_cells ** 2` (tens of millions of) networks. Training each for one second would take years;
# the one-shot search trains one supernet.
#
# ## The search

# %%
config = DartsConfig(dataset=DATASET, channels=CHANNELS, layers=LAYERS, nodes=NODES, epochs=EPOCHS,
                     percentage=PERCENTAGE, batch_size=BATCH_SIZE, seed=SEED)
start = time.perf_counter()
result = darts_search(config)
search_seconds = time.perf_counter() - start
print(f"{result.epochs} epochs of {result.steps_per_epoch} steps in {search_seconds:.0f} s")
result.genotype

# %% [markdown]
# Left: the supernet's validation accuracy after each epoch. Right: the learned α of the normal
# cell, one row per edge (red: the edge's mixture favours that operation more than at the start,
# blue: less). A derived edge takes the reddest column of its row -- but not `zero`.

# %%
alphas = np.array(result.alphas_normal)
edge_names = [f"{src} -> node {i}" for i in range(NODES)
              for src in ["c(k-2)", "c(k-1)"] + [f"node {j}" for j in range(i)]]
fig, axes = nasnb.viz.subplots(1, 2, figsize=(13, 0.9 + 0.4 * len(edge_names)),
                               gridspec_kw={"width_ratios": [1, 2]})
epochs = np.arange(1, result.epochs + 1)
axes[0].plot(epochs, result.val_accuracy, marker="o")
axes[0].set_xticks(epochs)
axes[0].set_xlabel("epoch"); axes[0].set_ylabel("supernet validation accuracy")
limit = float(np.abs(alphas).max()) or 1.0
image = axes[1].imshow(alphas, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
axes[1].set_xticks(range(len(PRIMITIVES)), PRIMITIVES, rotation=30, ha="right")
axes[1].set_yticks(range(len(edge_names)), edge_names)
axes[1].set_title("α of the normal cell")
fig.colorbar(image, ax=axes[1], label="α")
fig

# %% [markdown]
# **Exercise 4.3** Write `strongest_op(row)`: given one edge's row of α (eight numbers in the
# order of `PRIMITIVES`), return the name of the operation DARTS keeps on that edge. The check
# tries it on the rows of `ALPHA_ROWS`.

# %%
print(PRIMITIVES)
print(ALPHA_ROWS[0])

# %%
# Your answer
### BEGIN SOLUTION
def strongest_op(row):
    """Name of the operation DARTS keeps on an edge whose α are ``row`` (in PRIMITIVES order)."""
    best = max((k for k, op in enumerate(PRIMITIVES) if op != "zero"), key=lambda k: row[k])
    return PRIMITIVES[best]
### END SOLUTION
check("04.strongest_op", strongest_op)

# %% [markdown]
# Your function on every edge of the searched normal cell, next to what DARTS kept: each node
# keeps the two edges whose strongest operation has the largest softmax weight.

# %%
weights = np.exp(alphas - alphas.max(axis=1, keepdims=True))
weights /= weights.sum(axis=1, keepdims=True)
first_edge = [sum(2 + k for k in range(i)) for i in range(NODES)]
kept = {first_edge[n // 2] + j: op for n, (op, j) in enumerate(result.genotype.normal)}
if solved("04.strongest_op", strongest_op):   # runs once exercise 4.3 is answered
    display(pd.DataFrame({"edge": edge_names,
                          "strongest (yours)": [strongest_op(row) for row in alphas],
                          "its weight": [weights[e, PRIMITIVES.index(strongest_op(row))] for e, row in enumerate(alphas)],
                          "kept by DARTS": [kept.get(e, "") for e in range(len(edge_names))]}))

# %% [markdown]
# ## The derived network
#
# One derived normal cell (the stem and the cell's input adapters are `darts_identity` layers;
# `Identity` layers are the nodes, which sum their inputs):

# %%
nasnb.plot_architecture(genotype_to_descriptor(result.genotype, INPUT_SHAPE, channels=CHANNELS, layers=1))

# %% [markdown]
# The final network stacks `FINAL_LAYERS` derived cells with `FINAL_CHANNELS` channels. It is
# trained **from scratch**: the supernet's weights were trained for the mixture, not for it.

# %%
final = genotype_to_descriptor(result.genotype, INPUT_SHAPE, channels=FINAL_CHANNELS, layers=FINAL_LAYERS)
datasets = nasnb.default_datasets()
datasets.add_dataset(dataclasses.replace(datasets.get(DATASET), name="darts-final", head="linear"))
trainer = nasnb.LocalEvaluator("SGD", {"lr": 0.025, "momentum": 0.9}, batch_size=64, datasets=datasets,
                               layer_registry=darts_registry())
retrained = trainer.descriptor_evaluate(final, FINAL_EPOCHS, "darts-final", seed=SEED)
network = nasnb.build_network(final, INPUT_SHAPE, 10, head="linear", registry=darts_registry())
pd.DataFrame({"validation accuracy": [result.val_accuracy[-1], retrained.fitness],
              "parameters": [sum(p.numel() for p in supernet.weight_parameters()), network.num_parameters()],
              "epochs": [result.epochs, FINAL_EPOCHS]},
             index=["supernet (end of search)", "derived network, retrained"])

# %% [markdown]
# **Discuss.** How much did α move in this search -- would another seed derive the same cell?
# Why is the retrained network so much better than the supernet it came from? What did weight
# sharing save compared with training the `n_cells ** 2` networks of Exercise 4.2?
