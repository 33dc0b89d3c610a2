# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The web app on http://$(HOST):$(PORT) with the worker beside it (stopped together).
# `make run HOST=0.0.0.0 PORT=8000` serves elsewhere. `outreach serve` first prints the
# address links sent to people use (PUBLIC_BASE_URL), with a warning while it is local.
run: $(STAMP)
	$(BIN)/outreach db upgrade
	$(BIN)/outreach surveys load
	$(BIN)/outreach worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/outreach serve --host $(HOST) --port $(PORT)

# On every core (pytest-xdist; each worker its own PostgreSQL schema), the 10 slowest shown.
test: $(STAMP)
	$(BIN)/ruff check app.py assembly bot webhooks surveys translations store staff demo lottery tests bench
	$(BIN)/python -m pytest -n auto --durations=10 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app.py assembly bot webhooks surveys translations store staff demo lottery tests bench

# Figures against the aims in docs/PERFORMANCE.md (wrk: Debian's package, installed if missing).
bench: $(STAMP)
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null 2>&1 \
	  || echo "wrk is missing and could not be installed: apt-get install wrk"
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info
