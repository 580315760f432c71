# highneeds: `make report` builds the environment and the paper; `make test` runs every test.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV   := .venv
PYTHON := $(VENV)/bin/python
# uv from PATH, else Python's own, else one installed in a venv of its own (.uv/): Debian's
# Python refuses `pip install` outside a venv (PEP 668).
UV     := $(shell command -v uv 2>/dev/null || { python3 -m uv --version >/dev/null 2>&1 && echo python3 -m uv; } || echo .uv/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# Compile every installed module once, at install: without .pyc files (and with
# PYTHONDONTWRITEBYTECODE set, as on CI) each process recompiles what it imports.
export UV_COMPILE_BYTECODE := 1

.PHONY: help setup report test lint bench clean

help: ## show the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-8s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## create .venv from uv.lock, with the notebooks' own kernel

$(VENV)/.installed: uv.lock pyproject.toml scripts/setup-system.sh
	@bash scripts/setup-system.sh
	@[ "$(UV)" != ".uv/bin/uv" ] || [ -x .uv/bin/uv ] || { python3 -m venv .uv && { .uv/bin/pip install --quiet uv >.uv/pip.log 2>&1 || { cat .uv/pip.log >&2; exit 1; }; }; }
	@echo "Setting up .venv from uv.lock (once; a minute on a fresh machine) ..."
	@$(UV) sync --frozen --quiet
	@$(PYTHON) -m compileall -q src
	@$(PYTHON) -m ipykernel install --sys-prefix --name highneeds --display-name "Python (highneeds)" >/dev/null
	@bash scripts/check-interpreter.sh $(PYTHON)
	@touch $@

# GNU make exits 2 whenever a command fails, so `make report` says the pipeline's own exit
# code; schedules run the pipeline directly, which keeps it (see deploy/).
report: setup ## run every council's newest cycle and print where each paper is
	@$(PYTHON) pipeline.py run --all || { code=$$?; echo "make: pipeline.py run --all exited with $$code (README.md: exit codes)" >&2; exit $$code; }

test: setup ## run the whole test suite (unit, notebook, end-to-end, accessibility)
	@bash scripts/setup-system.sh --browser
	$(PYTHON) -m pytest -n auto --dist worksteal

bench: setup ## time the pipeline against the stock tools, the preview, and run --all on 20 councils (not part of make test)
	@bash scripts/setup-system.sh --browser
	$(PYTHON) benchmarks/bench.py
	$(PYTHON) benchmarks/councils.py
	$(PYTHON) benchmarks/backtest.py
	$(PYTHON) benchmarks/narrative.py

lint: setup ## ruff (lint and format) and mypy (types of the package)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean: ## remove the environment and every generated report and processed table
	rm -rf $(VENV) .uv reports/*/ reports/.store data/processed/*
