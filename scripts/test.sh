#!/usr/bin/env bash
# Runs the whole test suite on SQLite (two processes), then the database-sensitive tests (marker
# `postgres`: locking, concurrency, constraints) again on a throwaway PostgreSQL cluster.
# pytest exits 5 when it collected no tests: that is a failure too.
set -uo pipefail
cd "$(dirname "$0")/.."

fail_on_no_tests() {
  local status=$1
  if [[ $status -eq 5 ]]; then
    echo "pytest collected no tests: failing the run" >&2
    return 1
  fi
  return "$status"
}

.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Migrations are not up to date: run manage.py makemigrations" >&2; exit 1; }

# The whole suite in two processes (pytest-xdist, one per core): each has its own SQLite
# test database, memory cache, media folder, Chromium, localstripe and Redis on free
# ports. `--dist load` hands tests out in collection order, which pytest-django sorts
# rollback tests before flushing (transaction=True) ones: in each process, as in one, no
# test runs after a flush has emptied the data the migrations seed. PYTEST_WORKERS=0
# runs it in this one process; arguments after `make test` or scripts/test.sh go to
# pytest (a later -n wins). A failure still fails the run; so does collecting nothing.
# The production shape (PostgreSQL, Redis, gunicorn, two Celery workers and beat, SMTP,
# localstripe) started on loopback and driven over HTTP: about a minute, mostly waiting
# on processes, so it runs beside the suite (its own free ports and data directory) and
# its report is printed, and judged, after the suite's.
mkdir -p var
smoke_log=var/prod-smoke.log
.venv/bin/python scripts/prod_smoke.py >"$smoke_log" 2>&1 &
smoke_pid=$!
trap 'kill "$smoke_pid" 2>/dev/null' EXIT

echo "== Whole suite on SQLite"
.venv/bin/pytest -n "${PYTEST_WORKERS:-2}" --dist load "$@"
fail_on_no_tests $? || exit $?

echo "== Database-sensitive tests on PostgreSQL"
scripts/with-postgres.sh .venv/bin/pytest -m postgres -p no:cacheprovider "$@"
fail_on_no_tests $? || exit $?

echo "== Production smoke run (ran beside the suite)"
wait "$smoke_pid"
smoke_status=$?
trap - EXIT
cat "$smoke_log"
exit "$smoke_status"
