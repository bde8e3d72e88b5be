"""Health checks for load balancers and monitoring (django-health-check).

`/healthz/` answers 200 when this web process can serve: the database answers, every
migration is applied, the shared cache (sign-in throttling counts; Redis or the database
cache table) stores and returns a value, and the Celery broker (Redis) is reachable.
Otherwise it answers 503 and names the failing part, e.g. `Redis(host='10.0.0.5',
port=6379, db=0): Unavailable: Unable to connect to Redis: Connection Error`; never a
stack trace (the library catches every exception and logs it). `?format=json` or
`Accept: application/json` gives JSON.

`/healthz/workers/` also asks the Celery workers to answer a ping: for monitoring, not
for the load balancer (a web process stays useful while the workers restart). Every call
fans out to every worker, so it answers only a monitor that sends
`Authorization: Bearer <HEALTHZ_WORKERS_TOKEN>` or a signed-in staff member; anyone else
gets 403 and triggers nothing.
"""

from __future__ import annotations

import dataclasses
import hmac
import uuid

import celery
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponseForbidden
from health_check.base import HealthCheck
from health_check.checks import Database as LibraryDatabase
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from renewal_portal.celery import app as celery_app


@dataclasses.dataclass
class Database(LibraryDatabase):
    """The library's SELECT 1, run on the request's own thread, so the probe uses (and
    Django closes) the process's usual connection instead of one per executor thread."""

    async def run(self):
        await sync_to_async(super().run, thread_sensitive=True)()


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration the code knows is applied: a web process started from new code
    before `migrate` ran would fail in odd places, so it should take no traffic."""

    alias: str = "default"

    async def run(self):
        await sync_to_async(self._check, thread_sensitive=True)()

    def _check(self):
        connection = connections[self.alias]
        try:
            with connection.temporary_connection():
                executor = MigrationExecutor(connection)
                plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise ServiceUnavailable("Cannot read the applied migrations") from exc
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:3])
            more = f" and {len(plan) - 3} more" if len(plan) > 3 else ""
            raise ServiceUnavailable(f"{len(plan)} not applied: {names}{more}")


@dataclasses.dataclass
class Cache(HealthCheck):
    """The shared cache (settings.CACHES: Redis, or the database cache table that
    `migrate` creates) stores, returns and drops a value. Sign-in throttling counts live
    there: without it, every sign-in fails."""

    alias: str = "default"

    async def run(self):
        await sync_to_async(self._check, thread_sensitive=True)()

    def _check(self):
        key = f"healthz:{uuid.uuid4().hex}"
        try:
            cache = caches[self.alias]
            cache.set(key, "ok", timeout=30)
            value = cache.get(key)
            cache.delete(key)
        except Exception as exc:  # each backend raises its own errors
            raise ServiceUnavailable(f"The cache failed ({type(exc).__name__})") from exc
        if value != "ok":
            raise ServiceUnavailable("The cache did not return what was stored")


@dataclasses.dataclass
class Broker(HealthCheck):
    """A broker other than Redis (kombu's filesystem transport in development) accepts a
    connection."""

    transport: str = dataclasses.field(default_factory=lambda: _broker_url().split(":", 1)[0])

    def run(self):
        try:
            with _celery_app().connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
        except Exception as exc:  # kombu raises transport-specific errors
            raise ServiceUnavailable(
                f"The Celery broker refused a connection ({type(exc).__name__})"
            ) from exc


def _celery_app():
    return celery_app


def _broker_url() -> str:
    # The Celery app's, which the workers use too (it comes from settings.REDIS_URL).
    return str(_celery_app().conf.broker_url or "")


def _redis_client():
    from redis.asyncio import Redis as RedisClient

    return RedisClient.from_url(_broker_url(), socket_connect_timeout=3, socket_timeout=3)


def broker_check():
    if _broker_url().startswith(("redis://", "rediss://")):
        return (Redis, {"client_factory": _redis_client})
    return Broker


@dataclasses.dataclass
class Workers(Ping):
    """At least one Celery worker answers a ping and consumes the default queue."""

    app: celery.Celery = dataclasses.field(default_factory=_celery_app, repr=False)


class PortalHealthView(HealthCheckView):
    """503, not the library's 500, when a part fails: load balancers and uptime monitors
    read 503 as "take this one out of rotation", 500 as a bug."""

    def get_checks(self):
        self.checks = [Database, Migrations, Cache, broker_check(), *self.extra_checks]
        return super().get_checks()

    extra_checks = ()

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response


class WorkersHealthView(PortalHealthView):
    """The web checks plus a ping every Celery worker must answer; for a monitor with the
    token or for staff only."""

    extra_checks = (Workers,)

    async def get(self, request, *args, **kwargs):
        if not await may_ask_the_workers(request):
            return HttpResponseForbidden(
                "A monitoring token or a staff sign-in is required.\n", content_type="text/plain"
            )
        return await super().get(request, *args, **kwargs)


async def may_ask_the_workers(request) -> bool:
    token = settings.HEALTHZ_WORKERS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer":
        return hmac.compare_digest(given.strip().encode(), token.encode())
    user = await request.auser()
    return user.is_active and (user.is_staff or user.is_superuser)
