"""Run code written for the original NORD framework with only its import lines changed.

The scripts in these tests are written in the original framework's style with its imports
(``from nord.neural_nets import ...``). :func:`run_original` rewrites ``nord`` to
``nasnb.nord`` on import lines only, checks that no other line changed, and runs the script.
"""

from __future__ import annotations

import re
import textwrap

import torch

_IMPORT = re.compile(r"^(\s*)(from|import)\s+nord(\.|\s|$)")


def port_imports(source: str) -> str:
    """The script with ``nord`` imports pointing at ``nasnb.nord``; every other line kept."""
    source = textwrap.dedent(source)
    out = []
    for line in source.splitlines():
        new = _IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)} nasnb.nord{m.group(3)}", line)
        if new != line:
            assert line.lstrip().startswith(("from nord", "import nord")), line
        out.append(new)
    return "\n".join(out) + "\n"


def run_original(source: str, name: str = "script", **inputs) -> dict:
    """Execute a script written for the original framework (imports ported); return its namespace."""
    ported = port_imports(source)
    changed = [(a, b) for a, b in zip(textwrap.dedent(source).splitlines(), ported.splitlines()) if a != b]
    assert changed and all(a.lstrip().startswith(("from nord", "import nord")) for a, _ in changed)
    namespace = {"__name__": f"nord_script_{name}", **inputs}
    exec(compile(ported, f"<{name}>", "exec"), namespace)  # test-authored code only
    return namespace


def restore_determinism():
    """Undo the global switches of assure_reproducibility() (other tests share the process)."""
    torch.use_deterministic_algorithms(False)
    torch.backends.cudnn.deterministic = False
