"""Issue 12, done-when 4: an evaluator and a loader defined in notebook cells run on a 2-engine MPI
cluster through ``Strategy.run(executor=...)`` and give the serial history.

The first landing failed here with ``AttributeError: Can't get attribute ... on DummyMod``: the
evaluator was pickled by reference. Now it is cloudpickled once per engine, by value.

The same run checks what the cluster start shows in the notebook (issue 24): nasnb's own bar
``engines: 2/2 registered |██████████| 00:08 (timeout 120 s)``, not ipyparallel's
``0/2 [00:00<?, ?engine/s]``.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest

pytest.importorskip("ipyparallel")
pytest.importorskip("nbclient")
if shutil.which("mpiexec") is None:  # pragma: no cover
    pytest.skip("mpiexec is not on PATH", allow_module_level=True)

pytestmark = [pytest.mark.cluster, pytest.mark.notebook]

CELLS = [
    """\
import nasnb
from nasnb.data import default_datasets
from nasnb.evaluators import LocalEvaluator
from nasnb.genomes import ConvBlockGenes
from nasnb.spaces import GenomeSpace
from nasnb.strategies import RegularizedEvolution""",
    """\
def my_digits():  # a loader defined in the notebook
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32").reshape(-1, 1, 8, 8)
    return x[:1200], y[:1200], x[1200:], y[1200:]


class NotebookEvaluator:  # an evaluator defined in the notebook, returning the thesis tuple
    def __init__(self):
        datasets = default_datasets()
        datasets.add_classification_dataset("mine", 10, (8, 8), 1, my_digits)
        self.inner = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=128, datasets=datasets)

    def descriptor_evaluate(self, descriptor, epochs, dataset, seed=None):
        loss, metrics, seconds = self.inner.descriptor_evaluate(descriptor, epochs, dataset, seed=seed)
        return loss, metrics, seconds""",
    """\
def search():
    return RegularizedEvolution(GenomeSpace(ConvBlockGenes(4, 8)), 4, 2, seed=0, workers=2)

kwargs = {"epochs": 1, "dataset": "mine"}
serial = search().run(NotebookEvaluator(), 8, evaluate_kwargs=kwargs)
with nasnb.Cluster(n=2, timeout=120) as env:
    remote = search().run(NotebookEvaluator(), 8, evaluate_kwargs=kwargs, executor=env)""",
    """\
assert serial.status_counts == {"done": 8}, serial.messages
assert remote.status_counts == {"done": 8}, remote.messages
assert remote.candidates == serial.candidates
assert remote.fitness.tolist() == serial.fitness.tolist(), (serial.fitness, remote.fitness)
print("same history:", serial.fitness.round(4).tolist())""",
]


def test_notebook_defined_evaluator_and_loader_on_two_mpi_engines(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert text.startswith("same history:")

    # what the cluster start showed: its outputs' text and, for a widget bar, the widgets' final text
    shown = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in nb.cells[2].outputs]
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    shown += [m["state"]["value"].replace("\u2007", " ") for m in state.values()   # tqdm's figure spaces
              if m.get("model_name") == "HTMLModel" and isinstance(m.get("state", {}).get("value"), str)]
    assert not [s for s in shown if "engine/s" in s], shown   # ipyparallel's bar
    assert [s for s in shown if "engines: 2/2 registered" in s], shown
