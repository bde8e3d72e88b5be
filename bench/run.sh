#!/usr/bin/env bash
# `make bench`: the benchmarks of issues 9 and 19 on SQLite and on a throwaway PostgreSQL
# cluster, then docs/PERFORMANCE.md and the measured block of docs/SCALING.md. Not part
# of `make test`. Everything it starts it stops.
#   BENCH_HOLDERS=5000 make bench     a quicker run (default 50,000 holders)
#   BENCH_DURATION        seconds per page at each concurrency, in 5 slices (15)
#   BENCH_CONCURRENCY     wrk connections for the per-page figures, comma separated (1)
#   BENCH_SESSIONS_DURATION  seconds of the 100-concurrent-sessions run (30)
#   BENCH_OFF_DURATION    seconds per page with PAGE_CACHE=off, read not judged (10)
#   BENCH_SESSIONS_OFF_DURATION  seconds of the 100 sessions with PAGE_CACHE=off (10; 0 skips it)
#   BENCH_REDIS=0         no Redis: the cache is the settings' database cache
#   BENCH_PROFILES=0      no profiles (bench/profiles/hit and miss, in-process, SQLite)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOLDERS=${BENCH_HOLDERS:-50000}
FORMS=${BENCH_FORMS:-$(( HOLDERS * 2 ))}
DURATION=${BENCH_DURATION:-15}
CONCURRENCY=${BENCH_CONCURRENCY:-1}
SESSIONS_DURATION=${BENCH_SESSIONS_DURATION:-30}
OFF_DURATION=${BENCH_OFF_DURATION:-10}
SESSIONS_OFF_DURATION=${BENCH_SESSIONS_OFF_DURATION:-10}
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

# Each step stops the run when it fails (`|| return`: inside `with_redis`, whose
# `"$@" || status=$?` turns off `set -e` for everything it runs).
one_database() {
  step fresh || return
  step calibrate || return
  step generate --holders "$HOLDERS" --forms "$FORMS" || return
  step invoices || return
  step load --duration "$DURATION" --concurrency "$CONCURRENCY" \
    --off-duration "$OFF_DURATION" --sessions-duration "$SESSIONS_DURATION" \
    --sessions-off-duration "$SESSIONS_OFF_DURATION" || return
}

# Where each page's time goes (issue 19), in-process on a small database of its own with
# the product's settings and this run's Redis as the cache: every holder page, the
# reviewer queue and the floor, as a repeat view (the page cache on: a hit) and with
# PAGE_CACHE=off (every view a miss), and what each middleware costs. The text profiles
# go to bench/profiles/{hit,miss}/, the figures the report reads to var/bench/profiles/.
profiles() {
  [[ ${BENCH_PROFILES:-1} == 0 ]] && return 0
  rm -rf var/bench/profiles
  echo "-- $(date -u +%H:%M:%S) profiles (page cache on: repeat views are hits; then off)"
  $PY -m bench.profile_pages --cache both --middleware --iterations 40 --rounds 2 \
    --profile-seconds 0.4 --out bench/profiles --summary var/bench/profiles
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
with_redis profiles
echo "== PostgreSQL: $HOLDERS holders"
scripts/with-postgres.sh bash bench/run.sh --one-database
command="make bench"
[[ $HOLDERS != 50000 ]] && command="BENCH_HOLDERS=$HOLDERS make bench"
step report --command "$command" --seconds $(( $(date +%s) - started ))
