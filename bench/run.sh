#!/usr/bin/env bash
# `make bench`: the benchmarks of issue 9 on SQLite and on a throwaway PostgreSQL cluster,
# then docs/PERFORMANCE.md. Not part of `make test`. Everything it starts it stops.
#   BENCH_HOLDERS=5000 make bench     a quicker run (default 50,000 holders)
#   BENCH_DURATION, BENCH_CONCURRENCY seconds per page and level, connections (15; 1,4,16)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOLDERS=${BENCH_HOLDERS:-50000}
FORMS=${BENCH_FORMS:-$(( HOLDERS * 2 ))}
DURATION=${BENCH_DURATION:-15}
CONCURRENCY=${BENCH_CONCURRENCY:-1,4,16}
# Persistent database connections, as in production (deploy/env.example): without them
# every request to PostgreSQL opens a connection (with SCRAM authentication), which
# costs more than the bare view itself.
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}

one_database() {
  $PY -m bench fresh
  $PY -m bench generate --holders "$HOLDERS" --forms "$FORMS"
  $PY -m bench invoices
  $PY -m bench load --duration "$DURATION" --concurrency "$CONCURRENCY"
}

if [[ ${1:-} == --one-database ]]; then
  one_database
  exit 0
fi

if ! command -v wrk >/dev/null; then
  apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi

echo "== SQLite: $HOLDERS holders"
one_database
$PY -m bench pdf --runs 50
echo "== PostgreSQL: $HOLDERS holders"
scripts/with-postgres.sh bash bench/run.sh --one-database
command="make bench"
[[ $HOLDERS != 50000 ]] && command="BENCH_HOLDERS=$HOLDERS make bench"
$PY -m bench report --command "$command"
