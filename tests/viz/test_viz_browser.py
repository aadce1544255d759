"""Real-browser test: the genome inspector served by Voilà, driven in headless Chromium.

Voilà runs ``tests/viz/browser/inspector_app.ipynb`` (a live kernel behind the page); Playwright
drives Debian's Chromium (never a downloaded browser), picks another individual in the
inspector's dropdown and checks that the architecture plot changes. A screenshot is saved in
pytest's tmp dir (path printed in the test log).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
APP = Path(__file__).parent / "browser" / "inspector_app.ipynb"
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def voila_url(tmp_path):
    pytest.importorskip("voila")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), MPLBACKEND="Agg")
    app = tmp_path / APP.name
    shutil.copy(APP, app)
    log = open(tmp_path / "voila.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "voila", str(app), "--no-browser", f"--port={port}",
                             "--Voila.ip=127.0.0.1", "--show_tracebacks=True"],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                urllib.request.urlopen(url + "voila/static/does-not-exist", timeout=2)  # noqa: S310 - localhost
                break
            except urllib.error.HTTPError:  # any HTTP answer: the server is up
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("Voila did not start:\n" + (tmp_path / "voila.log").read_text(errors="replace"))
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_genome_inspector_in_chromium(voila_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    shot = tmp_path / "genome_inspector.png"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(voila_url, timeout=45_000)
            plot = page.locator(".nasnb-inspector-plot")
            plot.wait_for(timeout=45_000)
            assert plot.get_attribute("data-seq") == "0"
            before = plot.inner_html()
            assert page.locator(".nasnb-inspector-plot g.node").count() == 3  # input, node_1, output
            page.locator(".nasnb-genome-inspector select").select_option(label=page.locator(
                ".nasnb-genome-inspector select option").nth(2).inner_text())
            page.wait_for_selector('.nasnb-inspector-plot[data-seq="2"]', timeout=20_000)
            after = page.locator(".nasnb-inspector-plot").inner_html()
            assert after != before
            names = page.locator(".nasnb-inspector-plot g.node").evaluate_all(
                "els => els.map(e => e.getAttribute('data-name'))")
            assert sorted(names) == ["input", "node_1", "node_4", "node_7", "output"]
            # node_7 has no path to the output: drawn faded
            assert page.locator('.nasnb-inspector-plot g.node[data-name="node_7"]').get_attribute("data-active") == "false"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
