"""Load run: the portal under gunicorn on loopback, wrk against signed-in pages and the
framework floor (a bare view on the same middleware stack), in the same run.

Sessions are created in the database for 200 holders (each request takes the next
holder's cookie, so pages are not one holder's over and over) and for the reviewer.
Every page is checked to answer 200 to a signed-in request before it is measured: wrk
counts redirects as answers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from bench.generate import REVIEWER_EMAIL
from credentials import selectors
from credentials.models import Renewal, User

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "var" / "bench" / "wrk"
HOLDERS_SIGNED_IN = 200
PAGES = ["floor", "renewal", "ledger", "invoice", "review"]
ROUNDS = 5


def _session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _targets() -> dict[str, list[tuple[str, str]]]:
    """(cookie, path) pairs for each page."""
    year = selectors.current_renewal_year()
    renewals = list(
        Renewal.objects.filter(year=year, holder__email__endswith="@bench.example.org")
        .select_related("holder", "invoice")
        .order_by("holder_id")[:: max(1, Renewal.objects.filter(year=year).count() // 200)][
            :HOLDERS_SIGNED_IN
        ]
    )
    name = settings.SESSION_COOKIE_NAME
    holders = [(f"{name}={_session_for(r.holder)}", r.invoice.number) for r in renewals]
    reviewer = f"{name}={_session_for(User.objects.get(email=REVIEWER_EMAIL))}"
    return {
        "floor": [(cookie, "/bench/floor/") for cookie, _ in holders],
        "renewal": [(cookie, "/renewal/") for cookie, _ in holders],
        "ledger": [(cookie, "/cec/") for cookie, _ in holders],
        "invoice": [(cookie, f"/payments/invoices/{number}/") for cookie, number in holders],
        "review": [(reviewer, "/review/")],
    }


def _lua(pairs) -> str:
    rows = ",\n".join(f'  {{"{cookie}", "{path}"}}' for cookie, path in pairs)
    return (
        f"local targets = {{\n{rows}\n}}\n"
        "local i = math.random(#targets)\n"
        "request = function()\n"
        "  i = i % #targets + 1\n"
        '  return wrk.format("GET", targets[i][2], {["Cookie"] = targets[i][1]})\n'
        "end\n"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path, cookie):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "rps": rps,
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "requests": requests,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def _wrk(port, page, connections, duration) -> dict:
    threads = min(2, connections)
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(WRK_DIR / f"{page}.lua"),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    return parse_wrk(output)


def _median_run(runs: list[dict]) -> dict:
    def median(key):
        return statistics.median(run[key] for run in runs)

    return {
        "rps": median("rps"),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        "requests": sum(run["requests"] for run in runs),
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "socket_errors": "; ".join(run["socket_errors"] for run in runs if run["socket_errors"]),
        "slices": len(runs),
    }


def load_run(duration: int, concurrency: list[int], workers: int) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    WRK_DIR.mkdir(parents=True, exist_ok=True)
    targets = _targets()
    for page, pairs in targets.items():
        (WRK_DIR / f"{page}.lua").write_text(_lua(pairs))
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    # Stopped from outside (SIGTERM), still stop gunicorn: the finally below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: dict = {
        "db_conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "workers": workers,
        "duration_s": duration,
        "rounds": ROUNDS,
        "pages": {},
    }
    try:
        for _ in range(120):
            try:
                if _get(port, "/bench/floor/", "")[0] == 200:
                    break
            except OSError:
                time.sleep(0.25)
        for page, pairs in targets.items():
            status, body = _get(port, pairs[0][1], pairs[0][0])
            if status != 200:
                raise SystemExit(f"{page} ({pairs[0][1]}) answered {status}, not 200")
            results["pages"][page] = {"path": pairs[0][1], "bytes": len(body), "runs": {}}
        for page in PAGES:  # warm every worker's caches
            _wrk(port, page, 2, 2)
        # The machine is shared: each measurement is split into ROUNDS slices taken in
        # turn with the other pages', and the median slice is kept, so a burst of outside
        # load lands on every page alike instead of on whichever page was running.
        slice_s = max(2, round(duration / ROUNDS))
        for connections in concurrency:
            slices = {page: [] for page in PAGES}
            for _ in range(ROUNDS):
                for page in PAGES:
                    slices[page].append(_wrk(port, page, connections, slice_s))
            for page in PAGES:
                run = _median_run(slices[page])
                results["pages"][page]["runs"][str(connections)] = run
                print(
                    f"  c={connections:<3} {page:<8} {run['rps']:8.1f} req/s  "
                    f"p50 {run['p50_ms']:7.1f} ms  p99 {run['p99_ms']:7.1f} ms"
                    + (f"  NON-2XX {run['non_2xx']}" if run["non_2xx"] else ""),
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return results
