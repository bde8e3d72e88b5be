"""Real services for the production-shape tests and scripts/prod_smoke.py: a throwaway
PostgreSQL cluster and an SMTP sink, both on free loopback ports, both stopped whatever
happens (use them as context managers). Process helpers come from tests/support.

The cluster is started the way scripts/with-postgres.sh starts one: initdb into a new
temporary folder, run as the postgres user when we are root (PostgreSQL refuses root),
listening on 127.0.0.1 only, with durability off (it is thrown away).
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.support.processes import free_port

PASSWORD = "portal-smoke"
USER = "portal"


def _pg_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/install-system-deps.sh --test")
    return found[-1].parent


class PostgresCluster:
    def __init__(self):
        self.bin = _pg_bin()
        self.port = None
        self.folder = None

    def _as_pg(self, command, **kwargs):
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> PostgresCluster:
        self.folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres")
        password_file = self.folder / "pw"
        password_file.write_text(PASSWORD + "\n")
        if os.getuid() == 0:
            shutil.chown(password_file, "postgres")
        self._as_pg(
            [str(self.bin / "initdb"), "-D", str(self.folder / "db"), "-U", USER,
             f"--pwfile={password_file}", "-A", "scram-sha-256"]
        )  # fmt: skip
        for _attempt in range(3):  # the free port may be taken between choosing and binding
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=100"
            )
            try:
                self._as_pg(
                    [str(self.bin / "pg_ctl"), "-D", str(self.folder / "db"),
                     "-l", str(self.folder / "server.log"), "-w", "-o", options, "start"]
                )  # fmt: skip
                return self
            except subprocess.CalledProcessError:
                continue
        raise RuntimeError(f"PostgreSQL did not start:\n{self.log()}")

    def log(self) -> str:
        try:
            return (self.folder / "server.log").read_text(errors="replace")[-3000:]
        except (OSError, TypeError):
            return "(no log)"

    def url(self, database="postgres") -> str:
        return f"postgres://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement, database="postgres"):
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else None

    def create_database(self, name) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        if self.folder is None:
            return
        try:
            self._as_pg(
                [str(self.bin / "pg_ctl"), "-D", str(self.folder / "db"), "-m", "immediate",
                 "stop"]
            )  # fmt: skip
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class SmtpSink:
    """An SMTP server (aiosmtpd) that keeps every message it is given, in memory."""

    def __init__(self):
        self._messages = []
        self._lock = threading.Lock()
        self.controller = None
        self.port = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def messages(self):
        with self._lock:
            return list(self._messages)

    def to(self, address, subject_contains=""):
        return [
            message
            for recipients, message in self.messages()
            if address in recipients and subject_contains.lower() in message["subject"].lower()
        ]

    def wait_for(self, condition, timeout, interval=0.1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(interval)
        return bool(condition())

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
