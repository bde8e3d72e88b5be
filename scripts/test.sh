#!/usr/bin/env bash
# Runs the whole test suite. pytest exits 5 when it collected no tests: that is a failure too.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Migrations are not up to date: run manage.py makemigrations" >&2; exit 1; }
.venv/bin/pytest "$@"
status=$?
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests: failing the run" >&2
  exit 1
fi
exit $status
