"""A descriptor, genome, search history or study left last in a cell renders itself."""

import numpy as np

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
