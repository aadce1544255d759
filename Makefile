# nasnb: the two commands of the README's quick start are `make demo` and `make test`.
PY ?= python3
PIP = $(PY) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore

.PHONY: install demo system-deps test-install lint test benchmarks lab docs

install:  ## torch is pinned first so pip never pulls the multi-GB CUDA build
	$(PIP) torch==2.13.0
	$(PIP) -e ".[all]"

demo: install  ## a regularized-evolution search on embedded data (digits), local then on 2 MPI engines
	$(PY) -m nasnb demo

system-deps:  ## Debian packages: the browser test, Graphviz rendering, and (as root) Slurm + munge for tests/multihost
	@command -v chromium >/dev/null && command -v dot >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium graphviz >/dev/null)
	@[ "$$(id -u)" != 0 ] || (command -v slurmctld >/dev/null && command -v munged >/dev/null) || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null)

test-install: system-deps
	$(PIP) torch==2.13.0
	$(PIP) -e ".[test]"

lint:  ## ruff (lint and format) and mypy on nasnb/, settings in pyproject.toml; zero findings
	$(PY) -m ruff check nasnb
	$(PY) -m ruff format --check nasnb
	$(PY) -m mypy

test: test-install lint  ## lint, then the whole suite, notebooks included, with their small budgets, on 2 workers
	$(PY) -m pytest -n 2 --dist loadgroup

benchmarks: install
	$(PY) benchmarks/run_all.py

lab: install
	$(PY) -m jupyter lab notebooks/

docs: install  ## the documentation site into docs/_build/html (notebooks rendered as committed, never executed)
	$(PIP) -e ".[docs]"
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html
