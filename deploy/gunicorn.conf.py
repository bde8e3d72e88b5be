"""gunicorn settings for the portal's web process:

    gunicorn -c deploy/gunicorn.conf.py renewal_portal.wsgi

Everything can be changed from the environment (the systemd unit reads the same
/etc/aasc-portal/env file as Django):

    GUNICORN_BIND         address to listen on (default 127.0.0.1:8000, nginx in front)
    WEB_CONCURRENCY       worker processes (default 2 x cores + 1)
    GUNICORN_TIMEOUT      seconds a request may take before its worker is restarted
                          (default 60: a renewal invoice PDF takes about a second)
    FORWARDED_ALLOW_IPS   proxies trusted to set X-Forwarded-* (default 127.0.0.1)
    DJANGO_PRODUCTION     true: access and error lines as JSON, like Django's own
"""

import logging
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Sync workers: pages are short and database-bound; PDFs are CPU-bound. nginx buffers
# slow clients, so a sync worker never waits on a phone's network.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in a library never grows without bound.
max_requests = 1000
max_requests_jitter = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "aasc-portal-web"

accesslog = "-"
errorlog = "-"
# The request id is the X-Request-ID header the portal (django-guid) returns: nginx's own
# id when nginx sent one, so nginx, gunicorn and Django lines of one request match.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'


class AccessRequestId(logging.Filter):
    """Puts the response's X-Request-ID on an access line as its own JSON field."""

    def filter(self, record):
        # gunicorn logs an access line with its atoms (a dict) as the record's args.
        value = record.args["{x-request-id}o"] if isinstance(record.args, dict) else "-"
        record.request_id = None if value in ("-", "") else value
        return True


if os.environ.get("DJANGO_PRODUCTION", "").lower() in ("1", "true", "yes", "on"):
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            },
        },
        "filters": {"access_request_id": {"()": AccessRequestId}},
        "handlers": {
            "access": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["access_request_id"],
            },
            "error": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            },
        },
        "loggers": {
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["error"], "level": "INFO"},
    }
