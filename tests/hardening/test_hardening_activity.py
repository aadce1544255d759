"""Activity-recognition CSV files and loader parameters: named errors, never a raw one."""

from __future__ import annotations

import pytest

from nasnb.data.activity import load_activity_recognition, read_activity_file
from nasnb.exceptions import DatasetError, ParameterError

GOOD_ROWS = "".join(f"{i},{1900 + i % 5},2300,2000,{1 + (i >= 120)}\n" for i in range(240))


def _root(tmp_path, text=GOOD_ROWS, name="2.csv"):
    (tmp_path / "1.csv").write_text(GOOD_ROWS)
    if isinstance(text, bytes):
        (tmp_path / name).write_bytes(text)
    else:
        (tmp_path / name).write_text(text)
    return tmp_path


BAD_LINES = [
    ("four_fields", GOOD_ROWS + "240,1,2,3\n", "line 241: expected 5 comma-separated fields"),
    ("six_fields", "0,1,2,3,1,9\n" + GOOD_ROWS, "line 1: expected 5 comma-separated fields"),
    ("text_value", GOOD_ROWS.replace("\n5,1900", "\n5,abc", 1), "line 6: non-numeric value"),
    ("inf_value", GOOD_ROWS.replace("7,1902", "7,inf", 1), "line 8: non-finite value"),
    ("nan_value", GOOD_ROWS.replace("7,1902", "7,nan", 1), "line 8: non-finite value"),
    ("huge_exponent", GOOD_ROWS.replace("7,1902", "7,1e999", 1), "line 8: non-finite value"),
    ("label_8", GOOD_ROWS.replace(",2000,1\n", ",2000,8\n", 1), "line 1: label '8'"),
    ("label_negative", GOOD_ROWS.replace(",2000,1\n", ",2000,-1\n", 1), "line 1: label '-1'"),
    ("label_fraction", GOOD_ROWS.replace(",2000,1\n", ",2000,1.5\n", 1), "line 1: label '1.5'"),
    ("semicolons", GOOD_ROWS.replace(",", ";"), "line 1: expected 5"),
    ("empty_file", "", "the file is empty"),
    ("blank_lines_only", "\n\n   \n", "the file is empty"),
    ("binary_garbage", bytes(range(256)) * 4, "line|malformed"),
    ("non_utf8_value", GOOD_ROWS.encode().replace(b"\n5,1900", b"\n5,19\xff0", 1), "line 6: non-numeric"),
    ("header_row", "seq,x,y,z,label\n" + GOOD_ROWS, "line 1: non-numeric"),
]


@pytest.mark.parametrize("label, text, match", BAD_LINES, ids=[b[0] for b in BAD_LINES])
def test_bad_participant_file_names_file_and_line(tmp_path, label, text, match):
    root = _root(tmp_path, text)
    with pytest.raises(DatasetError, match=f"2.csv(, )?.*{match}"):
        read_activity_file(str(root / "2.csv"))
    with pytest.raises(DatasetError, match="2.csv"):
        load_activity_recognition(str(root))


def test_participant_file_that_is_a_directory(tmp_path):
    (tmp_path / "1.csv").write_text(GOOD_ROWS)
    (tmp_path / "3.csv").mkdir()
    with pytest.raises(DatasetError, match=r"3.csv' is a directory, not a participant CSV file"):
        load_activity_recognition(str(tmp_path))
    with pytest.raises(DatasetError, match="3.csv': it is a directory"):
        read_activity_file(str(tmp_path / "3.csv"))


BAD_PARAMETERS = [
    ("test_fraction_1.5", {"test_fraction": 1.5}, "'test_fraction'"),
    ("test_fraction_1", {"test_fraction": 1.0}, "'test_fraction'"),
    ("test_fraction_0", {"test_fraction": 0}, "'test_fraction'"),
    ("test_fraction_negative", {"test_fraction": -0.2}, "'test_fraction'"),
    ("test_fraction_string", {"test_fraction": "0.2"}, "'test_fraction'"),
    ("test_fraction_bool", {"test_fraction": True}, "'test_fraction'"),
    ("test_fraction_nan", {"test_fraction": float("nan")}, "'test_fraction'"),
    ("window_zero", {"window": 0}, "'window'"),
    ("window_float", {"window": 2.5}, "'window'"),
    ("window_string", {"window": "52"}, "'window'"),
    ("stride_negative", {"stride": -1}, "'stride'"),
    ("stride_bool", {"stride": True}, "'stride'"),
    ("participants_strings", {"participants": ["a"]}, "'participants'"),
    ("participants_string", {"participants": "12"}, "'participants'"),
    ("participants_negative", {"participants": [-1]}, "'participants'"),
    ("participants_empty", {"participants": []}, "'participants'"),
    ("participants_bool", {"participants": [True]}, "'participants'"),
    ("participants_number", {"participants": 3}, "'participants'"),
    ("test_participants_float", {"test_participants": [1.5]}, "'test_participants'"),
    ("standardize_string", {"standardize": "yes"}, "'standardize'"),
    ("seed_negative", {"seed": -3}, "'seed'"),
    ("seed_string", {"seed": "zero"}, "'seed'"),
]


@pytest.mark.parametrize("label, kwargs, match", BAD_PARAMETERS, ids=[b[0] for b in BAD_PARAMETERS])
def test_bad_loader_parameter_is_named(tmp_path, label, kwargs, match):
    root = _root(tmp_path)
    with pytest.raises(ParameterError, match=f"{match} parameter of load_activity_recognition"):
        load_activity_recognition(str(root), **kwargs)


BAD_SETUPS = [
    ("root_missing", lambda tmp: (str(tmp / "nope"), {}), "does not exist"),
    ("root_is_file", lambda tmp: (str(_root(tmp) / "1.csv"), {}), "does not exist"),
    ("root_not_a_path", lambda tmp: (3.5, {}), "'root' parameter"),
    ("no_csv_files", lambda tmp: (str(tmp), {}), "no participant files"),
    ("unknown_participant", lambda tmp: (str(_root(tmp)), {"participants": [9]}), r"participant\(s\) \[9\]"),
    ("unknown_test_participant", lambda tmp: (str(_root(tmp)), {"test_participants": [9]}), r"\[9\] not loaded"),
    ("all_participants_for_test", lambda tmp: (str(_root(tmp)), {"test_participants": [1, 2]}),
     "leave at least one for training"),
    ("window_longer_than_data", lambda tmp: (str(_root(tmp)), {"window": 10_000}), "only 0 labelled window"),
]


@pytest.mark.parametrize("label, make, match", BAD_SETUPS, ids=[b[0] for b in BAD_SETUPS])
def test_bad_setup_is_named(tmp_path, label, make, match):
    root, kwargs = make(tmp_path)
    with pytest.raises((DatasetError, ParameterError), match=match):
        load_activity_recognition(root, **kwargs)


def test_tiny_split_is_refused_or_valid(tmp_path):
    root = _root(tmp_path)
    xtr, ytr, xte, yte = load_activity_recognition(str(root), window=52, stride=52, test_fraction=0.01)
    assert len(yte) >= 1 and len(ytr) >= 1 and len(ytr) + len(yte) == 8
