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
    assert make().counts() == dict(zip(STATUSES, (1, 1, 1, 1, 0)))


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


# ---------------------------------------------------------------- escaping, round trip, the generated page
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from nasnb.analysis.ledger_page import read_notebook_ledger, render_page, summarize  # noqa: E402

PAYLOAD = "<img src=x onerror=alert(1)>"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def hostile():
    ledger = Ledger(PAYLOAD)
    ledger.add(PAYLOAD, PAYLOAD, PAYLOAD, status="differs", note=PAYLOAD, difference=PAYLOAD)
    ledger.add("Table 1.1 " + PAYLOAD, 1.0, 2.0, status="partial", note="</script>" + PAYLOAD)
    return ledger


def test_every_string_is_escaped_in_markdown_and_html():
    ledger = hostile()
    for text in (ledger.to_markdown(), ledger._repr_html_()):
        assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert ledger._repr_html_().count("</script>") == 1  # the payload cannot end the embedded JSON


def test_html_output_reads_back_exactly():
    ledger = hostile()
    back = Ledger.from_html(ledger._repr_html_())
    assert back.title == ledger.title and back.rows == ledger.rows
    with pytest.raises(ParameterError, match="no embedded"):
        Ledger.from_html("<table></table>")


def test_summary_is_reproduced_only_when_every_row_is():
    ledger = Ledger()
    for k in range(3):
        ledger.add(f"Table 4.3, cell {k}", 0.1, 0.1, status="reproduced")
    ledger.add("Table 4.3, cell 3", 0.1, 0.2, status="differs", note="off by 0.1")
    ledger.add("Fig. 4.1, sample architectures", None, None, status="diagram", note="a drawing")
    assert summarize(list(ledger)) == [("Table 4.3", 4, "partial", "3 of 4 rows reproduced"),
                                       ("Fig. 4.1", 1, "diagram", "")]


def _fake_notebook(directory, name, run, source):
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "execution_count": 1,
              "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                           "data": {"text/html": run._repr_html_(), "text/plain": repr(run)}}]}]
    (directory / f"{name}.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                         "nbformat_minor": 5}))
    (directory / f"{name}.py").write_text(source)


def test_page_rows_come_from_the_run_and_the_cells_literal_rows(tmp_path):
    run = Ledger("Chapter 3")
    run.add("Table 3.9, computed", 1.0, 1.0, status="reproduced")
    run.add("old row", 1.0, 2.0, status="differs", note="gone from the cell")
    source = ("ledger = Ledger('Chapter 3')\n"
              "ledger.add(f'Table 3.9, {what}', 1.0, value, status='reproduced')\n"
              "ledger.add('Fig. 3.9, a diagram', None, None, status='diagram', note='" + PAYLOAD + "')\n"
              "ledger.add('new computed', 1.0, value, status='reproduced')\n")
    _fake_notebook(tmp_path, "03_framework", run, source)
    nb = read_notebook_ledger(tmp_path, "03_framework")
    assert [r.target for r in nb.pending] == ["Fig. 3.9, a diagram"]
    assert nb.stale == {"old row"} and nb.unseen == ["new computed"]
    for name in ("04_optimizers_ranking", "05_reduced_epochs", "06_distributed_evolution", "07_egraph", "08_darts",
                 "09_proxies"):
        _fake_notebook(tmp_path, name, Ledger(name), "ledger = Ledger()\n")
    page = render_page(tmp_path)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "| Fig. 3.9, a diagram † |" in page and "| old row ‡ |" in page and "re-execute" in page


def test_notebooks_readme_is_generated_from_the_notebooks_ledgers():
    page = render_page(NOTEBOOKS)
    assert (NOTEBOOKS / "README.md").read_text(encoding="utf-8") == page, \
        "notebooks/README.md is out of date: run python -m nasnb.analysis.ledger_page"
    for chapter in range(3, 9):  # every chapter has its tables and figures listed
        assert f"| Fig. {chapter}." in page and f"| Table {chapter}." in page
