# The two commands of the README: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test install install-test system-deps lint bench

$(VENV)/bin/python:
	bash scripts/install-system-deps.sh
	python3 -m venv $(VENV)

system-deps:
	bash scripts/install-system-deps.sh

install: $(VENV)/bin/python system-deps
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[demo]'

install-test: $(VENV)/bin/python
	bash scripts/install-system-deps.sh --test
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[demo,test]'

run: install
	bash scripts/run.sh

test: install-test
	bash scripts/test.sh

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
