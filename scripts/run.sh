#!/usr/bin/env bash
# Runs the portal with demo data on embedded defaults (SQLite, a Celery broker on the
# filesystem, localstripe). Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-true}"
PY=.venv/bin/python
# PORT and SITE_URL (links in emails, PDFs and QR codes follow the port unless SITE_URL is set).
source scripts/lib/run-env.sh
portal_run_env

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$PY manage.py migrate --noinput
$PY manage.py load_demo
$PY manage.py badge_keys --generate  # the Open Badges signing key, once (var/badge-keys/)

# Later services (localstripe, Celery worker and beat) are started here by scripts/services.sh.
if [[ -f scripts/services.sh ]]; then
  source scripts/services.sh
fi

cat <<MSG

  The renewal portal is running at http://127.0.0.1:${PORT}/
  (links in emails and documents point at ${SITE_URL}/)

  Demo logins (password: renew-demo-2026)
    holder@example.org     credential holder (CAM + CALP, 2027 renewal due)
    lapsed@example.org     a lapsed CALP, reinstated by the 2027 renewal
    submitter@example.org  CECs submitted, waiting for NAAEI review
    rejected@example.org   submission rejected by NAAEI, with the reason
    renewed@example.org    2027 renewal complete
    refunded@example.org   renewal undone when the office refunded the cheque
    new@example.org        a brand-new account, no credentials yet
    staff@example.org      AASC staff        (admin at http://127.0.0.1:${PORT}/admin/)
    reviewer@example.org   NAAEI reviewer
    admin@example.org      superuser

  Press Ctrl-C to stop.

MSG
# In the foreground, so Ctrl-C reaches the web server itself (a background job of a
# script ignores SIGINT); the EXIT trap then stops the background services.
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload
