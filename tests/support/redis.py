"""A real Redis server for the tests: `redis-server` on a free loopback port, no
persistence, for the whole session; stopped at the end even when tests fail.

Use it from a conftest with `from tests.support.redis import *  # noqa: F401,F403`.
`make test` installs redis-server (scripts/install-system-deps.sh --test).
"""

import shutil
import signal

import pytest

from tests.support.processes import free_port, kill_group, start_group, tail, wait_for

__all__ = ["redis_server", "RedisServer"]


class RedisServer:
    def __init__(self, port, process, log_path):
        self.port = port
        self.process = process
        self.log_path = log_path
        self.url = f"redis://127.0.0.1:{port}/0"

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def flush(self):
        self.client().flushall()


def _start(tmp_dir):
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.fail(
            "redis-server is not installed: `make test` installs it "
            "(bash scripts/install-system-deps.sh --test)."
        )
    port = free_port()
    log_path = tmp_dir / f"redis-{port}.log"
    command = [
        executable,
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--save", "",
        "--appendonly", "no",
        "--dir", str(tmp_dir),
        "--daemonize", "no",
    ]  # fmt: skip
    process = start_group(command, log_path=log_path)
    server = RedisServer(port, process, log_path)
    try:
        wait_for(lambda: server.ping() or process.poll() is not None, timeout=15, message="redis")
    except TimeoutError:
        kill_group(process)
        raise
    if process.poll() is not None:
        kill_group(process)
        return None, tail(log_path)
    return server, ""


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    tmp_dir = tmp_path_factory.mktemp("redis")
    server, log = None, ""
    for _attempt in range(3):  # the free port may be taken between choosing and binding
        server, log = _start(tmp_dir)
        if server is not None:
            break
    if server is None:
        pytest.fail(f"redis-server did not start:\n{log}")
    try:
        yield server
    finally:
        kill_group(server.process, signal.SIGTERM)
