"""Two pool threads whose first evaluations start while torch is still being imported.

``run_evaluation`` sets torch's thread count around each evaluation; a thread that found a
half-initialised ``torch`` in ``sys.modules`` (another thread still importing it) failed with an
``AttributeError`` instead of waiting for the import to finish.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_an_evaluation_started_while_another_thread_imports_torch_waits_for_it():
    script = textwrap.dedent(
        """
        import sys, threading
        assert "torch" not in sys.modules
        from nasnb.evaluators.execution import run_evaluation

        class Constant:
            threads = 1
            def descriptor_evaluate(self, descriptor, **kwargs):
                return 0.5

        outcomes, errors = [], []
        def evaluate():
            try:
                outcomes.append(run_evaluation(Constant(), None, fast=False))
            except Exception as exc:
                errors.append(repr(exc))

        importer = threading.Thread(target=lambda: __import__("torch"))
        importer.start()
        while "torch" not in sys.modules:   # torch's import has begun and is not finished
            pass
        threads = [threading.Thread(target=evaluate) for _ in range(4)]
        for t in threads: t.start()
        for t in [importer, *threads]: t.join()
        assert not errors, errors
        print([o.result.status for o in outcomes], [o.result.fitness for o in outcomes])
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split("\n")[0] == "['done', 'done', 'done', 'done'] [0.5, 0.5, 0.5, 0.5]"
