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

# pip runs only when pyproject.toml changed since the last install: the stamp's name
# carries the file's hash (a new hash, a new stamp; the old ones are removed).
TEST_STAMP := $(VENV)/.installed-test-$(shell sha256sum pyproject.toml | cut -c1-16)

$(TEST_STAMP): | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[demo,test]'
	rm -f $(VENV)/.installed-test-*
	touch $@

install-test: $(VENV)/bin/python $(TEST_STAMP)
	bash scripts/install-system-deps.sh --test
	@# axe-core for the accessibility tests, from the npm registry (tests/browser/package.json).
	[ -d tests/browser/node_modules/axe-core ] || npm --prefix tests/browser install --no-audit --no-fund --loglevel=error
	@# Digital Bazaar's VC verifier, the independent check of our Open Badges (tests/badges/package.json).
	[ -d tests/badges/node_modules/@digitalbazaar/vc ] || npm --prefix tests/badges install --no-audit --no-fund --loglevel=error

run: install
	bash scripts/run.sh

test: install-test
	bash scripts/test.sh

# The production shape on loopback: PostgreSQL, Redis, localstripe, an SMTP sink,
# gunicorn, two Celery workers and beat, driven over HTTP (scripts/prod_smoke.py).
.PHONY: prod-smoke
prod-smoke: install-test
	$(PY) scripts/prod_smoke.py

# Benchmarks (issues 9 and 19), not part of `make test`: data for 50,000 holders on SQLite
# and PostgreSQL, the invoice run, gunicorn + wrk against the framework floor (the page
# cache on, and PAGE_CACHE=off beside it), PDF renders, a profile per page (hit and miss,
# bench/profiles/); figures in docs/PERFORMANCE.md and docs/SCALING.md.
# BENCH_HOLDERS=5000 for a quicker run.
bench: install-test
	$(PY) -m pip install --quiet -e '.[demo,test,bench]'
	bash bench/run.sh

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
