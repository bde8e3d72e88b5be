#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster on a free loopback port:
#   scripts/with-postgres.sh .venv/bin/pytest -m postgres
# The cluster lives in a temporary folder, listens only on 127.0.0.1, and is stopped and
# removed when the command ends. DATABASE_URL points the command at it.
set -euo pipefail

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$PG_BIN/initdb" ]] || { echo "PostgreSQL is not installed: run scripts/install-system-deps.sh --test" >&2; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA=$(mktemp -d /tmp/portal-pg.XXXXXX)
PASSWORD=portal-test

# PostgreSQL will not run as root: run the server as the postgres user where we are root.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[[ $(id -u) -eq 0 ]] && chown postgres "$DATA"

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

printf '%s\n' "$PASSWORD" > "$DATA/pw"
[[ $(id -u) -eq 0 ]] && chown postgres "$DATA/pw"
as_pg "$PG_BIN/initdb" -D "$DATA/db" -U portal --pwfile="$DATA/pw" -A scram-sha-256 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null

export DATABASE_URL="postgres://portal:${PASSWORD}@127.0.0.1:${PORT}/postgres"
echo "PostgreSQL test cluster on 127.0.0.1:${PORT}"
"$@"
