"""Real browser, JupyterLab itself: click a chart point → inspector changes; add a layer → count changes.

A JupyterLab server (127.0.0.1, random port and token, private config/runtime/settings dirs)
serves ``tests/viz/browser/lab_widgets.ipynb``; Playwright drives Debian's Chromium (never a
downloaded browser), runs every cell from the *Run* menu, clicks a point of the
StudyExplorer's plotly chart and checks that the GenomeInspector below shows that
evaluation, then selects a layer in the ArchitectureEditor, presses *Insert after* and checks
that the parameter count changes; then saves the notebook, reloads the page with the kernel
alive and checks that the charts come back drawn and a click still inspects.

The quickstart, chapter 6 (a 2-engine MPI cluster) and lesson 1 (solution edition) (``LESSONS``,
budget ``small``, outputs cleared, each in a fresh folder and a fresh kernel) run top to bottom
from *Run All* beside two busy processes: every chart (``.nasnb-chart``) must show points and
every image must be drawn; a click must work (a StudyExplorer point updates the inspector; in
the ArchitectureEditor a layer is selected, *Insert after* changes the parameter count and
*Train* draws the loss chart), before and after a reload, and the console must not report
"[anywidget] Failed to initialize model". A failure saves a full-page screenshot and names it.
``NASNB_BROWSER_REPEAT=10`` runs each notebook ten times in a row (a measurement, not CI).
Screenshots are saved in pytest's tmp dir (paths printed).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTEBOOK = Path(__file__).parent / "browser" / "lab_widgets.ipynb"
REPO = Path(__file__).resolve().parents[2]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Notebooks run top to bottom in JupyterLab under load (small budget), and the widget each is checked by.
LESSONS = {
    "notebooks/00_quickstart.ipynb": "explorer",
    "notebooks/06_distributed_evolution.ipynb": "explorer",
    "notebooks/classroom/solutions/01_search_spaces_and_descriptors.ipynb": "editor",
}
#: Runs of each notebook in a row (each in a fresh folder and kernel): 1 in CI, 10 to measure.
REPEAT = int(os.environ.get("NASNB_BROWSER_REPEAT", "1"))

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``(url of the notebook with its token, tmp dir)`` of a private JupyterLab server."""
    pytest.importorskip("jupyterlab")
    pytest.importorskip("anywidget")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    tmp = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               MPLBACKEND="Agg", OMP_NUM_THREADS="1", NASNB_BUDGET="small")
    shutil.copy(NOTEBOOK, tmp / NOTEBOOK.name)
    news = tmp / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    tracker = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)   # every cell in the page, so that every chart can be checked; the
    # notebook's kernel started without asking (a "Select Kernel" dialog accepted late starts a second one)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none", "autoStartDefaultKernel": true}')
    log = open(tmp / "lab.log", "wb")
    args = ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp}", "--ServerApp.allow_root=True",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", *args], cwd=tmp, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)  # noqa: S310 - localhost
                break
            except (OSError, urllib.error.HTTPError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" + (tmp / "lab.log").read_text(errors="replace"))
                time.sleep(0.3)
        yield f"{base}/lab/tree/{NOTEBOOK.name}?token={token}", tmp
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _answer_dialog(page) -> bool:
    """Accept a "Select Kernel" dialog (True); fail on any other dialog (a kernel that died, ...).

    Only that question is answered: accepting "Restart kernel?" or "Kernel died" unasked would
    start another kernel in the middle of *Run All*.
    """
    dialog = page.locator(".jp-Dialog")
    if not (dialog.count() and dialog.first.is_visible()):
        return False
    text = dialog.first.inner_text()
    if "Select Kernel" not in text:
        pytest.fail(f"JupyterLab asked: {text[:500]!r}")
    dialog.first.locator(".jp-mod-accept").first.click()
    return True


def _run_all(page) -> None:
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if not _answer_dialog(page) and idle.count():
            break
        page.wait_for_timeout(500)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle'], "
                 ".jp-Toolbar-kernelStatus, .jp-Notebook-toolbarCellType").first.wait_for(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def _run_all_until(page, selector: str, tmp: Path, timeout: float = 180.0) -> None:
    """Run every cell and wait until ``selector`` is visible.

    On a loaded 2-core machine the kernel can still be starting when *Run All* is pressed; when
    no cell has started after 30 s the run is asked for again. A cell error fails at once with
    its text; a timeout fails with each cell's prompt, a screenshot and the server log.
    """
    _run_all(page)
    deadline = time.monotonic() + timeout
    next_retry = time.monotonic() + 30
    target = page.locator(selector).first
    while time.monotonic() < deadline:
        try:
            target.wait_for(state="visible", timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; we keep polling
            pass
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                              ":has-text('Traceback'), .jp-RenderedText[data-mime-type*='error']")
        if errors.count():
            pytest.fail("a notebook cell failed in JupyterLab:\n" + errors.first.inner_text()[-2000:])
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        if time.monotonic() > next_retry and not any(ch.isdigit() or "*" in ch for ch in "".join(prompts)):
            _run_all(page)   # nothing started: the kernel was not ready for the first request
            next_retry = time.monotonic() + 30
    page.screenshot(path=str(tmp / "timeout.png"), full_page=True)
    log = (tmp / "lab.log").read_text(errors="replace")[-3000:] if (tmp / "lab.log").exists() else ""
    pytest.fail(f"{selector} not visible after {timeout:.0f} s; cell prompts "
                f"{page.locator('.jp-CodeCell .jp-InputPrompt').all_inner_texts()}; screenshot "
                f"{tmp / 'timeout.png'}; server log tail:\n{log}")


def _click_point(page, index: int, explorer: str = ".nasnb-study-explorer") -> None:
    """Click point ``index`` of the first search's evaluations in the StudyExplorer's chart."""
    points = page.locator(f'{explorer} .nasnb-chart g.trace[data-trace="0"] .point.clickable')
    points.nth(index).wait_for(timeout=60_000)
    points.nth(index).scroll_into_view_if_needed()
    box = points.nth(index).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def _check_charts_drawn(page, tmp: Path, step: str) -> int:
    """Every chart widget on the page shows points (else a screenshot and a failure); return how many."""
    charts = page.locator(".nasnb-chart")
    n = charts.count()
    empty = [i for i in range(n) if int(charts.nth(i).get_attribute("data-points") or 0) == 0]
    if not n or empty:
        page.screenshot(path=str(tmp / f"{step}.png"), full_page=True)
        pytest.fail(f"{step}: {len(empty)} of {n} charts are empty; screenshot {tmp / (step + '.png')}")
    return n


def _save(page, path: Path, timeout: float = 120.0) -> None:
    """Save the notebook and wait until the file on disk holds the widget views.

    The tab's dirty mark is no proof (on a loaded machine the key press can land before the
    notebook has focus, and the mark is on the tab itself), so the file is read back; the save
    is asked for again, through the File menu, every 15 s until it is there.
    """
    deadline = time.monotonic() + timeout
    next_try = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() >= next_try:
            page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
            page.keyboard.press("Control+s")
            if next_try:   # the key press did not take: the menu command
                page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Save Notebook").first.click()
            next_try = time.monotonic() + 15
        try:
            cells = json.loads(path.read_text())["cells"]
        except (OSError, ValueError, KeyError):
            cells = []
        if any(WIDGET_VIEW in out.get("data", {}) for cell in cells for out in cell.get("outputs", [])):
            return
        page.wait_for_timeout(1_000)
    pytest.fail(f"{path.name} was not saved with its widget views within {timeout:.0f} s")


def _reload(page, tmp: Path, console: list, notebook: str, timeout: float = 120_000) -> None:
    """Save the notebook (its outputs hold the widget views), reload the page, wait for the widgets."""
    _save(page, tmp / notebook)
    console.clear()
    page.reload(timeout=60_000)
    try:
        page.locator(".nasnb-chart[data-points]").first.wait_for(timeout=timeout)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: fail with what the page says
        page.screenshot(path=str(tmp / "reload.png"), full_page=True)
        errors = [m for m in console if "rror" in m or "ail" in m][:10]
        pytest.fail(f"no chart came back after a reload; screenshot {tmp / 'reload.png'}; console: {errors}")
    assert not [m for m in console if "Failed to initialize model" in m], console


def test_click_to_inspect_and_editor_in_jupyterlab(lab):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, tmp = lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1500})
            console: list[str] = []
            page.on("console", lambda msg: console.append(msg.text))
            page.goto(url, timeout=60_000)
            _wait_kernel_settled(url, NOTEBOOK.name)
            _run_all_until(page, ".nasnb-inspector-plot", tmp)

            # --- click a point of the progress chart → the inspector shows that evaluation
            plot = page.locator(".nasnb-inspector-plot")
            assert plot.get_attribute("data-seq") == "2"  # opens on the best (fitness 0.9)
            _click_point(page, 4)
            page.wait_for_selector('.nasnb-inspector-plot[data-seq="4"]', timeout=20_000)
            names = page.locator(".nasnb-inspector-plot g.node").evaluate_all(
                "els => els.map(e => e.getAttribute('data-type'))")
            assert names.count("nn.ReLU") == 5 and names.count("nn.Tanh") == 1  # the #4 architecture
            page.locator(".nasnb-study-explorer").screenshot(path=str(tmp / "study_explorer.png"))

            # --- the editor: select a layer, insert one after it → the parameter count changes
            editor = page.locator(".nasnb-architecture-editor")
            editor.scroll_into_view_if_needed()
            count = editor.locator(".nasnb-param-count")
            count.wait_for(timeout=30_000)
            # the "Realised network" pane is as wide as its drawing (beside the editor or wrapped below it)
            realised = editor.locator(".widget-tab .nasnb-architecture-view svg").first
            realised.wait_for(timeout=30_000)
            pane = editor.locator(".widget-tab").first
            assert pane.bounding_box()["width"] >= realised.bounding_box()["width"]
            before = int(count.get_attribute("data-params"))
            editor.locator('.nasnb-architecture-view g.node[data-name="relu"]').first.click()
            page.wait_for_selector('.nasnb-architecture-editor .nasnb-architecture-view[data-selected="relu"]',
                                   timeout=10_000)
            editor.locator("button.nasnb-editor-insert").click()
            page.wait_for_function(
                "b => { const e = document.querySelector('.nasnb-architecture-editor .nasnb-param-count');"
                " return e && e.getAttribute('data-params') !== String(b); }", arg=before, timeout=20_000)
            after = int(count.get_attribute("data-params"))
            assert after > before
            assert editor.locator(".nasnb-architecture-view").first.locator("g.node").count() == 4
            editor.screenshot(path=str(tmp / "editor.png"))

            # --- save, reload the page with the kernel alive: the widgets come back with their state
            _reload(page, tmp, console, NOTEBOOK.name)
            _check_charts_drawn(page, tmp, "after-reload")
            _click_point(page, 1)
            page.wait_for_selector('.nasnb-inspector-plot[data-seq="1"]', timeout=30_000)
            editor = page.locator(".nasnb-architecture-editor")
            assert editor.locator(".nasnb-architecture-view").first.locator("g.node").count() == 4
        finally:
            browser.close()
    for name in ("study_explorer.png", "editor.png"):
        assert (tmp / name).stat().st_size > 10_000
        print(f"screenshot: {tmp / name}")


@contextlib.contextmanager
def _busy(n: int = 2):
    """``n`` processes spinning on a core each beside the test: the loaded machine users report."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(10)


def _wait_all_cells_ran(page, tmp: Path, timeout: float) -> None:
    """Wait until every code cell has an execution count (none pending); fail on a cell error."""
    deadline = time.monotonic() + timeout
    next_retry = time.monotonic() + 45
    stalled_since = None
    while time.monotonic() < deadline:
        _answer_dialog(page)
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        # an error (JupyterLab renders it with the stderr type): a traceback; a warning on stderr
        # (e.g. asyncio's "... allocation traceback") is no failure
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                              ":has-text('most recent call last')")
        if errors.count():
            page.screenshot(path=str(tmp / "cell-error.png"), full_page=True)
            pytest.fail("a notebook cell failed in JupyterLab:\n" + errors.first.inner_text()[-2000:])
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0
        if prompts and any(ch.isdigit() for ch in prompts[-1]) and not any("*" in p for p in prompts) and idle:
            return
        started = any(ch.isdigit() for ch in "".join(prompts))
        if not (idle and started and not any("*" in p for p in prompts)):
            stalled_since = None
        elif stalled_since is None:
            stalled_since = time.monotonic()
        elif time.monotonic() - stalled_since > 30:   # Run All stopped half way (no error shown)
            page.screenshot(path=str(tmp / "run-all-stopped.png"), full_page=True)
            pytest.fail(f"Run All stopped with cells left to run; prompts {prompts}; screenshot "
                        f"{tmp / 'run-all-stopped.png'}")
        if time.monotonic() > next_retry and not any(ch.isdigit() or "*" in ch for ch in "".join(prompts)):
            _run_all(page)   # nothing started: the kernel was not ready for the first request
            next_retry = time.monotonic() + 45
        page.wait_for_timeout(2_000)
    page.screenshot(path=str(tmp / "run-all-timeout.png"), full_page=True)
    pytest.fail(f"the notebook did not finish in {timeout:.0f} s; prompts "
                f"{page.locator('.jp-CodeCell .jp-InputPrompt').all_inner_texts()}; screenshot "
                f"{tmp / 'run-all-timeout.png'}")


def _click_changes_inspector(page, tmp: Path, step: str) -> None:
    """Click a point other than the one shown: the StudyExplorer's inspector shows that evaluation."""
    plot = page.locator(".nasnb-study-explorer .nasnb-inspector-plot").first
    plot.wait_for(timeout=60_000)
    current = plot.get_attribute("data-seq")
    index = 0 if current != "0" else 1
    _click_point(page, index)
    try:
        page.wait_for_selector(f'.nasnb-study-explorer .nasnb-inspector-plot[data-seq="{index}"]', timeout=60_000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: fail with a screenshot
        page.screenshot(path=str(tmp / f"{step}-click.png"), full_page=True)
        pytest.fail(f"{step}: clicking point {index} did not update the inspector (still #{current}); "
                    f"screenshot {tmp / (step + '-click.png')}")


def _check_images_drawn(page, tmp: Path, step: str) -> int:
    """Every image output (matplotlib figures) is loaded and has pixels; return how many."""
    with contextlib.suppress(Exception):   # an image just added may still be decoding
        page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
                               ".every(e => e.complete)", timeout=20_000)
    sizes = page.locator(".jp-OutputArea-output img").evaluate_all(
        "els => els.map(e => e.complete ? e.naturalWidth : 0)")
    if 0 in sizes:
        page.screenshot(path=str(tmp / f"{step}-images.png"), full_page=True)
        pytest.fail(f"{step}: {sizes.count(0)} of {len(sizes)} images are not drawn; "
                    f"screenshot {tmp / (step + '-images.png')}")
    return len(sizes)


def _editor_clicks_work(page, tmp: Path, step: str, train: bool) -> None:
    """In the ArchitectureEditor: click a layer (it is selected), *Insert after* (the parameter
    count changes) and, when ``train``, *Train* (a result and a loss chart with points)."""
    editor = page.locator(".nasnb-architecture-editor").first
    editor.scroll_into_view_if_needed()
    view = editor.locator(".nasnb-architecture-view").first
    try:
        view.locator("g.node").first.wait_for(timeout=60_000)
        count = editor.locator(".nasnb-param-count")
        before = int(count.get_attribute("data-params"))
        layers = view.locator("g.node").count()
        selected = (view.get_attribute("data-selected") or "").split(",")   # a click on one toggles it off
        names = view.locator("g.node").evaluate_all("els => els.map(e => e.getAttribute('data-name'))")
        name = [n for n in names if n not in selected][-1]
        view.locator(f'g.node[data-name="{name}"]').click()
        page.wait_for_function("([e, n]) => e.dataset.selected.split(',').includes(n)",
                               arg=[view.element_handle(), name], timeout=30_000)
        editor.locator("button.nasnb-editor-insert").click()
        page.wait_for_function(
            "b => { const e = document.querySelector('.nasnb-architecture-editor .nasnb-param-count');"
            " return e && e.getAttribute('data-params') !== String(b); }", arg=before, timeout=30_000)
        assert view.locator("g.node").count() == layers + 1
        if train:
            editor.locator("button.nasnb-editor-train").click()
            editor.locator('.nasnb-editor-result[data-status="done"]').wait_for(timeout=120_000)
            chart = editor.locator(".nasnb-chart").first
            chart.wait_for(timeout=30_000)
            page.wait_for_function("e => Number(e.getAttribute('data-points')) > 0", arg=chart.element_handle(),
                                   timeout=30_000)
    except Exception as exc:  # noqa: BLE001 - playwright's TimeoutError or an assertion: fail with a screenshot
        page.screenshot(path=str(tmp / f"{step}-editor.png"), full_page=True)
        pytest.fail(f"{step}: the editor did not answer a click ({type(exc).__name__}: {str(exc)[:300]}); "
                    f"screenshot {tmp / (step + '-editor.png')}")


def _wait_kernel_settled(url: str, path: str, timeout: float = 120.0) -> None:
    """Wait until the notebook's session has one kernel, the same for 3 s, and it is idle.

    Opening a notebook, JupyterLab may start a kernel and replace it at once by another; a *Run
    All* sent meanwhile runs its first cell on the first kernel and stops there.
    """
    base, token = url.split("/lab/")[0], url.split("token=")[1]
    deadline, seen, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=30) as reply:  # noqa: S310
            kernels = [(s["kernel"]["id"], s["kernel"]["execution_state"]) for s in json.loads(reply.read())
                       if s.get("path") == path and s.get("kernel")]
        if len(kernels) != 1 or kernels[0][0] != seen:
            seen, since = (kernels[0][0] if len(kernels) == 1 else None), time.monotonic()
        elif kernels[0][1] == "idle" and time.monotonic() - since >= 3:
            return
        time.sleep(0.5)
    pytest.fail(f"the kernel of {path} did not settle in {timeout:.0f} s (sessions: {kernels})")


def _shut_down_kernels(url: str) -> None:
    """Stop every kernel session of the server: the next run starts a fresh kernel."""
    base, token = url.split("/lab/")[0], url.split("token=")[1]
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=30) as reply:  # noqa: S310
        sessions = json.loads(reply.read())
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=60).close()  # noqa: S310 - localhost


@pytest.mark.parametrize("run", range(REPEAT))
@pytest.mark.parametrize("notebook", LESSONS)
def test_notebook_runs_all_widgets_drawn_and_survive_a_reload_under_load(lab, notebook, run):
    """Run All of a fresh kernel beside two busy processes: every chart drawn, clicks work, and
    after saving and reloading the page (kernel alive) the charts are back and clicks work."""
    sync_api = pytest.importorskip("playwright.sync_api")
    url, tmp = lab
    folder = f"{Path(notebook).stem}-{run}"   # a folder of its own: no store of an earlier run is resumed
    (tmp / folder).mkdir()
    nb = nbformat.read(REPO / notebook, as_version=4)
    for cell in nb.cells:   # without its committed outputs: a fresh run must draw everything itself
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    path = f"{folder}/{Path(notebook).name}"
    nbformat.write(nb, tmp / path)
    # a workspace of its own: no tab of an earlier test is restored beside the notebook
    url = url.replace(f"/lab/tree/{NOTEBOOK.name}?", f"/lab/workspaces/{folder}/tree/{path}?reset&")
    checks = LESSONS[notebook]
    with _busy(2), sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1500})
            console: list[str] = []
            page.on("console", lambda msg: console.append(msg.text))
            page.goto(url, timeout=90_000)
            _wait_kernel_settled(lab[0], path)
            _run_all(page)
            _wait_all_cells_ran(page, tmp, timeout=600)
            _check_images_drawn(page, tmp, f"{folder}-run-all")
            if checks == "explorer":
                assert _check_charts_drawn(page, tmp, f"{folder}-run-all") >= 1
                _click_changes_inspector(page, tmp, folder)
            else:
                _editor_clicks_work(page, tmp, folder, train=True)
                _check_charts_drawn(page, tmp, f"{folder}-trained")
            assert not [m for m in console if "Failed to initialize model" in m], console
            _reload(page, tmp, console, path)
            _check_charts_drawn(page, tmp, f"{folder}-after-reload")
            if checks == "explorer":
                _click_changes_inspector(page, tmp, f"{folder}-after-reload")
            else:
                _editor_clicks_work(page, tmp, f"{folder}-after-reload", train=False)
        finally:
            browser.close()
            _shut_down_kernels(lab[0])
