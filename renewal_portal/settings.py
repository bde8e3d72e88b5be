"""Settings for the renewal portal, read from the environment (12-factor).

Defaults suit development: SQLite, console email, DEBUG on only when asked.
Production sets DJANGO_PRODUCTION=true, which turns on the secure cookie, HSTS and
SSL settings that `manage.py check --deploy` asks for.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of a development checkout (git-ignored)
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.bool("DJANGO_PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=False)
# What a development checkout, the demo and the tests run with (localstripe's keys).
# Production has no defaults: renewal_portal/checks.py refuses a secret that is missing
# or one of these, and the web and Celery processes do not start (portal.E001).
DEVELOPMENT_SECRETS = {
    "SECRET_KEY": "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopq",
    "STRIPE_SECRET_KEY": "sk_test_localstripe",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
    "STRIPE_WEBHOOK_SECRET": "whsec_localstripe_dev",
}
SECRET_KEY = env("SECRET_KEY", default="" if PRODUCTION else DEVELOPMENT_SECRETS["SECRET_KEY"])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Open Badges 3.0 (credentials/badges/, issue 20): the office's Ed25519 signing keys live
# outside the database, in this directory (`manage.py badge_keys --generate`, `--rotate`),
# or the current private key comes from the environment as multibase (z3u2…). The issuer
# is did:web on SITE_URL's host, so SITE_URL must be the real public address.
BADGE_KEY_DIR = env("BADGE_KEY_DIR", default=str(BASE_DIR / "var" / "badge-keys"))
BADGE_PRIVATE_KEY = env("BADGE_PRIVATE_KEY", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "django_guid",  # request ids in logs (deploy/, issue 12)
    "health_check",  # /healthz for load balancers (renewal_portal/health.py)
    "renewal_portal.apps.PortalConfig",  # the portal's own system checks (checks.py)
    "credentials",
    "cec",
    # Open Badges 3.0 credentials, above credentials (issue 20): its own app only so its
    # signal receivers are wired; its data lives on credentials' models. Not last: it has
    # no models, so post_migrate (roles.sync_roles_after_migrate waits for the last app)
    # is never sent for it.
    "credentials.badges.apps.BadgesConfig",
    "payments",
    # The top layer: pages, admin and reports that compose credentials, cec and payments.
    "renewal_portal.composition.apps.CompositionConfig",
]

MIDDLEWARE = [
    # First, so every log line of a request (and the tasks it queues) carries its id.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the database: no address with a NUL character reaches it.
    "renewal_portal.middleware.RefuseNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "renewal_portal.middleware.OfficeTwoFactorMiddleware",
]

ROOT_URLCONF = "renewal_portal.urls"
WSGI_APPLICATION = "renewal_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "renewal_portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Wait for a writer instead of failing at once when the worker and the web share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
    # Take the write lock when a transaction starts: with deferred transactions, two
    # processes that read then write fail at once with "database is locked" (SQLite
    # cannot wait out that deadlock), where IMMEDIATE makes the second one wait its turn.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
# Keep a web or worker process's connection for this many seconds (0: one per request).
# Behind a pooler (PgBouncer in transaction mode) leave it at 0; see docs/SCALING.md.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "credentials.User"
# Django's and allauth's backends, loading the signed-in user with its roles and whether
# two-factor is set up in one query (issue 19). A session records its backend's path:
# sessions signed in before these paths were set (the stock backends) sign in again once.
AUTHENTICATION_BACKENDS = [
    "credentials.backends.PortalModelBackend",
    "credentials.backends.PortalAuthenticationBackend",
]
# Argon2id (argon2-cffi) with OWASP's parameters (renewal_portal/infra/passwords.py): a sign-in
# costs about 50 ms where PBKDF2 at a million iterations took seconds. The hashers after
# it only read older hashes, which Django re-stores with Argon2id at the next sign-in.
PASSWORD_HASHERS = [
    "renewal_portal.infra.passwords.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# A failed CSRF check answers the portal's own page (renewal_portal/infra/errors.py).
CSRF_FAILURE_VIEW = "renewal_portal.infra.errors.csrf_failure"
LOGIN_REDIRECT_URL = "credentials:home"
SITE_ID = 1

# django-allauth: email is the login, and it must be verified before signing in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The name is asked at sign-up too (issue 17.10), before the email address.
ACCOUNT_SIGNUP_FORM_CLASS = "credentials.forms.SignupNameForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# The verification link signs in the browser that signed up for an hour, not allauth's 15
# minutes: the email goes through the outbox and holders read it later (issue 17.10). The
# same limit applies to a pending two-factor sign-in in that browser.
ACCOUNT_LOGIN_TIMEOUT = 60 * 60
ACCOUNT_LOGOUT_REDIRECT_URL = "credentials:home"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AASC renewals] "
# Account emails are outbox rows like every other email (credentials/account_email.py);
# the adapter also throttles failed sign-ins (its base, renewal_portal/infra/accounts.py).
ACCOUNT_ADAPTER = "credentials.account_email.OutboxAccountAdapter"
# Failed sign-ins are throttled (allauth's rate limits, counted in the shared cache
# below): 10 a minute per client, 5 per 15 minutes per account from one client, 30 an
# hour per account from all clients together. One client can fail at most 20 times an
# hour on an account, so it never reaches the account's 30 and never locks its holder out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/15m/key",
    "login_failed_account": "30/h/key",
}
# The client is the address in X-Forwarded-For that the trusted proxies (our nginx) put
# there, counted from the right: 1 behind nginx (deploy/env.example). 0 (the default
# outside production) ignores the header: runserver has nothing in front of it, and a
# header a client wrote itself must never choose the address it is throttled under.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)

# Two-factor authentication (allauth.mfa): holders may turn it on; AASC staff, NAAEI
# reviewers and superusers must, unless OFFICE_MFA_REQUIRED is off (the local demo).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AASC renewal portal"
OFFICE_MFA_REQUIRED = env.bool("OFFICE_MFA_REQUIRED", default=not DEBUG)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Denver"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
# Uploaded evidence lives outside the static root and is served only through views
# that check who is asking.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "renewal_portal.infra.staticfiles.ManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded evidence on any S3-compatible store instead of the local disk (django-storages,
# `pip install 'renewal-portal[s3]'`): private objects, read back only through the
# permission-checked views, never by a public URL.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "location": env("S3_PREFIX", default="media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# What one holder can make the portal store and render (issue 15 items 7 and 8).
REPORTING_FORM_MAX_DRAFTS = env.int("REPORTING_FORM_MAX_DRAFTS", default=20)
# A form's description, the signing note and the reason for a return, in characters.
REPORTING_FORM_TEXT_MAX_CHARS = env.int("REPORTING_FORM_TEXT_MAX_CHARS", default=2000)
EVIDENCE_MAX_FILES_PER_FORM = env.int("EVIDENCE_MAX_FILES_PER_FORM", default=5)
EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR = env.int(
    "EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR", default=100 * 1024 * 1024
)
# Text a person typed is cut to this many characters in a PDF, and a PDF lists at most
# this many history rows: no input makes a document slow to render.
DOCUMENT_TEXT_MAX_CHARS = env.int("DOCUMENT_TEXT_MAX_CHARS", default=4000)
DOCUMENT_MAX_HISTORY_ROWS = env.int("DOCUMENT_MAX_HISTORY_ROWS", default=50)
# Downloads of rendered documents per person and time window (shared cache counter).
DOCUMENT_DOWNLOADS_PER_WINDOW = env.int("DOCUMENT_DOWNLOADS_PER_WINDOW", default=30)
DOCUMENT_DOWNLOAD_WINDOW_SECONDS = env.int("DOCUMENT_DOWNLOAD_WINDOW_SECONDS", default=60)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AASC Office <renewals@aasc.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OFFICE_SIGNATURE = env(
    "OFFICE_SIGNATURE",
    default="Apartment Association of Southern Colorado\nColorado Springs, CO",
)

# Celery: Redis in production and CI; kombu's filesystem transport when no REDIS_URL
# is set, so `make run` needs no server.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"

# The cache every web and worker process shares (sign-in throttling counts): Redis when
# REDIS_URL is set (production), else a table in the database, so the embedded default
# needs no server. `migrate` creates the table (renewal_portal/apps.py); /healthz checks
# the cache.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
            # Django culls a third of the entries past MAX_ENTRIES (300 by default), which
            # would drop live throttling counts.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# Whole holder pages and the reviewer queue, cached under the content versions of what
# they show (renewal_portal/infra/page_cache.py, issue 19). PAGE_CACHE=off renders every
# page fresh (the bench measures both). Entries live PAGE_CACHE_SECONDS at most; a page
# whose data, date or release changed is never served, whatever its age. In their own
# cache: Redis under its own key prefix, or their own table, whose culling (a third of it
# past MAX_ENTRIES) never drops the shared cache's throttling counts. Off by default with
# DEBUG: the release is hashed once per process, and runserver does not restart for an
# edited template (PAGE_CACHE=on tries it there).
PAGE_CACHE = env.bool("PAGE_CACHE", default=not DEBUG)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=15 * 60)
PAGE_CACHE_ALIAS = "pages"
# A Redis of their own if wanted (e.g. with maxmemory and allkeys-lru, which the Redis of
# the task queue must never have); by default the one of REDIS_URL.
PAGE_CACHE_REDIS_URL = env("PAGE_CACHE_REDIS_URL", default=REDIS_URL)
if PAGE_CACHE_REDIS_URL:
    CACHES[PAGE_CACHE_ALIAS] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": PAGE_CACHE_REDIS_URL,
        "KEY_PREFIX": "portal-pages",
        "TIMEOUT": PAGE_CACHE_SECONDS,
        # A page cache that does not answer within a second is skipped (page_cache.py).
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
else:
    CACHES[PAGE_CACHE_ALIAS] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_page_cache",
        "TIMEOUT": PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": env.int("PAGE_CACHE_MAX_ENTRIES", default=20_000)},
    }
# Sessions read from the shared cache, written through to the database (issue 19): with
# Redis a signed-in request reads its session without a query. Without Redis the cache
# is a database table, so the session table is read directly (the same one query).
# Signing out and a password change still end sessions: sign-out deletes the cache entry
# with the row, and the user (with its password hash) is read from the database each time.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
if REDIS_URL and env("CELERY_VISIBILITY_TIMEOUT", default=""):
    # Seconds before Redis hands a task a dead worker held to another worker (default one
    # hour). Keep it above the longest retry countdown; the smoke run sets it low.
    _visibility = env.int("CELERY_VISIBILITY_TIMEOUT")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        "unacked_restore_interval": max(1, min(10, _visibility // 10)),
        "unacked_restore_throttle": 1,
    }
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# /healthz/workers/ pings every Celery worker, so it answers only staff and a monitor
# sending `Authorization: Bearer <this token>` (empty: staff only). /healthz/ stays open.
HEALTHZ_WORKERS_TOKEN = env("HEALTHZ_WORKERS_TOKEN", default="")

# Stripe: production talks to api.stripe.com; development and tests point
# STRIPE_API_BASE at a local localstripe server. Same code path either way.
STRIPE_SECRET_KEY = env(
    "STRIPE_SECRET_KEY", default="" if PRODUCTION else DEVELOPMENT_SECRETS["STRIPE_SECRET_KEY"]
)
STRIPE_PUBLISHABLE_KEY = env(
    "STRIPE_PUBLISHABLE_KEY",
    default="" if PRODUCTION else DEVELOPMENT_SECRETS["STRIPE_PUBLISHABLE_KEY"],
)
STRIPE_WEBHOOK_SECRET = env(
    "STRIPE_WEBHOOK_SECRET",
    default="" if PRODUCTION else DEVELOPMENT_SECRETS["STRIPE_WEBHOOK_SECRET"],
)
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_JS_URL = env("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
# The card payment provider (payments.providers.base.PaymentProvider): Stripe unless a
# deployment or a test names another class.
PAYMENT_PROVIDER = "payments.providers.stripe.StripeProvider"
PORTAL_CURRENCY = "usd"

# Content Security Policy (django-csp): scripts only from the portal itself (no inline
# script anywhere); the card form adds its provider's origins (csp_update on its view).
# Inline style attributes stay allowed: Django admin and form widgets use them.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # SECURE_COOKIES=false only for a smoke run over plain http on loopback.
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # A load balancer probes /healthz over plain http inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-guid says at INFO, for every request, that it made up an id.
        "django_guid": {"level": "WARNING"},
    },
}

# Request ids (django-guid): taken from nginx's X-Request-ID or made up, returned in the
# response, and carried into the Celery tasks a request queues.
from django_guid.integrations import CeleryIntegration  # noqa: E402

DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=PRODUCTION, log_parent=True)],
}
if PRODUCTION and env.bool("LOG_JSON", default=True):
    # Production logs are JSON lines on stdout (journald or the platform collects them),
    # each with the request id; development keeps the plain console lines above.
    LOGGING["formatters"] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        }
    }
    LOGGING["filters"] = {
        "request_id": {
            "()": "django_guid.log_filters.CorrelationId",
            "correlation_id_field": "request_id",
        }
    }
    LOGGING["handlers"]["console"] = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
        "formatter": "json",
        "filters": ["request_id"],
    }
