"""Cells of notebooks/00_quickstart.ipynb (see _make_notebooks.py)."""

QUICKSTART = [
    """md:
# nasnb in ten minutes

Describe a network, build it, train and test it, search for a better one and plot what the
search did -- first on this machine, then on a 2-engine MPI cluster by changing **one line**.
Everything runs on data embedded in the installed packages (scikit-learn's 8x8 digits), so no
download is needed.

The next cell holds the parameters. `NASNB_BUDGET=small` (used by CI) makes every step tiny;
the default `full` budget trains longer and searches more.""",
    """params:
import os

BUDGET = os.environ.get("NASNB_BUDGET", "full")
SEED = 0
if BUDGET == "small":
    EPOCHS, PERCENTAGE, CHANNELS = 1, 1.0, 8
    POPULATION, SAMPLE, EVALUATIONS = 4, 2, 6
    ENGINES = 2
else:
    EPOCHS, PERCENTAGE, CHANNELS = 5, 1.0, 32
    POPULATION, SAMPLE, EVALUATIONS = 10, 3, 30
    ENGINES = 2""",
    """import time
import matplotlib.pyplot as plt
import pandas as pd
import nasnb""",
    """md:
## 1. Describe

A `NeuralDescriptor` is the network as data: layers (a type and its parameters) and
connections. Torch layers are written `"nn.<Class>"`. `add_layer_sequential` connects each new
layer to the previous one; `connect_layers` adds any other edge -- here a skip connection.""",
    """d = nasnb.NeuralDescriptor()
d.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 8, "kernel_size": 3, "padding": 1}, "conv1")
d.add_layer_sequential("nn.ReLU", {}, "relu1")
d.add_layer_sequential("nn.Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1}, "conv2")
d.add_layer_sequential("nn.ReLU", {}, "relu2")
d.connect_layers("relu1", "relu2")  # skip connection: relu2 now merges two inputs
d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2}, "pool")
d.validate()
print(d, d.connections)
nasnb.plot_architecture(d)""",
    """md:
## 2. Build

`build_network` compiles the descriptor for an input shape (no batch dimension) and a number of
outputs. Layers with several inputs are merged by the *Minimum Viable Size* policy, and the
thesis' fixed dense head is appended.""",
    """net = nasnb.build_network(d, (1, 8, 8), 10)
print(net.summary())
print("parameters:", net.num_parameters())""",
    """md:
## 3. Evaluate

An evaluator trains and tests a descriptor and returns an `EvaluationResult`
(`loss, metrics, total_time` plus `fitness` and `status`). The optimizer is chosen when the
evaluator is made; the seed makes the run repeatable.""",
    """evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64)
result = evaluator.descriptor_evaluate(d, EPOCHS, "digits", percentage=PERCENTAGE, seed=SEED)
loss, metrics, total_time = result
print(f"loss {loss:.3f}  accuracy {metrics['accuracy']:.3f}  in {total_time:.1f} s  ({result.status})")""",
    """md:
## 4. Search

The chapter-6 global space has twelve layer choices (convolutions with kernel 2/3/5 and half or
all of a fixed channel count, average/max pooling). Regularized evolution samples `SAMPLE`
individuals, mutates the best, adds the child and removes the oldest. `workers=2` asks two
children per cycle, so that two engines can train them at the same time later.""",
    """space = nasnb.layer_choice_space(CHANNELS, initial_layers=2)
evaluate_kwargs = {"epochs": EPOCHS, "dataset": "digits", "percentage": PERCENTAGE, "seed": SEED}

start = time.perf_counter()
local = nasnb.RegularizedEvolution(space, POPULATION, SAMPLE, seed=SEED, workers=2).run(
    evaluator, EVALUATIONS, evaluate_kwargs=evaluate_kwargs)
local_seconds = time.perf_counter() - start
print(f"{len(local.fitness)} evaluations in {local_seconds:.1f} s; best accuracy {local.best.fitness:.3f}")
local.to_dataframe().head()""",
    """md:
## 5. Plot

Best-so-far progress, and the best architecture found (drawn on a fixed layout, so two
architectures can be compared by eye).""",
    """fig, axes = plt.subplots(1, 2, figsize=(12, 4))
nasnb.plot_progress({"regularized evolution": local}, ax=axes[0])
layout = nasnb.SharedLayout()
nasnb.plot_architecture(space.to_descriptor(local.best.candidate), layout, ax=axes[1])
fig.tight_layout()""",
    """md:
## 6. The same search on a 2-engine MPI cluster

`nasnb.Cluster(n=2)` starts two MPI engines (ipyparallel + mpi4py) and shuts them down when the
`with` block ends, even on error. The only change to the search is `executor=env`. Because the
search tells results in the order it asked for them, the same seed gives the same search.""",
    """start = time.perf_counter()
with nasnb.Cluster(n=ENGINES) as env:
    distributed = nasnb.RegularizedEvolution(space, POPULATION, SAMPLE, seed=SEED, workers=2).run(
        evaluator, EVALUATIONS, evaluate_kwargs=evaluate_kwargs, executor=env)   # <- the one changed line
    one = env.descriptor_evaluate(d, EPOCHS, "digits", percentage=PERCENTAGE, seed=SEED)
cluster_seconds = time.perf_counter() - start
print(f"cluster: {cluster_seconds:.1f} s including engine start-up; the hand-written net scored {one.fitness:.3f} there")""",
    """comparison = pd.DataFrame({"local": local.fitness, "cluster": distributed.fitness})
comparison["same"] = (comparison["local"] - comparison["cluster"]).abs() < 1e-6
print(f"{comparison['same'].mean():.0%} of the evaluations match between the local and the cluster run")
comparison""",
    """md:
## Where next

* `03_framework.ipynb` ... `08_darts.ipynb` reproduce the thesis chapters one by one.
* `classroom/` holds three short lessons with checked exercises.
* Add `study=nasnb.ExperimentStore("runs.db").create_study("name", config)` to `run(...)` to
  record every evaluation in SQLite and resume an interrupted search.""",
]
