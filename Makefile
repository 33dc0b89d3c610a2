# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The civic lottery's selection runs the Sortition Foundation's library (GPL-3.0) as a
# separate program from an environment of its own, never imported by this (MIT) project
# (docs/lottery.md). SORTITION_COMMAND may point elsewhere.
LOTTERY_VENV := .venv-lottery
# `mip`: its CBC solver, about five times faster than the default on 1,000 registrants
SORTITION_PIN := sortition-algorithms[cli,mip]>=0.12.15,<0.13

.PHONY: run test lint bench clean lottery-env

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

LOTTERY_STAMP := $(LOTTERY_VENV)/.installed-0.12-cli-mip

$(LOTTERY_STAMP):
	$(PYTHON) -m venv $(LOTTERY_VENV)
	$(LOTTERY_VENV)/bin/python -m pip install --quiet '$(SORTITION_PIN)'
	touch $(LOTTERY_STAMP)

# The lottery's own environment (`.venv-lottery`): the selection tests run against it.
lottery-env: $(LOTTERY_STAMP)

# The web app on http://$(HOST):$(PORT) with the worker beside it (stopped together).
# `make run HOST=0.0.0.0 PORT=8000` serves elsewhere. `outreach serve` first prints the
# address links sent to people use (PUBLIC_BASE_URL), with a warning while it is local.
run: $(STAMP)
	$(BIN)/outreach db upgrade
	$(BIN)/outreach surveys load
	$(BIN)/outreach worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/outreach serve --host $(HOST) --port $(PORT)

# On every core (pytest-xdist; each worker its own PostgreSQL schema), the 10 slowest shown.
test: $(STAMP) lottery-env
	$(BIN)/ruff check app.py assembly bot webhooks surveys translations store staff demo lottery tests bench
	$(BIN)/python -m pytest -n auto --durations=10 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app.py assembly bot webhooks surveys translations store staff demo lottery tests bench

# Figures against the aims in docs/PERFORMANCE.md (wrk: Debian's package, installed if missing).
bench: $(STAMP) $(LOTTERY_STAMP)
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null 2>&1 \
	  || echo "wrk is missing and could not be installed: apt-get install wrk"
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(LOTTERY_VENV) *.egg-info
