# The two commands: `make run` serves the shop, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DEBUG ?=
export HOST PORT

.PHONY: run test bench install clean

$(BIN)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(BIN)/.installed-run

$(BIN)/.installed-bench: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(BIN)/.installed-test $(BIN)/.installed-run

install: $(BIN)/.installed-run

run: $(BIN)/.installed-run
	$(BIN)/shop db init
	$(BIN)/shop db seed-demo --if-empty
	$(BIN)/shop recommender seed-demo --if-empty
	$(BIN)/shop recommender train --if-needed
	$(BIN)/shop run --host $(HOST) --port $(PORT)$(if $(DEBUG), --debug)

test: $(BIN)/.installed-test
	bash scripts/test.sh

bench: $(BIN)/.installed-bench
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) .pytest_cache
