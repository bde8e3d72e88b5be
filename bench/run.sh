#!/usr/bin/env bash
# `make bench`: the benchmarks of issues 9 and 19 on SQLite and on a throwaway PostgreSQL
# cluster, then docs/PERFORMANCE.md and the measured block of docs/SCALING.md. Not part
# of `make test`. Everything it starts it stops.
#   BENCH_HOLDERS=5000 make bench     a quicker run (default 50,000 holders)
#   BENCH_DURATION        seconds per page at each concurrency, in 5 slices (20)
#   BENCH_CONCURRENCY     wrk connections for the per-page figures, comma separated (1)
#   BENCH_SESSIONS_DURATION  seconds of the 100-concurrent-sessions run (30)
#   BENCH_REDIS=0         no Redis: the cache is the settings' database cache
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOLDERS=${BENCH_HOLDERS:-50000}
FORMS=${BENCH_FORMS:-$(( HOLDERS * 2 ))}
DURATION=${BENCH_DURATION:-20}
CONCURRENCY=${BENCH_CONCURRENCY:-1}
SESSIONS_DURATION=${BENCH_SESSIONS_DURATION:-30}
# Persistent database connections, as in production (deploy/env.example): without them
# every request to PostgreSQL opens a connection (with SCRAM authentication), which
# costs more than the bare view itself.
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}

# The cache (sign-in throttling, and whatever else the settings keep in it) is Redis in
# production: a throwaway redis-server on a free loopback port, one per database run, so
# nothing cached in one run is read in the next. Celery's broker stays in memory
# (bench/settings.py).
with_redis() {
  if [[ ${BENCH_REDIS:-1} == 0 ]] || ! command -v redis-server >/dev/null; then
    "$@"
    return
  fi
  local port dir pid status=0
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  dir=$(mktemp -d /tmp/bench-redis.XXXXXX)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --logfile "$dir/redis.log" &
  pid=$!
  trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  REDIS_URL="redis://127.0.0.1:$port/0" "$@" || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  trap - EXIT
  return $status
}

step() {
  echo "-- $(date -u +%H:%M:%S) $*"
  $PY -m bench "$@"
}

one_database() {
  step fresh
  step calibrate
  step generate --holders "$HOLDERS" --forms "$FORMS"
  step invoices
  step load --duration "$DURATION" --concurrency "$CONCURRENCY" \
    --sessions-duration "$SESSIONS_DURATION"
}

if [[ ${1:-} == --one-database ]]; then
  with_redis one_database
  exit 0
fi

if ! command -v wrk >/dev/null; then
  apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi

started=$(date +%s)
# The static files where production has them (whitenoise indexes them at start-up).
DJANGO_SETTINGS_MODULE=bench.settings $PY -m django collectstatic --noinput -v0
echo "== SQLite: $HOLDERS holders"
with_redis one_database
step pdf --runs 30
echo "== PostgreSQL: $HOLDERS holders"
scripts/with-postgres.sh bash bench/run.sh --one-database
command="make bench"
[[ $HOLDERS != 50000 ]] && command="BENCH_HOLDERS=$HOLDERS make bench"
step report --command "$command" --seconds $(( $(date +%s) - started ))
