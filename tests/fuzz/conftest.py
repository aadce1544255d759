"""Hypothesis profiles of the fuzz suite and a warm-up before the memory guard of the readers.

Profiles (see README.md): ``ci`` (default; ``NASNB_FUZZ_EXAMPLES`` examples per target, 30
unless set) and ``long`` (``--hypothesis-profile=long``; ``NASNB_FUZZ_EXAMPLES`` or 2,000).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.internal.charmap import charmap

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hardening"))

_CHECKS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
           HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=int(os.environ.get("NASNB_FUZZ_EXAMPLES", 30)), deadline=None,
                          database=None, derandomize=True, suppress_health_check=_CHECKS, print_blob=True)
settings.register_profile("long", max_examples=int(os.environ.get("NASNB_FUZZ_EXAMPLES", 2000)), deadline=None,
                          suppress_health_check=_CHECKS, print_blob=True)
if os.environ.get("NASNB_FUZZ_PROFILE"):
    settings.load_profile(os.environ["NASNB_FUZZ_PROFILE"])
elif not any(arg.startswith("--hypothesis-profile") for arg in sys.argv):
    settings.load_profile("ci")
    # the CI run keeps nothing: Hypothesis' caches go to a temporary directory, not ./.hypothesis
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "nasnb-hypothesis")

@pytest.fixture(scope="session", autouse=True)
def _warm_up():
    """Build Hypothesis' Unicode table and initialise torch's optimizers (each costs 100-250 MB once)
    before any reader is measured."""
    import torch

    charmap()
    for name in ("Adam", "SGD", "RMSprop", "Adamax", "Adagrad", "AdamW"):
        weight = torch.nn.Parameter(torch.zeros(2))
        optimizer = getattr(torch.optim, name)([weight], lr=0.1)
        weight.grad = torch.ones(2)
        optimizer.step()
    yield
