# highneeds: `make report` builds the environment and the paper; `make test` runs every test.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV   := .venv
PYTHON := $(VENV)/bin/python
# uv from PATH, else the one installed by `python3 -m pip install uv`.
UV     := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
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
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	$(PYTHON) -m compileall -q src
	$(PYTHON) -m ipykernel install --sys-prefix --name highneeds --display-name "Python (highneeds)" >/dev/null
	@touch $@

report: setup ## run the newest cycle and print where the paper is
	$(PYTHON) pipeline.py run

test: setup ## run the whole test suite (unit, notebook, end-to-end, accessibility)
	@bash scripts/setup-system.sh --browser
	$(PYTHON) -m pytest

bench: setup ## time the pipeline against the stock tools (not part of make test)
	$(PYTHON) benchmarks/bench.py

lint: setup ## ruff: lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean: ## remove the environment and every generated report and processed table
	rm -rf $(VENV) reports/*/ data/processed/*/
