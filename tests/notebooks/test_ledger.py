"""The reproduction ledger every chapter notebook ends with."""

import math
import re

import pytest

from nasnb.analysis.ledger import STATUSES, Ledger
from nasnb.exceptions import ParameterError


def make():
    ledger = Ledger("Chapter 5")
    ledger.add("Table 5.4, 3-D, 10 generations, original", 0.161, 0.031, status="differs",
               note="because the GA is scored by rank fraction")
    ledger.add("Table 5.3, Adam, 50 epochs", "42.90 %", "97.1 %", status="partial", note="digits, not CIFAR-10")
    ledger.add("Fig. 5.6 | bootstrap", None, None, status="not attempted", note="because <no data>")
    ledger.add("Table 8.2 speed-up", 1.82, 1.82, status="reproduced")
    return ledger


def test_rows_columns_and_computed_difference():
    frame = make().to_frame()
    assert list(frame.columns) == ["target", "published", "ours", "difference", "status", "note"]
    assert len(frame) == 4
    assert frame.loc[0, "difference"] == pytest.approx(0.031 - 0.161)
    assert math.isnan(frame.loc[1, "difference"]) and math.isnan(frame.loc[2, "difference"])
    assert frame.loc[3, "difference"] == 0.0
    assert list(frame["status"]) == ["differs", "partial", "not attempted", "reproduced"]


def test_counts_follow_status_order():
    assert make().counts() == dict(zip(STATUSES, (1, 1, 1, 1)))


def test_markdown_is_one_row_per_target_with_escaped_pipes():
    lines = make().to_markdown().splitlines()
    assert lines[0] == "### Chapter 5"
    table = lines[2:]
    assert table[0] == "| target | published | ours | difference | status | note |"
    assert len(table) == 2 + 4
    assert table[2].startswith("| Table 5.4, 3-D, 10 generations, original | 0.161 | 0.031 | -0.13 | differs |")
    assert "Fig. 5.6 \\| bootstrap" in table[4]
    assert all(len(re.split(r"(?<!\\)\|", row)) == 8 for row in table)  # 6 columns between 7 bars


def test_html_escapes_and_summarises():
    html = make()._repr_html_()
    assert html.count("<tr>") == 5 and "&lt;no data&gt;" in html
    assert "1 reproduced, 1 partial, 1 differs, 1 not attempted" in html


@pytest.mark.parametrize("kwargs, match", [
    ({"status": "done"}, "status"),
    ({"status": "differs"}, "note"),
    ({"status": "not attempted", "note": "  "}, "note"),
])
def test_bad_rows_are_refused(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        Ledger().add("Table 4.3", 0.16, 0.03, **kwargs)
    with pytest.raises(ValueError):  # ParameterError is a ValueError
        Ledger().add("", 0.16, 0.03, status="reproduced")
