# Everything installs into .venv from the project's own requirement files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATA ?= .local-data

.PHONY: install local test bench bench-requests bench-executions bench-local clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps -e .

local: install
	$(BIN)/stepwise local --port $(PORT) --data-dir $(DATA)

test: install
	$(BIN)/pytest -n 2

bench: install
	$(BIN)/python bench/compile.py

bench-requests: install
	$(BIN)/python bench/api_requests.py

bench-executions: install
	$(BIN)/python bench/executions.py

bench-local: install
	PYTHONPATH=. $(BIN)/python bench/local_start.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
