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
# # nasnb in ten minutes
#
# Describe a network, build it, train and test it, search for a better one and plot what the
# search did -- first on this machine, then on a 2-engine MPI cluster by changing **one line**.
# Everything runs on data embedded in the installed packages (scikit-learn's 8x8 digits), so no
# download is needed.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (about 69 s, measured; its numbers only show
# that the code runs), `medium` (the default) gives real numbers (about 1.7 min on 2 shared CPU cores, measured), `full` trains longer and searches more (tens of minutes on a CPU, estimated).

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
ENGINES = 2
SIZES = {
    "small": {"epochs": 1, "percentage": 1.0, "channels": 8, "population": 4, "sample": 2, "evaluations": 6,
        "threads": 1},
    "medium": {"epochs": 5, "percentage": 1.0, "channels": 16, "population": 10, "sample": 3,
        "evaluations": 30, "threads": 1},
    "full": {"epochs": 20, "percentage": 1.0, "channels": 32, "population": 20, "sample": 5,
        "evaluations": 100, "threads": None},
}[BUDGET]
EPOCHS = SIZES["epochs"]
PERCENTAGE = SIZES["percentage"]
CHANNELS = SIZES["channels"]
POPULATION = SIZES["population"]
SAMPLE = SIZES["sample"]
EVALUATIONS = SIZES["evaluations"]
THREADS = SIZES["threads"]   # torch threads: 1 is fastest for the small networks of small/medium; None keeps torch's default

# %%
import torch

if THREADS:
    torch.set_num_threads(THREADS)

# %%
import time
import matplotlib.pyplot as plt
import pandas as pd
import nasnb

# %% [markdown]
# ## 1. Describe
#
# A `NeuralDescriptor` is the network as data: layers (a type and its parameters) and
# connections. Torch layers are written `"nn.<Class>"`. `add_layer_sequential` connects each new
# layer to the previous one; `connect_layers` adds any other edge -- here a skip connection.

# %%
d = nasnb.NeuralDescriptor()
d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 8, "kernel_size": 3, "padding": 1}, "conv1")
d.add_layer_sequential("nn.ReLU", {}, "relu1")
d.add_layer_sequential("nn.Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1}, "conv2")
d.add_layer_sequential("nn.ReLU", {}, "relu2")
d.connect_layers("relu1", "relu2")  # skip connection: relu2 now merges two inputs
d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2}, "pool")
d.validate()
print(d, d.connections)
nasnb.plot_architecture(d)

# %% [markdown]
# ## 2. Build
#
# `build_network` compiles the descriptor for an input shape (no batch dimension) and a number of
# outputs. Layers with several inputs are merged by the *Minimum Viable Size* policy, and the
# thesis' fixed dense head is appended.

# %%
net = nasnb.build_network(d, (1, 8, 8), 10)
print(net.summary())
print("parameters:", net.num_parameters())

# %% [markdown]
# ## 3. Evaluate
#
# An evaluator trains and tests a descriptor and returns an `EvaluationResult`
# (`loss, metrics, total_time` plus `fitness` and `status`). The optimizer is chosen when the
# evaluator is made; the seed makes the run repeatable.

# %%
evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64)
result = evaluator.descriptor_evaluate(d, EPOCHS, "digits", percentage=PERCENTAGE, seed=SEED)
loss, metrics, total_time = result
print(f"loss {loss:.3f}  accuracy {metrics['accuracy']:.3f}  in {total_time:.1f} s  ({result.status})")

# %% [markdown]
# ## 4. Search
#
# The chapter-6 global space has twelve layer choices (convolutions with kernel 2/3/5 and half or
# all of a fixed channel count, average/max pooling). Regularized evolution samples `SAMPLE`
# individuals, mutates the best, adds the child and removes the oldest. `workers=2` asks two
# children per cycle, so that two engines can train them at the same time later.

# %%
space = nasnb.layer_choice_space(CHANNELS, initial_layers=2)
evaluate_kwargs = {"epochs": EPOCHS, "dataset": "digits", "percentage": PERCENTAGE, "seed": SEED}

start = time.perf_counter()
local = nasnb.RegularizedEvolution(space, POPULATION, SAMPLE, seed=SEED, workers=2).run(
    evaluator, EVALUATIONS, evaluate_kwargs=evaluate_kwargs, progress=True)
local_seconds = time.perf_counter() - start
print(f"{len(local.fitness)} evaluations in {local_seconds:.1f} s; best accuracy {local.best.fitness:.3f}")
local.to_dataframe().head()

# %% [markdown]
# ## 5. Plot
#
# Best-so-far progress, and the best architecture found (drawn on a fixed layout, so two
# architectures can be compared by eye).

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
nasnb.plot_progress({"regularized evolution": local}, ax=axes[0])
layout = nasnb.SharedLayout()
nasnb.plot_architecture(space.to_descriptor(local.best.candidate), layout, ax=axes[1])
fig.tight_layout()

# %% [markdown]
# ## 6. The same search on a 2-engine MPI cluster
#
# `nasnb.Cluster(n=2)` starts two MPI engines (ipyparallel + mpi4py) and shuts them down when the
# `with` block ends, even on error. The only change to the search is `executor=env`. Because the
# search tells results in the order it asked for them, the same seed gives the same search.

# %%
start = time.perf_counter()
with nasnb.Cluster(n=ENGINES) as env:
    distributed = nasnb.RegularizedEvolution(space, POPULATION, SAMPLE, seed=SEED, workers=2).run(
        evaluator, EVALUATIONS, evaluate_kwargs=evaluate_kwargs, executor=env, progress=True)   # <- the one changed line: executor=env
    one = env.descriptor_evaluate(d, EPOCHS, "digits", percentage=PERCENTAGE, seed=SEED)
cluster_seconds = time.perf_counter() - start
print(f"cluster: {cluster_seconds:.1f} s including engine start-up; the hand-written net scored {one.fitness:.3f} there")

# %%
comparison = pd.DataFrame({"local": local.fitness, "cluster": distributed.fitness})
comparison["same"] = (comparison["local"] - comparison["cluster"]).abs() < 1e-6
print(f"{comparison['same'].mean():.0%} of the evaluations match between the local and the cluster run")
comparison

# %% [markdown]
# ## 7. Explore and edit
#
# `StudyExplorer` charts the search (hover, legend); **click a point** and the inspector
# below shows that evaluation's architecture, its genome's chromosomes and its metrics. Switch
# to the ECDF or to parameters vs accuracy with the buttons above the chart.
#
# `ArchitectureEditor` opens the hand-written network of section 1: click layers to select
# them, then insert, remove, connect or mutate; validation errors, the realised network and
# its parameter count follow every change, and *Train on digits* trains it with a progress bar.
# Where no kernel runs (GitHub, the docs) both show a static picture instead.

# %%
from nasnb.viz import ArchitectureEditor, StudyExplorer

StudyExplorer({"regularized evolution": local}, space=space)

# %%
editor = ArchitectureEditor(d, epochs=EPOCHS, evaluator=evaluator, seed=SEED)
editor

# %% [markdown]
# ## Where next
#
# * `03_framework.ipynb` ... `08_darts.ipynb` reproduce the thesis chapters one by one.
# * `classroom/` holds five short lessons with checked exercises.
# * Add `study=nasnb.ExperimentStore("runs.db").create_study("name", config)` to `run(...)` to
#   record every evaluation in SQLite and resume an interrupted search.
