# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 6 -- zero-cost proxies against reduced training
#
# **Goal.** Lesson 3 judged a cheap proxy -- training for fewer epochs -- by how well it ranks
# architectures (Kendall's tau). *Zero-cost* proxies go further: they score a network once, at
# initialisation, without training it (Abdelfattah et al., ICLR 2021). Synflow, the best known, does
# not even look at data. Are they as good as a short training, and what do they cost?
#
# Exercises are marked **Exercise**: write your answer under `# Your answer` (replace the `...`)
# and run the cell; its `check(...)` says whether it is right and, if not, gives a hint.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (its numbers only show that the code
# runs), `medium` (the default) gives real numbers (a few minutes on a CPU, estimated), `full`
# trains more networks for longer (tens of minutes, estimated).

# %% [markdown] tags=["teacher"]
# ## Teacher notes (solution edition only)
#
# **Goals.** Students can (1) compute synflow by hand on a tiny network and say why it needs no
# data; (2) score real networks with `nasnb.proxies` and compare their ranking with a reduced
# training by Kendall's tau *with its standard error*; (3) name the baseline every zero-cost proxy
# must beat (the parameter count).
#
# **Timing (40 min).** Exercise 6.1 on the board 10 min; Exercise 6.2 5 min; the scoring and
# training cell with the table and the chart 15 min; Exercise 6.3 and discussion 10 min.
#
# **Common mistakes.**
# * 6.1: forgetting the absolute values (synflow makes every weight positive), or counting only
#   one layer: every conv/linear layer contributes, and in a chain each contributes R.
# * 6.2: "snip" -- SNIP needs a minibatch *and* labels (it differentiates the loss).
# * 6.3: "synflow" -- on NAS-Bench-201 the parameter count alone gives Spearman ρ ≈ 0.70 against
#   0.73 for synflow (`benchmarks/results/proxies.md`); the proxy earns little over counting.
# * Comparing taus without their standard errors: with 12 networks (`medium`) the bootstrap error
#   is about 0.15.
#
# **In a lab of N students.** The scoring and training cell trains `2 x N_ARCHITECTURES` small
# networks and scores them with four proxies (a few minutes on one core at `medium`). On a shared
# server keep one torch thread per student; with more students than cores, let half the class use
# `small` and compare their (noisier) taus with the other half's.

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
SIZES = {
    "small": {"n_architectures": 5, "proxy_epochs": 1, "full_epochs": 3},
    "medium": {"n_architectures": 12, "proxy_epochs": 1, "full_epochs": 8},
    "full": {"n_architectures": 30, "proxy_epochs": 1, "full_epochs": 20},
}[BUDGET]
N_ARCHITECTURES = SIZES["n_architectures"]
PROXY_EPOCHS = SIZES["proxy_epochs"]
FULL_EPOCHS = SIZES["full_epochs"]

# %%
import torch

torch.set_num_threads(1)

# %%
import numpy as np
import pandas as pd
# %matplotlib inline
import nasnb
import nasnb.viz
from nasnb.analysis import bootstrap_tau
from nasnb.classroom import check
from nasnb.classroom.lesson06 import CHAIN_W1, CHAIN_W2
from nasnb.proxies import ProxyEvaluator

# %% [markdown]
# ## Synflow by hand
#
# Synflow (Tanaka et al. 2020; as a proxy, Abdelfattah et al. 2021) replaces every weight θ by |θ|,
# removes batch norm, feeds an input of **ones** and back-propagates R = the sum of the outputs.
# The score is the sum over all convolution and linear weights of |θ · ∂R/∂θ|.
#
# **Exercise 6.1** A network of two linear layers without bias, 3 inputs → 2 units (ReLU) → 1
# output, has the weights `CHAIN_W1` (2×3) and `CHAIN_W2` (1×2). What is its synflow score? (With
# positive weights and a positive input the ReLU does nothing: R = |W2| |W1| (1, 1, 1)ᵀ, and R is
# linear in each layer's weights.)

# %%
print("CHAIN_W1 =", CHAIN_W1)
print("CHAIN_W2 =", CHAIN_W2)

# %%
# Your answer
### BEGIN SOLUTION
r = float((np.abs(np.array(CHAIN_W2)) @ np.abs(np.array(CHAIN_W1)) @ np.ones(3)).sum())
chain_score = 2 * r   # each of the two layers contributes sum |theta dR/dtheta| = R
### END SOLUTION
check("06.chain", chain_score)

# %% [markdown]
# **Exercise 6.2** Which of these proxies needs no data at all -- neither images nor labels:
# `"synflow"`, `"snip"`, `"grasp"`, `"naswot"` or `"jacob_cov"`?

# %%
# Your answer
### BEGIN SOLUTION
data_free = "synflow"
### END SOLUTION
check("06.data_free", data_free)

# %% [markdown]
# ## Zero-cost proxies against one epoch of training
#
# Score the same networks with every proxy of `nasnb.proxies` (one minibatch of 64 digits, at
# initialisation) and train them for `PROXY_EPOCHS` and `FULL_EPOCHS` epochs. Which ranking agrees
# best with the full training, and what does each cost?

# %%
space = nasnb.layer_choice_space(8, initial_layers=3)
rng = np.random.default_rng(SEED)
descriptors = [space.to_descriptor(space.sample(rng)) for _ in range(N_ARCHITECTURES)]
evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64)
short = [evaluator.descriptor_evaluate(d, PROXY_EPOCHS, "digits", seed=SEED) for d in descriptors]
full = [evaluator.descriptor_evaluate(d, FULL_EPOCHS, "digits", seed=SEED).fitness for d in descriptors]
zero_cost = ProxyEvaluator(("synflow", "snip", "naswot", "params"), fitness="params", dataset="digits")
scored = [zero_cost.descriptor_evaluate(d, seed=SEED) for d in descriptors]
scores = pd.DataFrame([r.metrics for r in scored]).drop(columns="proxy_seconds")
scores[f"{PROXY_EPOCHS} epoch"] = [r.fitness for r in short]
rows = {}
for name in scores:
    ok = scores[name].notna().to_numpy()   # a proxy that could not score a network leaves it out
    b = bootstrap_tau(scores[name][ok], np.array(full)[ok], n_resamples=200, seed=SEED)
    seconds = np.mean([r.total_time for r in short]) if "epoch" in name else np.mean(
        [r.metrics["proxy_seconds"] for r in scored]) / 4
    rows[name] = {"tau": b.estimate, "std error": b.std_error, "seconds per network": seconds, "networks": ok.sum()}
table = pd.DataFrame(rows).T
table

# %%
fig, ax = nasnb.viz.subplots(figsize=(5.5, 4))
ax.errorbar(table["seconds per network"], table["tau"], yerr=table["std error"], fmt="o", capsize=3)
for name, row in table.iterrows():
    ax.annotate(name, (row["seconds per network"], row["tau"]), textcoords="offset points", xytext=(4, 3))
ax.set_xscale("log")
ax.set_xlabel("seconds per network (log)"); ax.set_ylabel(f"Kendall tau vs {FULL_EPOCHS} epochs")
fig

# %% [markdown]
# **Exercise 6.3** Every zero-cost proxy must beat a ranking that costs nothing and needs no
# gradient at all. Which one: `"params"`, `"synflow"`, `"accuracy"` or `"epochs"`?

# %%
# Your answer
### BEGIN SOLUTION
baseline = "params"
### END SOLUTION
check("06.baseline", baseline)
