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
# # Lesson 1 -- search spaces and descriptors
#
# **Goal.** See a neural network as *data*: a graph of layers and connections (a descriptor)
# that a builder turns into a working PyTorch model. Then see a *search space* as a set of such
# graphs with a way to sample and to change them.
#
# Exercises are marked **Exercise**: write your answer under `# Your answer` (replace the `...`)
# and run the cell; its `check(...)` says whether it is right and, if not, gives a hint.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (about 13 s, measured; its numbers only show
# that the code runs), `medium` (the default) gives real numbers (about 13 s on 2 shared CPU cores, measured), `full` trains longer and searches more (tens of minutes on a CPU, estimated).

# %% [markdown] tags=["teacher"]
# ## Teacher notes (solution edition only)
#
# **Goals.** Students can (1) write a descriptor by hand, sequential and branched; (2) say what
# the builder adds (merge layers for multi-input nodes, a dense head); (3) describe a search space
# as *sample + mutate + to_descriptor*.
#
# **Timing (45 min).** Descriptor and editor 10 min; Exercise 1.1 5 min; builder and training
# 10 min; Exercise 1.2 10 min; search space and Exercise 1.3 10 min.
#
# **Common mistakes.**
# * 1.1: layers added with `add_layer` but never connected (no `connect_layers`, or forgetting
#   that `add_layer_sequential` is what connects); a wrong order (ReLU first).
# * 1.2: a "skip" that does not skip -- two parallel edges between the same pair, or a merge
#   into the *input* layer; forgetting `set_input` / `set_output` after `add_layer`. Channel
#   counts need not match: the builder's MVS merge resizes and sums, which is worth pointing out.
# * 1.3: counting only convolutions (6) -- pools are choices too.
#
# **In a lab of N students.** Each student needs one core for under a minute at `medium`
# (`THREADS = 1`); on a shared JupyterHub with C cores, N up to about 2C works if students start
# the training cells at different times. With more students, or on old laptops, set
# `NASNB_BUDGET=small` for the whole class: the numbers are then only a smoke test, but every
# exercise works the same. The editor's *Train on digits* button trains for `EPOCHS` epochs.

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
SIZES = {
    "small": {"epochs": 1, "threads": 1},
    "medium": {"epochs": 5, "threads": 1},
    "full": {"epochs": 10, "threads": None},
}[BUDGET]
EPOCHS = SIZES["epochs"]
THREADS = SIZES["threads"]   # torch threads: 1 is fastest for the small networks of small/medium; None keeps torch's default

# %%
import torch

if THREADS:
    torch.set_num_threads(THREADS)

# %%
import numpy as np
# %matplotlib inline
import nasnb
import nasnb.viz
from nasnb.classroom import check, hint, solved

# %% [markdown]
# ## A descriptor
#
# Layers are named and typed (`"nn.Conv2d"` is `torch.nn.Conv2d`); parameters are plain values.

# %%
d = nasnb.NeuralDescriptor()
d.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1}, "conv")
d.add_layer("nn.ReLU", {}, "relu")
d.connect_layers("conv", "relu")
d.set_input("conv"); d.set_output("relu")
print(d.layers)
print(d.connections)
nasnb.plot_architecture(d)

# %% [markdown]
# **Play with it.** The editor below holds a copy of `d`. Click a layer to select it (click a
# second one to pick a connection's destination), choose a layer type and press *Insert after*,
# *Connect*, *Remove* or *Mutate*. Errors (a cycle, no path from input to output, a bad
# parameter) are listed at once; otherwise you see the network that is really built, with the
# merge layers the builder inserts, and its parameter count. *Train on digits* trains it.

# %%
from nasnb.viz import ArchitectureEditor

ArchitectureEditor(d, epochs=EPOCHS, seed=SEED)

# %% [markdown]
# **Exercise 1.1** Build a descriptor `my_chain` with three layers in this order:
# `nn.Conv2d` (1 -> 8 channels, kernel 3, padding 1), `nn.ReLU`, `nn.MaxPool2d` (kernel 2).
# Tip: `add_layer_sequential(type, params)` connects each new layer to the previous one.

# %%
# Your answer
### BEGIN SOLUTION
my_chain = nasnb.NeuralDescriptor()
my_chain.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 8, "kernel_size": 3, "padding": 1})
my_chain.add_layer_sequential("nn.ReLU", {})
my_chain.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
### END SOLUTION
check("01.sequential", my_chain)

# %% [markdown]
# ## From descriptor to network
#
# `build_network` compiles the graph for an input shape (here 1x8x8 digits) and adds a dense
# head. When a layer has several inputs of different shapes, they are merged (resized and summed:
# the *Minimum Viable Size* policy).

# %%
if solved("01.sequential", my_chain):   # runs once exercise 1.1 is answered
    net = nasnb.build_network(my_chain, (1, 8, 8), 10)
    print(net.summary())
    result = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64).descriptor_evaluate(my_chain, EPOCHS, "digits",
                                                                                          seed=SEED)
    display(result)

# %% [markdown]
# **Exercise 1.2** Make a descriptor `my_skip` with a *skip connection*: a layer that receives two
# inputs, one of which bypasses another layer. It must build for 1x8x8 inputs.

# %%
# Your answer
### BEGIN SOLUTION
my_skip = nasnb.NeuralDescriptor()
my_skip.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1}, "a")
my_skip.add_layer("nn.ReLU", {}, "b")
my_skip.add_layer("nn.Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}, "c")
my_skip.connect_layers("a", "b")
my_skip.connect_layers("b", "c")
my_skip.connect_layers("a", "c")   # the skip
my_skip.set_input("a"); my_skip.set_output("c")
### END SOLUTION
check("01.skip", my_skip)

# %% [markdown]
# The network the builder really makes from `my_skip`: where a layer has two inputs, a merge
# layer (resize and sum) appears.

# %%
if solved("01.skip", my_skip):   # runs once exercise 1.2 is answered
    display(nasnb.plot_realised(my_skip, (1, 8, 8), 10))

# %% [markdown]
# ## A search space
#
# The thesis' chapter-6 *global* space: a genome whose layer genes pick one of a fixed set of
# layer choices, and whose connection genes can be enabled or disabled. `sample` draws a random
# member; `mutate` changes one gene; `to_descriptor` gives the network.

# %%
space = nasnb.layer_choice_space(8, initial_layers=3)
rng = np.random.default_rng(SEED)
members = [space.sample(rng) for _ in range(3)]
child = space.mutate(members[0], rng)
layout = nasnb.SharedLayout().fit([space.to_descriptor(g) for g in members + [child]])
fig, axes = nasnb.viz.subplots(2, 2, figsize=(12, 2.8))
for ax, g, title in zip(axes.flat, members + [child], ["sample 1", "sample 2", "sample 3", "mutated sample 1"]):
    nasnb.plot_architecture(space.to_descriptor(g), layout, ax=ax); ax.set_title(title)
fig

# %% [markdown]
# **Exercise 1.3** How many layer choices does this global space have? (Count them, or find them
# in `nasnb.genomes`.)

# %%
# Your answer
### BEGIN SOLUTION
from nasnb.genomes import LAYER_CHOICES
print(LAYER_CHOICES)
n_choices = len(LAYER_CHOICES)
### END SOLUTION
check("01.choices", n_choices)
