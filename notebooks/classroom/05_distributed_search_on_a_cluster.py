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
# # Lesson 5 -- a distributed search on a cluster
#
# **Goal.** Run the regularized evolution of lesson 2 with real trainings, first in this process
# and then on a cluster of two MPI engines (`nasnb.Cluster`), and see
#
# 1. that the cluster run in *batch* mode gives **exactly** the serial history, and why;
# 2. what the *asynchronous* (steady-state) mode buys -- no engine waits for another -- and what
#    it changes.
#
# Exercises are marked **Exercise**: write your answer under `# Your answer` (replace the `...`)
# and run the cell; its `check(...)` says whether it is right and, if not, gives a hint.
#
# **Budgets.** Set `BUDGET` in the parameters cell, the `NASNB_BUDGET` environment variable, or
# `papermill ... -p BUDGET small`: `small` is CI's smoke test (about 40 s on 2 CPU cores,
# measured, most of it starting the engines; 8 evaluations of tiny networks per run), `medium`
# (the default) gives real numbers (about 42 s on 2 shared CPU cores, measured; 18 evaluations per run), `full` searches longer with wider networks (100 evaluations per run: about an hour on 2
# CPU cores, estimated). The cluster needs `mpiexec` (the `cluster` extra installs MPICH).

# %% [markdown] tags=["teacher"]
# ## Teacher notes (solution edition only)
#
# **Goals.** Students can (1) move a search onto a cluster by adding `executor=env` -- nothing
# else changes; (2) explain why the batch-mode history is identical to the serial one (every
# trial carries its own seed, derived from the strategy's seed and the trial's index, and batch
# mode applies results in ask order, whichever engine finishes first); (3) compute the makespan
# of batch and steady-state schedules, and explain why steady state uses the engines better but
# makes the history depend on timing (recorded in the `arrival` column, so it can be replayed).
#
# **Timing (50 min).** Schedules and Exercise 5.1 on paper 15 min; serial run 5 min; starting
# the cluster and both cluster runs (about 30 s at `small`, 1 min at `medium`) 10 min; the
# comparison tables, timelines and Exercises 5.2-5.3 20 min.
#
# **Common mistakes.**
# * 5.1: adding the durations per engine in a fixed alternation (task 0, 2, 4 ... on engine 0)
#   instead of giving the next task to the engine that frees up first; answering the batch time
#   (12 s) -- the async schedule takes 10 s.
# * 5.2: "the engines are equally fast" -- the timeline shows they are not; equality holds
#   whatever the timing. "MPI is deterministic" -- MPI only starts the engines here.
# * 5.3: "async uses other seeds" -- the `seed` column is the same for the same index; the
#   *candidates* differ because the parents differ.
# * Expecting a 2x speed-up at `small`: each evaluation takes a fraction of a second, so the
#   cluster's start-up and per-task overhead dominate. The speed-up appears when an evaluation
#   takes seconds or more (`medium`, `full`).
#
# **In a lab of N students.** Each student's `nasnb.Cluster(n=2)` starts a controller and two
# engine processes, each with one torch thread: 2N busy cores while the search runs. On a shared
# server with C cores keep N <= C / 2, or run the cluster cells in turns, or use `small`. The
# engines stop when the `with` block ends, and a watchdog process stops them if the kernel dies
# or is restarted in the middle of the block, so abandoned engines do not pile up.
# On a real cluster (several hosts) start one shared `ipcluster` with MPI engines and let every
# student connect with `nasnb.Cluster(profile=..., n=...)` (or `cluster_id=...`).
#
# **Answers to the discussion.** The async history differs from the serial one from the first
# child bred after an out-of-order arrival, and it differs between two async runs on a loaded
# machine; yet a resumed async study replays exactly, because the `arrival` order is stored.
# Batch mode is the right choice when results must be reproducible bit for bit (a thesis table);
# steady state when engines are expensive and evaluation times vary a lot.

# %% tags=["parameters"]
import os

BUDGET = os.environ.get("NASNB_BUDGET", "medium")   # "small" (CI, seconds) | "medium" (real numbers, minutes) | "full" (thesis settings)
DATA_ROOT = os.environ.get("NASNB_DATA_ROOT")        # a folder with the original data sets; None: embedded data

# %%
# Every size follows from BUDGET (papermill may inject a BUDGET cell above this one).
SEED = 0
ENGINES = 2
SIZES = {
    "small": {"channels": 4, "epochs": 1, "percentage": 0.5, "population": 4, "sample": 2, "cycles": 2,
              "threads": 1},
    "medium": {"channels": 8, "epochs": 2, "percentage": 1.0, "population": 6, "sample": 3, "cycles": 6,
               "threads": 1},
    "full": {"channels": 16, "epochs": 5, "percentage": 1.0, "population": 20, "sample": 5, "cycles": 40,
             "threads": 1},
}[BUDGET]
CHANNELS = SIZES["channels"]
EPOCHS = SIZES["epochs"]
PERCENTAGE = SIZES["percentage"]
POPULATION = SIZES["population"]
SAMPLE = SIZES["sample"]
CYCLES = SIZES["cycles"]   # each cycle breeds ENGINES children: POPULATION + CYCLES * ENGINES evaluations per run
THREADS = SIZES["threads"]   # torch threads here; each engine gets cores // engines (1 on 2 cores)

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
from nasnb.executors import simulate_schedule
from nasnb.classroom import check, hint, SCHEDULE_DURATIONS, SCHEDULE_WORKERS

# %% [markdown]
# ## Batch or steady state?
#
# With W engines, a search can hand out evaluations in two ways:
#
# * **batch** (`mode="batch"`, the thesis' distributed regularized evolution): ask W children,
#   wait until *all* W are trained, apply the results, repeat. Every cycle waits for its slowest
#   evaluation.
# * **steady state** (`mode="async"`, as Real et al. ran it): keep W evaluations running; the
#   moment one finishes, apply its result and ask the next child. No engine waits.
#
# Take eight evaluations whose training times (seconds, in the order they are asked) are
# `SCHEDULE_DURATIONS`, on 2 engines. In batch mode the pairs (3, 1), (1, 3), (2, 2), (1, 4)
# each take as long as their slower task: 3 + 3 + 2 + 4 = 12 s.

# %%
print(SCHEDULE_DURATIONS)
batch_schedule = simulate_schedule(SCHEDULE_DURATIONS, SCHEDULE_WORKERS, mode="batch")
print(f"batch: {batch_schedule.now:g} s, engines busy {100 * batch_schedule.efficiency():.0f}% of the time")

# %% [markdown]
# **Exercise 5.1** How many seconds does the **steady-state** schedule take for the same eight
# evaluations on 2 engines? (Both engines start a task at time 0; whenever an engine finishes,
# it starts the next task at once.)

# %%
# Your answer
### BEGIN SOLUTION
free = [0.0] * SCHEDULE_WORKERS          # when each engine is free again
for seconds in SCHEDULE_DURATIONS:       # the next task goes to the engine that is free first
    engine = free.index(min(free))
    free[engine] += seconds
async_time = max(free)
### END SOLUTION
check("05.async_time", async_time)

# %%
steady_schedule = simulate_schedule(SCHEDULE_DURATIONS, SCHEDULE_WORKERS, mode="async")
fig, axes = nasnb.viz.subplots(2, 1, figsize=(8, 4), sharex=True)
for ax, (name, schedule) in zip(axes, {"batch": batch_schedule, "steady state": steady_schedule}.items()):
    bars = schedule.timeline().rename(columns={"task": "seq", "worker": "engine_id", "start": "started",
                                               "end": "finished"})
    nasnb.viz.plot_timeline(bars, ax=ax)
    ax.set_title(f"{name}: {schedule.now:g} s, engines busy {100 * schedule.efficiency():.0f}%")
fig

# %% [markdown]
# ## The search, in this process
#
# The chapter-6 global space with `CHANNELS` channels, `POPULATION` individuals, tournaments of
# `SAMPLE`, and `ENGINES` children per cycle. Every evaluation is recorded in a study of an
# in-memory experiment store, which also records *where* it ran.

# %%
space = nasnb.layer_choice_space(CHANNELS, initial_layers=3)
evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64)
evaluate_kwargs = {"epochs": EPOCHS, "dataset": "digits", "percentage": PERCENTAGE}
store = nasnb.ExperimentStore(":memory:")


def search():
    """A fresh strategy with the lesson's settings (a strategy object runs once)."""
    return nasnb.RegularizedEvolution(space, POPULATION, SAMPLE, seed=SEED, workers=ENGINES, cycles=CYCLES)


serial = search().run(evaluator, evaluate_kwargs=evaluate_kwargs, study=store.create_study("serial"), progress=True)
print(f"{len(serial.fitness)} evaluations, best accuracy {serial.best.fitness:.3f}")

# %% [markdown]
# ## The same search on 2 MPI engines
#
# `nasnb.Cluster(n=2)` starts an ipyparallel controller and two MPI engines; inside the `with`
# block the cluster is an *executor*. The only change to the search is `executor=env`. We run it
# twice: in batch mode, and in steady state (`mode="async"`).

# %%
with nasnb.Cluster(n=ENGINES) as env:
    batch = search().run(evaluator, executor=env, evaluate_kwargs=evaluate_kwargs,
                         study=store.create_study("batch"), progress=True)
    steady = search().run(evaluator, executor=env, evaluate_kwargs=evaluate_kwargs, mode="async",
                          study=store.create_study("async"), progress=True)
runs = {"serial": serial, "cluster, batch": batch, "cluster, async": steady}
columns = ["parent", "seed", "fitness", "engine_rank", "arrival"]
records = {name: store.load_study(key).to_dataframe()[columns]
           for name, key in [("serial", "serial"), ("cluster, batch", "batch"), ("cluster, async", "async")]}
pd.concat(records, axis=1)

# %%
pd.DataFrame({"evaluations": [len(h.fitness) for h in runs.values()],
              "best accuracy": [h.best.fitness for h in runs.values()],
              "fitness values that differ from serial": [int(np.sum(np.asarray(h.fitness) != np.asarray(serial.fitness)))
                                                         for h in runs.values()],
              "parents that differ from serial": [int(np.sum(np.asarray(h.parents) != np.asarray(serial.parents)))
                                                  for h in runs.values()]},
             index=list(runs))

# %% [markdown]
# Which engine ran what, and when (each bar an evaluation):

# %%
fig, axes = nasnb.viz.subplots(2, 1, figsize=(8, 4))
for ax, key in zip(axes, ["batch", "async"]):
    nasnb.viz.plot_timeline(store.load_study(key).to_dataframe(), ax=ax)
    ax.set_title(f"cluster, {key}: " + ax.get_title())
fig

# %% [markdown]
# **Exercise 5.2** The batch-mode cluster run has exactly the serial history -- same children,
# same parents, same accuracies -- although two engines trained the networks in a different
# order. Why? Answer with a letter:
#
# * (a) the two engines happen to be equally fast, so results arrive in the order they were asked;
# * (b) every trial carries its own seed, derived from the strategy's seed and the trial's index,
#   and batch mode applies the results in the order the trials were asked;
# * (c) MPI runs the engines in lock-step;
# * (d) both engines train with one torch thread.

# %%
# Your answer
### BEGIN SOLUTION
why_equal = "b"
### END SOLUTION
check("05.why_equal", why_equal)

# %% [markdown]
# **Exercise 5.3** The steady-state run starts with the same random individuals, but its later
# children may have other parents and other accuracies. Why? Answer with a letter:
#
# * (a) async mode uses other seeds;
# * (b) training on an engine is not deterministic;
# * (c) a child is bred from the population as it is when an engine frees up, and which
#   evaluation finishes first depends on timing;
# * (d) async mode skips the tournament.

# %%
# Your answer
### BEGIN SOLUTION
why_async = "c"
### END SOLUTION
check("05.async", why_async)

# %% [markdown]
# **Discuss.** Run the cluster cell again: does the batch history change? The async one? When
# would you choose steady state, when batch? (Hint: look at the `arrival` column -- it is what
# lets a resumed async study rebuild exactly the same search.)
