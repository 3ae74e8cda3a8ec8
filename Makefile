# powerflow: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    := out

.PHONY: help setup system demo test lint typecheck pytest bench docs clean schema

help:
	@echo "make demo   - set up everything and run powerflow on the sample catalogue (flows/)"
	@echo "make test   - set up everything and run the linters and the test suite"
	@echo "make bench  - run the benchmarks in tests/bench and print their tables"
	@echo "make docs   - build the user guide (docs/, mkdocs.yml) as a static site in out/docs/"

system:
	@bash .ci/system-packages.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

setup: system $(VENV)/.installed

demo: setup
	@bash examples/demo.sh

lint: setup
	$(BIN)/ruff check powerflow tests
	$(BIN)/mypy
	$(BIN)/powerflow fmt --check flows/ examples/
	$(BIN)/powerflow check flows/ --no-cache

pytest: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

test: lint pytest

schema: setup
	$(BIN)/powerflow schema > docs/schema/flow.schema.json
	$(BIN)/powerflow schema --catalog > docs/schema/catalog.schema.json

bench: setup
	$(BIN)/python -m tests.bench

$(VENV)/.docs-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[docs]'
	@touch $@

docs: $(VENV)/.docs-installed
	$(BIN)/python -m mkdocs build --clean --site-dir $(OUT)/docs
	@echo "powerflow: the guide is in $(OUT)/docs/index.html (open it from the file system)."

clean:
	rm -rf $(VENV) $(OUT) site .pytest_cache .mypy_cache .ruff_cache .powerflow-cache
