# Sourced by scripts/services.sh inside scripts/run.sh (`make run`): a Celery worker with
# an embedded beat. The broker is kombu's filesystem transport in var/celery/ unless
# REDIS_URL is set, so no server is needed; beat reads the schedules from the database
# (django-celery-beat: admin > Periodic tasks). Output goes to var/log/celery.log, where
# the console mail backend prints each email the worker sends. The pid joins `pids`, so
# Ctrl-C stops the worker (and its beat) with the web server.
mkdir -p var/celery/queue var/celery/processed var/log
.venv/bin/celery -A renewal_portal worker --beat \
  --loglevel INFO --concurrency 2 --hostname "portal@%h" \
  --without-gossip --without-mingle \
  >>var/log/celery.log 2>&1 &
pids+=($!)
echo "Celery worker and beat started (pid $!, log: var/log/celery.log)"
