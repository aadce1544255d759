"""Classroom lessons: exercise checks and the student / solution editions.

* :mod:`~nasnb.classroom.checks` -- :func:`check` (the answer key of every exercise of
  ``notebooks/classroom/``), :func:`hint`, :func:`exercises`, :class:`CheckResult`, and the
  constants the exercises use;
* :mod:`~nasnb.classroom.editions` -- :func:`make_editions`: from one source per lesson (a
  jupytext percent script with ``### BEGIN/END SOLUTION`` blocks and ``teacher`` cells) the
  student edition (answers replaced by ``...``) and the solution edition. From a shell:
  ``python -m nasnb.classroom notebooks/classroom [--check]``.

Examples
--------
>>> from nasnb.classroom import check
>>> check("03.kendall", 0.8).passed
True
>>> check("03.kendall", 0.5).passed
False
>>> sorted(exercises())[:2]
['01.choices', '01.sequential']
"""

from nasnb.classroom.checks import (
    ALPHA_ROWS,
    EXERCISES,
    KENDALL_X,
    KENDALL_Y,
    ROUNDING_PROXY,
    ROUNDING_TRUE,
    SCHEDULE_DURATIONS,
    SCHEDULE_WORKERS,
    CheckResult,
    Skipped,
    check,
    exercises,
    hint,
    solved,
)
from nasnb.classroom.editions import EDITION_DIRS, build_editions, make_editions, split_solution

__all__ = [
    "CheckResult",
    "Skipped",
    "check",
    "solved",
    "exercises",
    "hint",
    "EXERCISES",
    "KENDALL_X",
    "KENDALL_Y",
    "ROUNDING_PROXY",
    "ROUNDING_TRUE",
    "ALPHA_ROWS",
    "SCHEDULE_DURATIONS",
    "SCHEDULE_WORKERS",
    "make_editions",
    "build_editions",
    "split_solution",
    "EDITION_DIRS",
]
