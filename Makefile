# Each target creates .venv when missing and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

# The seeding and cascade kernels are compiled once into numba's cache here, so that the
# first `ripplemeter seeds` does not spend half a minute compiling.
demo: $(VENV)/.installed
	$(BIN)/python -m ripplemeter.network.warmup
	$(BIN)/ripplemeter demo --out demo

test: $(STAMP)
	@bash .ci/install-chromium || true
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_diffusion.py --rounds 3
	$(BIN)/python benchmarks/bench_seeding.py

clean:
	rm -rf $(VENV) demo .pytest_cache
