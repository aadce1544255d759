"""A descriptor, genome, search history or study left last in a cell renders itself."""

import re

import numpy as np
import pytest

import nasnb
from nasnb.spaces import layer_choice_space


def test_descriptor_and_genome_render_as_graphs():
    space = layer_choice_space(8)
    genome = space.sample(np.random.default_rng(0))
    genome_doc = genome._repr_html_()
    assert "<svg" in genome_doc and "nasnb-genome" in genome_doc
    descriptor_doc = space.to_descriptor(genome)._repr_html_()
    assert "<svg" in descriptor_doc


def test_history_and_study_render_as_summary_tables(tmp_path):
    bench = nasnb.NASBenchGraph("cora")
    study = nasnb.ExperimentStore(tmp_path / "runs.sqlite").create_study("re", {"P": 10})
    history = nasnb.RegularizedEvolution(bench, 10, 3, seed=0).run(bench, 25, study=study)
    for obj in (history, study):
        doc = obj._repr_html_()
        assert "nasnb-study" in doc and "<table" in doc
    assert "25 evaluations" in study._repr_html_()


SNAPSHOT_NOTEBOOK = [
    """import pandas as pd
from nasnb.descriptors import NeuralDescriptor
from nasnb.viz import ArchitectureEditor, GenomeInspector
archs = [NeuralDescriptor.sequential(["nn.Identity"] + ["nn.ReLU"] * k).to_json() for k in (1, 2)]
GenomeInspector(pd.DataFrame({"fitness": [0.5, 0.8], "descriptor_json": archs}))""",
    "ArchitectureEditor()",
]


@pytest.mark.notebook
def test_nbconvert_html_export_shows_the_widgets_static_snapshots(tmp_path):
    """An executed notebook exported to HTML shows pictures of its widgets, not ``VBox(children=...``.

    Executed as the notebooks are (nbclient without stored widget state, so nbconvert picks
    the snapshot where no kernel runs).
    """
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in SNAPSHOT_NOTEBOOK]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in nb.cells:
        data = cell.outputs[-1]["data"]
        assert {"application/vnd.jupyter.widget-view+json", "text/html"} <= set(data)
    html_text, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    (tmp_path / "export.html").write_text(html_text)
    assert 'data-widget="GenomeInspector"' in html_text and 'data-widget="ArchitectureEditor"' in html_text
    assert re.search(r'nasnb-inspector-plot"[^>]*data-seq="1"', html_text)  # the best individual, drawn
    assert html_text.count('<g class="node"') >= 3 + 3 + 4  # inspector, editor, realised network (with head)
    assert "nasnb-param-count" in html_text and "VBox(" not in html_text
