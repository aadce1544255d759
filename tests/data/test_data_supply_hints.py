"""Every "data not found" error names every way to supply the data: NASNB_DATA_ROOT, root=
and the registry (``registry.configure(name, root=...)``)."""

import pytest

from nasnb.data import default_datasets, load_cifar10, load_fashion_mnist, load_splits
from nasnb.data.activity import activity_recognition_loader, load_activity_recognition
from nasnb.exceptions import DatasetError


def _names_every_way(message: str, name: str) -> None:
    assert "NASNB_DATA_ROOT" in message
    assert "root=" in message and "default_datasets(root=...)" in message
    assert f"registry.configure({name!r}, root=...)" in message


@pytest.mark.parametrize("name", ["activity_recognition", "cifar10", "fashion-mnist"])
def test_no_root_names_every_way(name):
    with pytest.raises(DatasetError) as info:
        load_splits(name, registry=default_datasets())
    _names_every_way(str(info.value), name)


def test_missing_files_name_every_way(tmp_path):
    cases = [(lambda: load_cifar10(str(tmp_path)), "cifar10"),
             (lambda: load_fashion_mnist(str(tmp_path)), "fashion-mnist"),
             (lambda: load_activity_recognition(str(tmp_path / "nowhere")), "activity_recognition"),
             (lambda: load_activity_recognition(str(tmp_path)), "activity_recognition"),
             (lambda: activity_recognition_loader(None), "activity_recognition")]
    for load, name in cases:
        with pytest.raises(DatasetError) as info:
            load()
        _names_every_way(str(info.value), name)
