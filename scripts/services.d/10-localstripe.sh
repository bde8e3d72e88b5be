# Sourced by scripts/services.sh in `make run`: starts localstripe (a local Stripe-compatible
# server, with its Stripe.js stand-in) on a free loopback port, registers the portal's
# webhook with it, and exports STRIPE_API_BASE and STRIPE_JS_URL for the processes started
# after it. Skipped when STRIPE_API_BASE is already set (another server, or real Stripe).
if [[ -z "${STRIPE_API_BASE:-}" ]]; then
  mkdir -p var
  localstripe_log=var/localstripe.log
  webhook_secret="$(DJANGO_SETTINGS_MODULE=renewal_portal.settings $PY -c \
    'from django.conf import settings; print(settings.STRIPE_WEBHOOK_SECRET)' | tail -n 1)"
  $PY scripts/localstripe_server.py --port 0 --state var/localstripe.pickle \
    --webhook-url "http://127.0.0.1:${PORT}/payments/stripe/webhook/" \
    --webhook-secret "$webhook_secret" >"$localstripe_log" 2>&1 &
  pids+=($!)
  localstripe_port=""
  for _ in $(seq 1 150); do
    localstripe_port="$(sed -n 's/^LOCALSTRIPE_PORT=//p' "$localstripe_log" | head -n 1)"
    if [[ -n "$localstripe_port" ]] && (exec 3<>"/dev/tcp/127.0.0.1/${localstripe_port}") 2>/dev/null; then
      break
    fi
    localstripe_port=""
    sleep 0.1
  done
  if [[ -z "$localstripe_port" ]]; then
    echo "localstripe did not start; see $localstripe_log" >&2
    exit 1
  fi
  export STRIPE_API_BASE="http://127.0.0.1:${localstripe_port}"
  export STRIPE_JS_URL="${STRIPE_API_BASE}/js.stripe.com/v3/"
  echo "localstripe is answering at ${STRIPE_API_BASE} (test card 4242 4242 4242 4242)"
fi
