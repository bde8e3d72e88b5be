# Sourced by scripts/run.sh (`make run`): the environment of a local run, from PORT.
# Kept apart so tests/scripts/test_run_env.py can check it without starting anything.

# Sets PORT (default 8000) and SITE_URL, the address absolute links name (emails, PDFs,
# QR codes), to the port the portal is served on, unless SITE_URL was given.
portal_run_env() {
  export PORT="${PORT:-8000}"
  export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
}
