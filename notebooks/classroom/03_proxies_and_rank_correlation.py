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
# # Lesson 3 -- proxies and rank correlation
#
# **Goal.** A search does not need a candidate's exact final accuracy, only *which candidate is
# better*. Cheap proxies (fewer epochs, less data) are useful if they rank architectures the same
# way. Kendall's tau measures that agreement: +1 same order, -1 reversed, 0 unrelated.
#
# Exercises are marked **Exercise**: write your answer under `# Your answer` (replace the `...`)
# and run the cell; its `check(...)` says whether it is right and, if not, gives a hint.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (about 19 s, measured; its
# numbers only show that the code runs), `medium` (the default) gives real numbers (about 2 min on 2 shared CPU cores, measured), `full` trains longer and searches more (tens of minutes on a CPU,
# estimated).

# %% [markdown] tags=["teacher"]
# ## Teacher notes (solution edition only)
#
# **Goals.** Students can (1) compute Kendall's tau by hand and with `kendall_tau`; (2) explain
# why rounding (ties) changes it and why tau-b handles ties; (3) judge a cheap proxy against the
# *noise ceiling* -- the tau between two full trainings that differ only in the seed.
#
# **Timing (40 min).** Exercise 3.1 by hand on the board 10 min; Exercise 3.2 5 min; the
# training cell (about 3 min at `medium`) with the scatter plot and the bootstrap table 15 min;
# Exercise 3.3 and discussion 10 min.
#
# **Common mistakes.**
# * 3.1: dividing by the number of *concordant* pairs instead of all 10 pairs; using Pearson's r
#   or Spearman's rho (`scipy.stats.pearsonr`) instead.
# * 3.2: rounding to 2 decimals of a *percent* (nothing changes) instead of whole percents;
#   using tau-a, which ignores ties.
# * 3.3: "epochs" -- more epochs help a proxy, but even two 108-epoch runs disagree; the
#   ceiling is the training noise.
# * Reading one tau without its standard error: with 15 networks (`medium`) the bootstrap
#   error is about 0.15 (0.57 +- 0.15 for the proxy in our run), so "0.6 vs 0.7" is no difference.
#
# **In a lab of N students.** The training cell trains `3 x N_ARCHITECTURES` small networks:
# about 3 min on one core at `medium`. On a shared server give each student `THREADS = 1`; with
# more students than cores, let half the class use `small` and compare their (noisier) taus
# with the other half's.

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
SIZES = {
    "small": {"n_architectures": 5, "proxy_epochs": 1, "full_epochs": 3, "threads": 1},
    "medium": {"n_architectures": 15, "proxy_epochs": 1, "full_epochs": 10, "threads": 1},
    "full": {"n_architectures": 30, "proxy_epochs": 1, "full_epochs": 20, "threads": None},
}[BUDGET]
N_ARCHITECTURES = SIZES["n_architectures"]
PROXY_EPOCHS = SIZES["proxy_epochs"]
FULL_EPOCHS = SIZES["full_epochs"]
THREADS = SIZES["threads"]   # torch threads: 1 is fastest for the small networks of small/medium; None keeps torch's default

# %%
import torch

if THREADS:
    torch.set_num_threads(THREADS)

# %%
import numpy as np
import pandas as pd
# %matplotlib inline
import nasnb
import nasnb.viz
from tqdm.auto import tqdm
from nasnb.analysis import kendall_tau, bootstrap_tau
from nasnb.classroom import check, hint, KENDALL_X, KENDALL_Y, ROUNDING_PROXY, ROUNDING_TRUE

# %% [markdown]
# **Exercise 3.1** Kendall's tau of the two score lists `KENDALL_X` and `KENDALL_Y`?
# (Count concordant minus discordant pairs over all pairs, or use `kendall_tau`.)

# %%
print("KENDALL_X =", KENDALL_X)
print("KENDALL_Y =", KENDALL_Y)

# %%
# Your answer
### BEGIN SOLUTION
tau = kendall_tau(KENDALL_X, KENDALL_Y)
### END SOLUTION
check("03.kendall", tau)

# %% [markdown]
# **Exercise 3.2** Accuracies that differ in the third decimal are often noise. Round both lists
# `ROUNDING_PROXY` and `ROUNDING_TRUE` to whole percents and compute tau-b (which handles ties).

# %%
# Your answer
### BEGIN SOLUTION
tau_rounded = kendall_tau(np.round(np.array(ROUNDING_PROXY) * 100), np.round(np.array(ROUNDING_TRUE) * 100))
### END SOLUTION
check("03.rounded", tau_rounded)

# %% [markdown]
# ## A real proxy: few epochs on digits
#
# Train the same architectures for few and for more epochs and compare the rankings.

# %%
space = nasnb.layer_choice_space(8, initial_layers=3)
rng = np.random.default_rng(SEED)
descriptors = [space.to_descriptor(space.sample(rng)) for _ in range(N_ARCHITECTURES)]
evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64)
proxy = [evaluator.descriptor_evaluate(d, PROXY_EPOCHS, "digits", seed=SEED).fitness
         for d in tqdm(descriptors, desc=f"{PROXY_EPOCHS} epoch(s)")]
full = [evaluator.descriptor_evaluate(d, FULL_EPOCHS, "digits", seed=SEED).fitness
        for d in tqdm(descriptors, desc=f"{FULL_EPOCHS} epochs")]
rerun = [evaluator.descriptor_evaluate(d, FULL_EPOCHS, "digits", seed=SEED + 1).fitness
         for d in tqdm(descriptors, desc=f"{FULL_EPOCHS} epochs, another seed")]
scores = pd.DataFrame({"proxy": proxy, "full": full, "full, another seed": rerun})
scores

# %%
fig, ax = nasnb.viz.subplots(figsize=(5, 4))
ax.scatter(scores["full"], scores["proxy"], label=f"{PROXY_EPOCHS} epoch(s)")
ax.scatter(scores["full"], scores["full, another seed"], marker="x", label="rerun")
ax.set_xlabel(f"accuracy after {FULL_EPOCHS} epochs"); ax.set_ylabel("other measurement"); ax.legend()
fig

# %%
b_proxy = bootstrap_tau(scores["proxy"], scores["full"], n_resamples=200, seed=SEED)
b_rerun = bootstrap_tau(scores["full, another seed"], scores["full"], n_resamples=200, seed=SEED)
pd.DataFrame({"tau": [b_proxy.estimate, b_rerun.estimate], "std error": [b_proxy.std_error, b_rerun.std_error]},
             index=["proxy vs full", "rerun vs full"])

# %% [markdown]
# **Exercise 3.3** Even two full trainings of the same networks with different seeds do not rank
# them identically. What sets this ceiling on *any* proxy's tau: `"noise"`, `"epochs"`,
# `"optimizer"` or `"dataset"`?

# %%
# Your answer
### BEGIN SOLUTION
ceiling = "noise"
### END SOLUTION
check("03.ceiling", ceiling)
