"""A short evolution of EGraph genomes on 2 MPI engines, recorded in the experiment store."""

import shutil

import pytest

pytest.importorskip("ipyparallel")
pytest.importorskip("mpi4py")
pytest.importorskip("torch_geometric")
if shutil.which("mpiexec") is None:  # pragma: no cover
    pytest.skip("mpiexec is not on PATH", allow_module_level=True)

from nasnb.cluster import Cluster  # noqa: E402
from nasnb.predictors import ArchitectureDataset, evolve_egraph, nas_bench_graph_dataset  # noqa: E402
from nasnb.store import ExperimentStore  # noqa: E402

pytestmark = pytest.mark.cluster


def test_egraph_evolution_runs_on_two_engines_and_records_in_the_store(tmp_path):
    train, test = nas_bench_graph_dataset("cora", n=140, seed=0).split(60, 80, seed=0)
    study = ExperimentStore(tmp_path / "egraph.sqlite").create_study("egraph", {"budget": 6})
    with Cluster(n=2, timeout=120) as env:
        history, strategy = evolve_egraph(train, test, 6, population_size=4, sample_size=2, standard_filters=8,
                                          seed=0, workers=2, executor=env, study=study, epsilon=0.003, epochs=1,
                                          pairs_per_epoch=512)
    assert len(history) == 6
    frame = study.to_dataframe()
    assert len(frame) == 6 and set(frame["status"]) <= {"done", "invalid"}
    done = frame[frame["status"] == "done"]
    assert len(done) >= 4 and done["fitness"].between(-1, 1).all()
    assert "metrics.top50_tau" in frame.columns
    # the recorded GCN architectures themselves form a (tiny) architecture dataset
    ds = ArchitectureDataset.from_study(study)
    assert 1 <= len(ds) <= 6 and ("sage_pool" in ds.vocabulary or "sage_lstm" in ds.vocabulary)
