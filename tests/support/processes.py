"""Helpers for tests that start real server processes: free loopback ports, waiting for
a condition, and stopping a whole process group whatever happens."""

import os
import signal
import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_group(command, *, log_path, env=None, cwd=None) -> subprocess.Popen:
    """Start `command` in a new session, so it and every child it forks form one process
    group that `kill_group` can end at once."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed in kill_group
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    process._log_file = log
    return process


def kill_group(process: subprocess.Popen, sig=signal.SIGKILL, timeout=10.0) -> None:
    """Send `sig` to the process's group; if it is still there after `timeout`, SIGKILL it.
    Returns once the group leader is reaped (and its log closed)."""
    try:
        if process.poll() is None or sig == signal.SIGKILL:
            os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    finally:
        # Children of the group (prefork pool processes) may outlive their leader briefly.
        _kill_leftovers(process.pid)
        log = getattr(process, "_log_file", None)
        if log is not None and not log.closed:
            log.close()


def _kill_leftovers(pgid):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.1)


def wait_for(condition, *, timeout, interval=0.1, message="condition"):
    """Poll `condition()` until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f}s waiting for {message}")
        time.sleep(interval)


def tail(path, lines=40) -> str:
    try:
        with open(path, errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
