"""The README's main job (`python -m nasnb demo`) on embedded data."""

import subprocess
import sys

from nasnb.cli import demo


def test_demo_trains_searches_and_writes_figures(tmp_path):
    report = demo(tmp_path, "small", cluster=False, seed=0)
    assert report["branched_accuracy"] > 0.5          # 10 classes: chance is 0.1
    assert report["best_fitness"] >= report["branched_accuracy"] - 0.2
    for name in ("progress.png", "overlay.png", "demo.sqlite"):
        assert (tmp_path / name).stat().st_size > 0


def test_demo_command_line_rejects_an_unknown_budget():
    proc = subprocess.run([sys.executable, "-m", "nasnb", "demo", "--budget", "huge"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "invalid choice: 'huge'" in proc.stderr
