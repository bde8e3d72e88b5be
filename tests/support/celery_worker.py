"""Real Celery worker processes for the integration tests.

The worker runs `celery -A tests.support.worker_app worker` against the session's Redis
(tests/support/redis.py) and the test database: it is a separate process, so it can only
see a database the tests commit to (`transaction=True` tests) and that lives outside the
pytest process: a SQLite file (see tests/integration/conftest.py) or a server database.

Use it from a conftest with `from tests.support.celery_worker import *  # noqa: F401,F403`.
`celery_workers.start()` starts a worker (several may run, or one after another);
`worker.kill()` is a SIGKILL to its whole process group, a crash with tasks in hand.
Every worker a test started is stopped when the test ends, whatever happened.
"""

import os
import signal
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.support.processes import kill_group, start_group, tail, wait_for

__all__ = ["CeleryWorker", "celery_broker", "celery_workers", "database_url_for_workers"]

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_workers() -> str:
    """A DATABASE_URL naming the test database this process uses."""
    settings_dict = connection.settings_dict
    engine, name = settings_dict["ENGINE"], str(settings_dict["NAME"])
    if engine.endswith("sqlite3"):
        if name == ":memory:" or "mode=memory" in name:
            pytest.fail(
                "The test database is in memory, which a worker process cannot open: "
                "tests/integration/conftest.py should have made it a file."
            )
        return f"sqlite:///{Path(name).resolve()}"
    if engine.endswith("postgresql"):
        user = settings_dict.get("USER") or ""
        password = settings_dict.get("PASSWORD") or ""
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{name}"
    pytest.fail(f"No worker database URL for engine {engine}")


class CeleryWorker:
    def __init__(self, name, env, log_path):
        self.name = name
        self.env = env
        self.log_path = log_path
        self.process = None

    def start(self, concurrency=2, ready_timeout=60):
        command = [
            sys.executable, "-m", "celery",
            "-A", "tests.support.worker_app",
            "worker",
            "--hostname", f"{self.name}@%h",
            "--loglevel", "INFO",
            "--concurrency", str(concurrency),
            "--pool", "prefork",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        self.process = start_group(command, log_path=self.log_path, env=self.env, cwd=ROOT)
        try:
            wait_for(self._ready_or_dead, timeout=ready_timeout, message=f"worker {self.name}")
        except TimeoutError:
            self.stop()
            raise
        if self.process.poll() is not None:
            pytest.fail(f"The Celery worker exited at start:\n{self.log()}")
        return self

    def _ready_or_dead(self):
        if self.process.poll() is not None:
            return True
        return " ready." in Path(self.log_path).read_text(errors="replace")

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """A crash: SIGKILL the worker and its pool processes, with no chance to ack,
        requeue or clean up."""
        if self.process is not None:
            kill_group(self.process, signal.SIGKILL)

    def stop(self):
        """A warm shutdown (SIGTERM), then SIGKILL for whatever is left."""
        if self.process is not None:
            kill_group(self.process, signal.SIGTERM, timeout=20)

    def log(self, lines=60):
        return tail(self.log_path, lines)


@pytest.fixture
def celery_broker(redis_server):
    """Point this process's Celery app at the session's Redis, with tasks sent to a
    worker instead of run eagerly; the app is put back afterwards."""
    from kombu import pools

    from renewal_portal.celery import app

    keys = ("broker_url", "broker_transport_options", "task_always_eager", "result_backend")
    saved = {key: app.conf[key] for key in keys}
    redis_server.flush()

    def reset_pools():
        # kombu keeps connection pools in a global registry keyed by broker URL: empty
        # it, or the next test with the same Redis would get this test's closed pool.
        pools.reset()
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    app.conf.update(
        broker_url=redis_server.url,
        broker_transport_options={},
        task_always_eager=False,
        result_backend=redis_server.url,
    )
    reset_pools()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset_pools()


@pytest.fixture
def celery_workers(celery_broker, redis_server, tmp_path):
    """Start workers with `celery_workers.start()`; all are stopped at the end."""
    mail_dir = tmp_path / "sent-mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renewal_portal.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url_for_workers(),
        "REDIS_URL": redis_server.url,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "false",
    }
    started = []

    class Workers:
        mail_folder = mail_dir

        def start(self, **kwargs):
            worker = CeleryWorker(
                f"test-{uuid.uuid4().hex[:8]}", env, tmp_path / f"worker-{len(started)}.log"
            )
            started.append(worker)
            return worker.start(**kwargs)

        def logs(self):
            return "\n".join(f"--- {w.name} ---\n{w.log()}" for w in started)

        def sent_mail(self):
            """The messages the workers handed to the mail backend, as raw text (Django's
            file backend appends each one to a file, followed by a line of dashes)."""
            messages = []
            for path in sorted(mail_dir.glob("*.log")):
                parts = path.read_text(errors="replace").split("\n" + "-" * 79 + "\n")
                messages.extend(part for part in parts if part.strip())
            return messages

    try:
        yield Workers()
    finally:
        for worker in started:
            worker.stop()
