"""Cells of the classroom lessons (see _make_notebooks.py)."""

PARAMS = """params:
import os

BUDGET = os.environ.get("NASNB_BUDGET", "full")
SEED = 0
SMALL = BUDGET == "small"
"""

LESSON1 = [
    """md:
# Lesson 1 -- search spaces and descriptors

**Goal.** See a neural network as *data*: a graph of layers and connections (a descriptor)
that a builder turns into a working PyTorch model. Then see a *search space* as a set of such
graphs with a way to sample and to change them.

Exercises are marked **Exercise**; run the `check(...)` cell after your answer.""",
    PARAMS + 'EPOCHS = 1 if SMALL else 5',
    """import numpy as np
import matplotlib.pyplot as plt
import nasnb
from nasnb.classroom import check, hint""",
    """md:
## A descriptor

Layers are named and typed (`"nn.Conv2d"` is `torch.nn.Conv2d`); parameters are plain values.""",
    """d = nasnb.NeuralDescriptor()
d.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1}, "conv")
d.add_layer("nn.ReLU", {}, "relu")
d.connect_layers("conv", "relu")
d.set_input("conv"); d.set_output("relu")
print(d.layers)
print(d.connections)
nasnb.plot_architecture(d)""",
    """md:
**Exercise 1.1** Build a descriptor `my_chain` with three layers in this order:
`nn.Conv2d` (1 -> 8 channels, kernel 3, padding 1), `nn.ReLU`, `nn.MaxPool2d` (kernel 2).
Tip: `add_layer_sequential(type, params)` connects each new layer to the previous one.""",
    """# Your answer
my_chain = nasnb.NeuralDescriptor()
my_chain.add_layer_sequential("nn.Conv2d", {"in_channels": 1, "out_channels": 8, "kernel_size": 3, "padding": 1})
my_chain.add_layer_sequential("nn.ReLU", {})
my_chain.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2})
check("01.sequential", my_chain)""",
    """md:
## From descriptor to network

`build_network` compiles the graph for an input shape (here 1x8x8 digits) and adds a dense
head. When a layer has several inputs of different shapes, they are merged (resized and summed:
the *Minimum Viable Size* policy).""",
    """net = nasnb.build_network(my_chain, (1, 8, 8), 10)
print(net.summary())
result = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64).descriptor_evaluate(my_chain, EPOCHS, "digits", seed=SEED)
result""",
    """md:
**Exercise 1.2** Make a descriptor `my_skip` with a *skip connection*: a layer that receives two
inputs, one of which bypasses another layer. It must build for 1x8x8 inputs.""",
    """# Your answer
my_skip = nasnb.NeuralDescriptor()
my_skip.add_layer("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1}, "a")
my_skip.add_layer("nn.ReLU", {}, "b")
my_skip.add_layer("nn.Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}, "c")
my_skip.connect_layers("a", "b")
my_skip.connect_layers("b", "c")
my_skip.connect_layers("a", "c")   # the skip
my_skip.set_input("a"); my_skip.set_output("c")
nasnb.plot_realised(my_skip, (1, 8, 8), 10)
check("01.skip", my_skip)""",
    """md:
## A search space

The thesis' chapter-6 *global* space: a genome whose layer genes pick one of a fixed set of
layer choices, and whose connection genes can be enabled or disabled. `sample` draws a random
member; `mutate` changes one gene; `to_descriptor` gives the network.""",
    """space = nasnb.layer_choice_space(8, initial_layers=3)
rng = np.random.default_rng(SEED)
members = [space.sample(rng) for _ in range(3)]
child = space.mutate(members[0], rng)
layout = nasnb.SharedLayout().fit([space.to_descriptor(g) for g in members + [child]])
fig, axes = plt.subplots(1, 4, figsize=(16, 3))
for ax, g, title in zip(axes, members + [child], ["sample 1", "sample 2", "sample 3", "mutated sample 1"]):
    nasnb.plot_architecture(space.to_descriptor(g), layout, ax=ax); ax.set_title(title)""",
    """md:
**Exercise 1.3** How many layer choices does this global space have? (Count them, or find them
in `nasnb.genomes`.)""",
    """# Your answer
from nasnb.genomes import LAYER_CHOICES
print(LAYER_CHOICES)
n_choices = len(LAYER_CHOICES)
check("01.choices", n_choices)""",
]

LESSON2 = [
    """md:
# Lesson 2 -- evolution vs random search on a tabular benchmark

**Goal.** Compare two search strategies fairly. A *tabular benchmark* stores the score of every
architecture of a space, so evaluating is a look-up and we can repeat each search many times
with different seeds. We use NAS-Bench-Graph (graph neural networks on Cora), which ships with
the `nas-bench-graph` package.""",
    PARAMS + """REPEATS = 5 if SMALL else 30
EVALUATIONS = 100 if SMALL else 500""",
    """import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import nasnb
from nasnb.classroom import check, hint

bench = nasnb.NASBenchGraph("cora")
records = bench.records()
print(len(records), "architectures;", "operations:", bench.get_available_ops())
records.head()""",
    """md:
**Exercise 2.1** What is the best validation score of any architecture in the table?
(This is what a perfect search would find.)""",
    """# Your answer
global_best = records["score"].max()
check("02.global_best", global_best)""",
    """md:
## Regularized evolution

Keep a population of P individuals. Each cycle: sample S of them, mutate the best, add the
child -- and remove one individual.

**Exercise 2.2** Which individual does regularized (aging) evolution remove: `"oldest"`,
`"worst"`, `"best"` or `"random"`?""",
    """# Your answer
check("02.removed", "oldest")""",
    """md:
**Exercise 2.3** Random search is regularized evolution with a particular tournament size S.
Which?""",
    """# Your answer
S_RANDOM = 1
check("02.random_is_s1", S_RANDOM)""",
    """md:
## Run both, many times

The same seeds for both strategies make the comparison paired.""",
    """histories = {"evolution (S=10)": [], "random search": []}
for seed in range(REPEATS):
    histories["evolution (S=10)"].append(nasnb.RegularizedEvolution(bench, 20, 10, seed=seed).run(bench, EVALUATIONS))
    histories["random search"].append(nasnb.RegularizedEvolution(bench, 20, S_RANDOM, seed=seed).run(bench, EVALUATIONS))

finals = pd.DataFrame({name: [h.best.fitness for h in runs] for name, runs in histories.items()})
print("regret (global best minus found):")
(global_best - finals).describe().round(4)""",
    """fig, ax = plt.subplots(figsize=(7, 4))
for name, runs in histories.items():
    curves = np.array([h.best_so_far() for h in runs])
    ax.plot(curves.mean(axis=0), label=name)
    ax.fill_between(range(curves.shape[1]), curves.min(axis=0), curves.max(axis=0), alpha=0.2)
ax.axhline(global_best, color="k", ls="--", label="global best")
ax.set_xlabel("evaluations"); ax.set_ylabel("best score so far"); ax.legend()""",
    """from nasnb.analysis import mannwhitney_test
mannwhitney_test(finals["evolution (S=10)"], finals["random search"])""",
    """md:
**Discuss.** Is the difference significant with this many repeats? How does it change with
`EVALUATIONS`? Why is a tabular benchmark essential for this kind of question?""",
]

LESSON3 = [
    """md:
# Lesson 3 -- proxies and rank correlation

**Goal.** A search does not need a candidate's exact final accuracy, only *which candidate is
better*. Cheap proxies (fewer epochs, less data) are useful if they rank architectures the same
way. Kendall's tau measures that agreement: +1 same order, -1 reversed, 0 unrelated.""",
    PARAMS + """N_ARCHITECTURES = 5 if SMALL else 15
PROXY_EPOCHS, FULL_EPOCHS = (1, 3) if SMALL else (1, 10)""",
    """import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import nasnb
from nasnb.analysis import kendall_tau, bootstrap_tau
from nasnb.classroom import check, hint, KENDALL_X, KENDALL_Y, ROUNDING_PROXY, ROUNDING_TRUE""",
    """md:
**Exercise 3.1** Kendall's tau of the two score lists `KENDALL_X` and `KENDALL_Y`?
(Count concordant minus discordant pairs over all pairs, or use `kendall_tau`.)""",
    """print(KENDALL_X, KENDALL_Y)
# Your answer
tau = kendall_tau(KENDALL_X, KENDALL_Y)
check("03.kendall", tau)""",
    """md:
**Exercise 3.2** Accuracies that differ in the third decimal are often noise. Round both lists
`ROUNDING_PROXY` and `ROUNDING_TRUE` to whole percents and compute tau-b (which handles ties).""",
    """# Your answer
tau_rounded = kendall_tau(np.round(np.array(ROUNDING_PROXY) * 100), np.round(np.array(ROUNDING_TRUE) * 100))
check("03.rounded", tau_rounded)""",
    """md:
## A real proxy: few epochs on digits

Train the same architectures for few and for more epochs and compare the rankings.""",
    """space = nasnb.layer_choice_space(8, initial_layers=3)
rng = np.random.default_rng(SEED)
descriptors = [space.to_descriptor(space.sample(rng)) for _ in range(N_ARCHITECTURES)]
evaluator = nasnb.LocalEvaluator("Adam", {"lr": 1e-3}, batch_size=64)
proxy = [evaluator.descriptor_evaluate(d, PROXY_EPOCHS, "digits", seed=SEED).fitness for d in descriptors]
full = [evaluator.descriptor_evaluate(d, FULL_EPOCHS, "digits", seed=SEED).fitness for d in descriptors]
rerun = [evaluator.descriptor_evaluate(d, FULL_EPOCHS, "digits", seed=SEED + 1).fitness for d in descriptors]
scores = pd.DataFrame({"proxy": proxy, "full": full, "full, another seed": rerun})
scores""",
    """fig, ax = plt.subplots(figsize=(5, 4))
ax.scatter(scores["full"], scores["proxy"], label=f"{PROXY_EPOCHS} epoch(s)")
ax.scatter(scores["full"], scores["full, another seed"], marker="x", label="rerun")
ax.set_xlabel(f"accuracy after {FULL_EPOCHS} epochs"); ax.set_ylabel("other measurement"); ax.legend()
b_proxy = bootstrap_tau(scores["proxy"], scores["full"], n_resamples=200, seed=SEED)
b_rerun = bootstrap_tau(scores["full, another seed"], scores["full"], n_resamples=200, seed=SEED)
pd.DataFrame({"tau": [b_proxy.estimate, b_rerun.estimate], "std error": [b_proxy.std_error, b_rerun.std_error]},
             index=["proxy vs full", "rerun vs full"])""",
    """md:
**Exercise 3.3** Even two full trainings of the same networks with different seeds do not rank
them identically. What sets this ceiling on *any* proxy's tau: `"noise"`, `"epochs"`,
`"optimizer"` or `"dataset"`?""",
    """# Your answer
check("03.ceiling", "noise")""",
]

CLASSROOM = {
    "01_search_spaces_and_descriptors.ipynb": LESSON1,
    "02_evolution_vs_random_search.ipynb": LESSON2,
    "03_proxies_and_rank_correlation.ipynb": LESSON3,
}
