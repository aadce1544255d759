"""Issue 25, point 1: the harness from the command line, and leftovers of a killed run removed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from .harness import PREFIX, ROOT, Hosts, _ip, _namespaces, available, cleanup_leftovers

pytestmark = [pytest.mark.multihost]


@pytest.fixture(autouse=True)
def _root():
    why = available()
    if why is not None:
        pytest.skip(f"multi-host tests need network namespaces: {why}")


def _cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "tests.multihost.harness", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_up_and_down_from_the_command_line(tmp_path):
    up = _cli("up", "--dir", str(tmp_path), "--engines", "")
    assert up.returncode == 0, up.stdout + up.stderr
    tag = json.loads((tmp_path / "hosts.json").read_text())["tag"]
    try:
        assert f"client connection file: {tmp_path}/profile/security/ipcontroller-client.json" in up.stdout
        assert sorted(n for n in _namespaces() if n.startswith(PREFIX + tag)) == [
            f"{PREFIX}{tag}-{h}" for h in ("a", "b", "c", "sw")]
        assert tag not in cleanup_leftovers()  # a detached run is not a leftover
    finally:
        down = _cli("down", "--dir", str(tmp_path))
    assert down.returncode == 0, down.stdout + down.stderr
    assert not [n for n in _namespaces() if n.startswith(PREFIX + tag)]


def _root_links():
    """The network interfaces of the machine's own namespace."""
    return sorted(line.split(":")[1].strip() for line in _ip("-o", "link", "show").stdout.splitlines())


def test_a_test_that_fails_leaves_no_namespace_link_or_process():
    links = _root_links()
    with pytest.raises(RuntimeError, match="the test failed"):
        with Hosts(engines={}) as hosts:
            tag = hosts.tag
            controller = [int(p) for p in _ip("netns", "pids", hosts.ns("a")).stdout.split()]
            assert controller  # the controller runs on host a
            assert _root_links() == links  # nothing was added to the machine's own namespace
            raise RuntimeError("the test failed")
    assert not [n for n in _namespaces() if n.startswith(PREFIX + tag)]
    assert not any(_alive(p) for p in controller)
    assert _root_links() == links


def test_the_namespaces_and_processes_of_a_killed_run_are_removed(tmp_path):
    code = ("import sys, time; from tests.multihost.harness import Hosts\n"
            "h = Hosts(engines={}, workdir=sys.argv[1]).up(); print(h.tag, flush=True); time.sleep(600)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    tag = proc.stdout.readline().strip()
    assert tag, "the harness did not come up"
    controller = [line for line in subprocess.run(["ip", "netns", "pids", f"{PREFIX}{tag}-a"], capture_output=True,
                                                  text=True).stdout.split()]
    assert controller  # the controller runs on host a
    proc.send_signal(signal.SIGKILL)  # no finalizer runs
    proc.wait(10)
    assert tag in cleanup_leftovers()
    assert not [n for n in _namespaces() if n.startswith(PREFIX + tag)]
    deadline = time.monotonic() + 10
    while any(_alive(int(p)) for p in controller) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(int(p)) for p in controller)


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False
