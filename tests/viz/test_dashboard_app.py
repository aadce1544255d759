"""``nasnb dashboard STORE``: the study browser's data (no browser) and the served page (headless Chromium).

Two small NAS-Bench-Graph studies (table look-ups, no training) are recorded in a store. The
unit tests check what the browser gathers and shows (rows, sorting, filtering, architectures of
stored candidates, bad input). The browser test starts ``nasnb dashboard`` (Voilà, 127.0.0.1,
a free port), drives it with Debian's Chromium through Playwright: every row is listed, the table
sorts and filters, a click on a chart point draws that evaluation's architecture, choosing both
studies overlays two best-so-far lines, and rows appended by another process appear (live
refresh). On failure it saves a screenshot (path in the message); it always stops the server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from nasnb.exceptions import ParameterError, StoreError

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

RECORD = textwrap.dedent("""
    import sys
    from nasnb.benchmarks import NASBenchGraph
    from nasnb.store import ExperimentStore
    from nasnb.strategies import RandomSearch, RegularizedEvolution

    path, budget_evolution, budget_random = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bench = NASBenchGraph("cora")
    store = ExperimentStore(path)
    for name, strategy, budget in (("evolution", RegularizedEvolution(bench, 8, 3, seed=1), budget_evolution),
                                   ("random", RandomSearch(bench, seed=2), budget_random)):
        if budget:
            study = store.create_study(name, {"strategy": strategy.config()})
            strategy.run(bench, budget, study=study)   # resumes: only the missing evaluations run
    store.close()
""")


def _record(tmp: Path, path: Path, evolution: int, random: int) -> None:
    script = tmp / "record.py"
    script.write_text(RECORD)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, str(script), str(path), str(evolution), str(random)], env=env, check=True,
                   timeout=240)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("dashboard")
    path = tmp / "studies.sqlite"
    _record(tmp, path, 20, 15)
    return path


# ------------------------------------------------------------------ data, no browser
def test_gather_lists_every_row_of_the_chosen_studies(store_path):
    from nasnb.store import ExperimentStore
    from nasnb.viz.dashboard_app import gather

    frame = gather(store_path)
    assert frame.groupby("study", sort=False).size().to_dict() == {"evolution": 20, "random": 15}
    assert {"study", "seq", "status", "fitness", "seed", "engine", "total_time", "started"} <= set(frame.columns)
    store = ExperimentStore(store_path, read_only=True)
    assert frame.loc[frame["study"] == "random", "fitness"].tolist() == \
        store.load_study("random").to_dataframe()["fitness"].tolist()
    assert gather(store_path, ["random"])["study"].unique().tolist() == ["random"]


def test_table_rows_sort_and_filter(store_path):
    from nasnb.viz.dashboard_app import gather, table_html, table_rows

    frame = gather(store_path)
    by_fitness = table_rows(frame, sort_by="fitness", descending=True)
    assert by_fitness["fitness"].tolist() == sorted(frame["fitness"], reverse=True)
    good = table_rows(frame, text="fitness >= 0.75")
    assert len(good) == int((frame["fitness"] >= 0.75).sum()) and 0 < len(good) < len(frame)
    assert table_rows(frame, text="RANDOM")["study"].unique().tolist() == ["random"]
    assert len(table_rows(frame, status="failed")) == 0
    text = table_html(good, len(frame))
    assert f'data-rows="{len(good)}" data-total="35"' in text and text.count("<tr data-study=") == len(good)
    with pytest.raises(ParameterError, match="sort_by"):
        table_rows(frame, sort_by="nope")


def test_stored_candidates_are_drawn_with_the_space_the_study_names(store_path):
    from nasnb.viz.dashboard_app import StudyBrowser

    pytest.importorskip("anywidget")
    browser = StudyBrowser(store_path, studies=["evolution", "random"])
    browser.widget  # noqa: B018
    assert len(browser.frame) == 35
    explorer = browser.explorer
    explorer.click(3)
    shown = explorer.inspector.plot.svg
    assert 'data-seq="3"' in shown and "no architecture recorded" not in shown and "<svg" in shown
    legend = [t.name for t in explorer.figure("progress").data]
    assert legend.count("evolution: best so far") == 1 and legend.count("random: best so far") == 1
    chart = browser.figures["progress"]   # the chart the page shows
    assert [t.name for t in chart.data] == legend
    # what the chart's front end sends for a click on evolution #5: the synced ``clicked`` trait
    chart.clicked = {"trace": 0, "point": 5, "n": chart.clicked.get("n", 0) + 1}
    assert browser.explorer.inspector.current[["label", "seq"]].tolist() == ["evolution", 5]
    browser.choose(["random"])
    assert len(browser.frame) == 15 and 'data-total="15"' in browser.table.value


def test_refresh_sees_rows_another_process_writes(store_path, tmp_path):
    import shutil

    from nasnb.viz.dashboard_app import StudyBrowser

    pytest.importorskip("anywidget")
    path = tmp_path / "copy.sqlite"
    shutil.copy(store_path, path)
    browser = StudyBrowser(path, studies=["random"])
    browser.widget  # noqa: B018
    assert not browser.refresh()  # nothing new
    _record(tmp_path, path, 0, 18)
    assert browser.refresh()
    assert len(browser.frame) == 18 and 'data-total="18"' in browser.table.value


def test_bad_store_is_one_line_error(tmp_path):
    import sqlite3

    from nasnb.viz.dashboard_app import StudyBrowser, gather

    with pytest.raises(StoreError, match="does not exist"):
        gather(tmp_path / "missing.sqlite")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    for bad in (tmp_path / "missing.sqlite", other):
        out = subprocess.run([sys.executable, "-m", "nasnb", "dashboard", str(bad), "--no-browser"],
                             capture_output=True, text=True, timeout=120,
                             env=dict(os.environ, PYTHONPATH=str(REPO)))
        assert out.returncode != 0 and out.stdout == ""
        assert out.stderr.startswith("nasnb: error: ") and out.stderr.count("\n") == 1, out.stderr
        assert str(bad.name) in out.stderr
    from nasnb.store import ExperimentStore
    from nasnb.viz.dashboard_app import serve

    good = ExperimentStore(tmp_path / "ok.sqlite")
    good.create_study("a")
    good.close()
    with pytest.raises(ParameterError, match="no-such-host.invalid"):
        serve(tmp_path / "ok.sqlite", host="no-such-host.invalid", open_browser=False)
    store = ExperimentStore(":memory:")
    store.create_study("a")
    with pytest.raises(ParameterError, match="'b'"):
        StudyBrowser(store, studies=["b"])


# ------------------------------------------------------------------ the served page
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def dashboard(store_path, tmp_path):
    """``(url, store, tmp)`` of ``nasnb dashboard`` on a copy of the store; the server is stopped afterwards."""
    import shutil

    pytest.importorskip("voila")
    pytest.importorskip("anywidget")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    path = tmp_path / "live.sqlite"
    shutil.copy(store_path, path)
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               MPLBACKEND="Agg", OMP_NUM_THREADS="1")
    log = open(tmp_path / "dashboard.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "nasnb", "dashboard", str(path), "--port", str(port),
                             "--no-browser", "--interval", "2"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)   # its own process group: the kernel is stopped with it
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url + "api/status", timeout=5)  # noqa: S310 - localhost
                break
            except urllib.error.HTTPError:
                break   # the server answers
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("nasnb dashboard did not start:\n" + (tmp_path / "dashboard.log").read_text())
                time.sleep(0.5)
        yield url, path, tmp_path
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass
        log.close()
    assert "serving" in (tmp_path / "dashboard.log").read_text(errors="replace")


def _table_total(page) -> int:
    return int(page.locator("table.nasnb-dashboard-table").first.get_attribute("data-total"))


def _column(page, index: int) -> list[str]:
    return page.locator("table.nasnb-dashboard-table tbody tr").evaluate_all(
        f"rows => rows.map(r => r.children[{index}].textContent)")


@pytest.mark.browser
def test_dashboard_in_chromium(dashboard):
    sync_api = pytest.importorskip("playwright.sync_api")
    from nasnb.store import ExperimentStore

    url, path, tmp = dashboard
    frame = ExperimentStore(path, read_only=True).load_study("random").to_dataframe()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1600})
        step = "open the page"
        try:
            page.goto(url, timeout=120_000)
            page.wait_for_selector("table.nasnb-dashboard-table", timeout=240_000)
            # --- every row of the newest study, in seq order
            step = 'every row of the newest study, in seq order'
            assert _table_total(page) == 15
            assert page.locator("table.nasnb-dashboard-table tbody tr").count() == 15
            assert _column(page, 1) == [str(s) for s in frame["seq"]]

            # --- sort by fitness, descending
            step = 'sort by fitness, descending'
            page.locator(".nasnb-dashboard-sort select").select_option("fitness")
            page.locator(".nasnb-dashboard-descending input").check()
            page.wait_for_function("() => { const c = [...document.querySelectorAll("
                                   "'table.nasnb-dashboard-table tbody tr td:nth-child(4)')].map(t => +t.textContent);"
                                   " return c.length > 1 && c.every((v, i) => i === 0 || c[i - 1] >= v) &&"
                                   " c[0] > c[c.length - 1]; }", timeout=60_000)
            assert [float(v) for v in _column(page, 3)][0] == pytest.approx(frame["fitness"].max(), abs=1e-3)

            # --- filter
            step = 'filter'
            expected = int((frame["fitness"] > 0.75).sum())
            box = page.locator(".nasnb-dashboard-filter input")
            box.fill("fitness > 0.75")
            box.press("Enter")
            page.wait_for_selector(f'table.nasnb-dashboard-table[data-rows="{expected}"]', timeout=60_000)
            assert page.locator("table.nasnb-dashboard-table tbody tr").count() == expected
            box.fill("")
            box.press("Enter")
            page.wait_for_selector('table.nasnb-dashboard-table[data-rows="15"]', timeout=60_000)

            # --- both studies side by side: two best-so-far lines
            step = 'both studies side by side: two best-so-far lines'
            page.locator(".nasnb-dashboard-studies select").select_option(["evolution", "random"])
            page.wait_for_selector('table.nasnb-dashboard-table[data-total="35"]', timeout=120_000)
            page.wait_for_function("() => [...document.querySelectorAll("
                                   "'.nasnb-study-browser .nasnb-chart-legend span')]"
                                   ".filter(e => e.textContent.trim().endsWith('best so far')).length === 2",
                                   timeout=120_000)
            legend = page.locator(".nasnb-study-browser .nasnb-chart-legend span").evaluate_all(
                "els => els.map(e => e.textContent.trim())")
            assert sorted(t for t in legend if t.endswith("best so far")) == \
                ["evolution: best so far", "random: best so far"]

            # --- click a point of the evolution study → its architecture is drawn
            step = 'click a point of the evolution study → its architecture is drawn'
            point = page.locator('.nasnb-study-explorer .nasnb-chart g.trace[data-trace="0"] '
                                 '.point.clickable[data-point="5"]').first
            point.wait_for(timeout=60_000)
            point.click()
            page.wait_for_selector('.nasnb-inspector-plot[data-seq="5"]', timeout=60_000)
            shown = page.locator('.nasnb-inspector-plot[data-seq="5"]')
            assert "evolution #5" in shown.inner_text()
            assert shown.locator("g.node").count() >= 3   # input, cells, output
            page.screenshot(path=str(tmp / "dashboard.png"), full_page=True)
            timeline = page.locator(".nasnb-dashboard-timeline img")
            timeline.scroll_into_view_if_needed()
            box = timeline.bounding_box()
            assert box["width"] > 300 and box["height"] > 100   # the engine timeline, drawn
            page.locator(".nasnb-study-browser").screenshot(path=str(tmp / "browser.png"))

            # --- another process appends rows: the table grows without a reload
            step = 'another process appends rows: the table grows without a reload'
            _record(tmp, path, 0, 22)
            page.wait_for_selector('table.nasnb-dashboard-table[data-total="42"]', timeout=120_000)
            assert page.locator("table.nasnb-dashboard-table tbody tr").count() == 42
        except Exception as exc:
            page.screenshot(path=str(tmp / "failure.png"), full_page=True)
            log = (tmp / "dashboard.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"dashboard test failed at '{step}': {exc}; screenshot {tmp / 'failure.png'}; "
                                 f"server log:\n{log}") from exc
        finally:
            browser.close()
    print(f"screenshot: {tmp / 'dashboard.png'}")
