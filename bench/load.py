"""Load run: the portal under gunicorn on loopback, in one run and on the same server:

1. **Sign-in**: SIGNED_IN holders sign in one after the other through the real sign-in
   form (GET the form, POST email and password; the stored hash is the production
   hasher's), each POST timed from the first byte sent to the last byte read: the
   server's time, since loopback adds a fraction of a millisecond. Those sign-ins make
   the holders' session cookies used below, whatever session engine is configured.
2. **Pages at c=1 (and any other --concurrency)**: wrk against the signed-in floor (a
   bare view behind the full middleware stack, bench/urls.py), the holder's renewal
   page, the CEC ledger, the invoice page and the reviewer queue, each request taking
   the next holder's cookie. Each page's time is split into ROUNDS slices taken in turn
   with the other pages'; the median slice is reported.
3. **100 concurrent sessions**: wrk with SESSIONS connections across the holders'
   pages (renewal, ledger, invoice, credentials), every request the next of the
   SIGNED_IN holders' cookies and the next page: errors (non-2xx and socket errors),
   p50/p99 and the throughput of the workers at that mix.

Every page is checked to answer 200 to a signed-in request before it is measured: wrk
counts redirects as answers.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from bench.generate import BENCH_PASSWORD, REVIEWER_EMAIL
from credentials import selectors
from credentials.models import Renewal, User

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "var" / "bench" / "wrk"
SIGNED_IN = 100  # holders signed in through the form; their cookies are used everywhere
SESSIONS = 100  # wrk connections of the concurrent-sessions run
PAGES = ["floor", "renewal", "ledger", "invoice", "review"]
# The same pages again on a second gunicorn started with PAGE_CACHE=off (every view a
# miss), as rows "<page>_off", judged against the same floor.
OFF_PAGES = ["renewal", "ledger", "invoice", "review"]
OFF = "_off"
SESSION_PAGES = ["renewal", "ledger", "invoice", "credentials"]
ROUNDS = 5
LOGIN_PATH = "/accounts/login/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port, method, path, cookies: dict, body: dict | None = None):
    """One request on a fresh connection (gunicorn's sync workers close after each):
    (status, headers, body bytes, seconds from sending to the last byte read)."""
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = _cookie_header(cookies)
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read()
        seconds = time.perf_counter() - started
        return response.status, response.getheaders(), content, seconds
    finally:
        connection.close()


def _set_cookies(headers) -> dict:
    """{name: value} of the Set-Cookie headers; None for a cookie the answer deletes."""
    out = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookie_value, _, attributes = rest.partition(";")
            deleted = "max-age=0" in attributes.lower().replace(" ", "")
            out[key.strip()] = None if deleted else cookie_value
    return out


def _apply(cookies: dict, headers) -> dict:
    """The browser's cookie jar after an answer: set, replaced or deleted."""
    for key, value in _set_cookies(headers).items():
        if value is None:
            cookies.pop(key, None)
        else:
            cookies[key] = value
    return cookies


def sign_in(port, email: str, password: str) -> tuple[dict, float, str]:
    """Sign in through the form as a browser does; returns (the browser's cookies: the
    session and the CSRF cookie the sign-in rotated, POST seconds, where it redirects)."""
    status, headers, content, _ = _request(port, "GET", LOGIN_PATH, {})
    if status != 200:
        raise SystemExit(f"the sign-in form answered {status}")
    cookies = _apply({}, headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    if not token:
        raise SystemExit("no CSRF token on the sign-in form")
    status, headers, content, seconds = _request(
        port,
        "POST",
        LOGIN_PATH,
        cookies,
        {"csrfmiddlewaretoken": token.group(1).decode(), "login": email, "password": password},
    )
    _apply(cookies, headers)
    session = cookies.get(settings.SESSION_COOKIE_NAME)
    location = dict((k.lower(), v) for k, v in headers).get("location", "")
    # Signed in: redirected out of the accounts pages (not to "verify your email").
    if status != 302 or not session or location.startswith("/accounts/"):
        raise SystemExit(f"signing in {email} answered {status} {location}: not signed in")
    return cookies, seconds, location


def land(port, cookies: dict, location: str) -> str:
    """The browser follows the sign-in's redirect: the landing page shows (and so clears)
    the "signed in" message. A cookie still holding it would make every later page show
    it again, and a page with a message is never served from the page cache. Returns
    the Cookie header the browser sends from then on."""
    status, headers, _, _ = _request(port, "GET", urllib.parse.urlsplit(location).path, cookies)
    if status != 200:
        raise SystemExit(f"the landing page {location} answered {status}")
    return _cookie_header(_apply(cookies, headers))


def _cookie_header(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookie_dict(header: str) -> dict:
    return dict(part.split("=", 1) for part in header.split("; "))


def _with_csrf_cookie(port, cookie: str, path: str) -> str:
    """The cookies after one signed-in GET of `path`: a browser keeps the CSRF cookie a
    page sets (the page cache's key includes the CSRF secret, as the page holds tokens)."""
    cookies = _cookie_dict(cookie)
    status, headers, _, _ = _request(port, "GET", path, cookies)
    if status != 200:
        raise SystemExit(f"{path} answered {status}, not 200")
    return _cookie_header(_apply(cookies, headers))


def _office_session(user) -> str:
    """The reviewer's session, made with the configured session engine (an office
    account signs in with a second factor, which a load run cannot type)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _holders() -> list[tuple[str, str]]:
    """(email, invoice number) of SIGNED_IN holders spread evenly over the data set."""
    year = selectors.current_renewal_year()
    renewals = Renewal.objects.filter(
        year=year, holder__email__endswith="@bench.example.org"
    ).select_related("holder", "invoice")
    every = max(1, renewals.count() // SIGNED_IN)
    return [(r.holder.email, r.invoice.number) for r in renewals.order_by("holder_id")[::every]][
        :SIGNED_IN
    ]


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


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "rps": rps,
        "p50_ms": _ms(latency["50"]),
        "p90_ms": _ms(latency["90"]),
        "p99_ms": _ms(latency["99"]),
        "requests": requests,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        "socket_errors_detail": socket_errors.group(0) if socket_errors else "",
    }


_TICK = os.sysconf("SC_CLK_TCK")


def _workers_cpu_s(master: int) -> float:
    """CPU seconds (user + system) the gunicorn master's worker processes have used."""
    total = 0
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            fields = (pid_dir / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def _wrk(port, script, connections, duration, timeout_s=30, master=None) -> dict:
    threads = min(2, connections)
    cpu_before = _workers_cpu_s(master) if master else None
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            f"{timeout_s}s",
            "-s",
            str(WRK_DIR / f"{script}.lua"),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    result = parse_wrk(output)
    result["loadavg"] = round(os.getloadavg()[0], 2)
    if master:
        result["workers_cpu_s"] = round(_workers_cpu_s(master) - cpu_before, 2)
    return result


def _median_run(runs: list[dict]) -> dict:
    def median(key):
        return statistics.median(run[key] for run in runs)

    requests = sum(run["requests"] for run in runs)
    cpu = sum(run.get("workers_cpu_s", 0) for run in runs)
    return {
        "rps": median("rps"),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        # CPU of the gunicorn workers per request, over all slices: what a request costs
        # the portal's processes, much less sensitive to the machine's other load.
        "cpu_ms": round(cpu * 1000 / requests, 2) if requests else None,
        "requests": requests,
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "socket_errors": sum(run["socket_errors"] for run in runs),
        "slices": len(runs),
        "loadavg": median("loadavg"),
    }


def _quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _start_gunicorn(port, workers, **extra_env):
    # The page cache as the product configures it by default, unless extra_env says.
    env = {k: v for k, v in os.environ.items() if k != "PAGE_CACHE"}
    env.update(DJANGO_SETTINGS_MODULE="bench.settings", **extra_env)
    return subprocess.Popen(
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


def _wait_for(port):
    for _ in range(240):
        try:
            if _request(port, "GET", "/bench/floor/", {})[0] == 200:
                break
        except OSError:
            time.sleep(0.25)
    _request(port, "GET", LOGIN_PATH, {})  # each worker's first request loads code
    _request(port, "GET", LOGIN_PATH, {})


def _stop(server):
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _print_run(connections, page, run):
    print(
        f"  c={connections:<3} {page:<12} {run['rps']:8.1f} req/s  "
        f"p50 {run['p50_ms']:7.1f} ms  p99 {run['p99_ms']:7.1f} ms  "
        f"CPU {run['cpu_ms']} ms/request"
        + (f"  NON-2XX {run['non_2xx']}" if run["non_2xx"] else ""),
        flush=True,
    )


def _sessions_run(port, master, duration, cookies, paths, label) -> dict:
    run = _wrk(port, "sessions", SESSIONS, duration, timeout_s=10, master=master)
    run.update(
        cpu_ms=round(run["workers_cpu_s"] * 1000 / run["requests"], 2) if run["requests"] else None,
        connections=SESSIONS,
        holders=len(cookies),
        pages=[paths[p]("…") for p in SESSION_PAGES],
        duration_s=duration,
        timeout_s=10,
    )
    print(
        f"  {SESSIONS} sessions ({label}): {run['rps']:.1f} req/s, p50 {run['p50_ms']:.0f} ms, "
        f"p99 {run['p99_ms']:.0f} ms, non-2xx {run['non_2xx']}, socket errors "
        f"{run['socket_errors']}, workers' CPU {run['cpu_ms']} ms/request",
        flush=True,
    )
    return run


def load_run(
    duration: int,
    concurrency: list[int],
    workers: int,
    sessions_duration: int = 30,
    sessions_off_duration: int = 10,
    off_duration: int | None = None,
) -> dict:
    """Two gunicorns on the same database, cache and sessions: the product as configured
    (the page cache on) and the same with PAGE_CACHE=off (every view a miss). The signed
    in cookies work on both. At c=1 a server waits between requests, so the second one
    costs nothing while the first is measured; their slices are interleaved."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    WRK_DIR.mkdir(parents=True, exist_ok=True)
    holders = _holders()
    port, port_off = _free_port(), _free_port()
    server = _start_gunicorn(port, workers)
    server_off = _start_gunicorn(port_off, workers, PAGE_CACHE="off")
    # Stopped from outside (SIGTERM), still stop gunicorn: the finally below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: dict = {
        "db_conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "session_engine": settings.SESSION_ENGINE,
        "cache_backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "workers": workers,
        "duration_s": duration,
        "off_duration_s": duration if off_duration is None else off_duration,
        "rounds": ROUNDS,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "pages": {},
    }
    try:
        _wait_for(port)
        _wait_for(port_off)

        # 1. Sign-in, one holder after the other.
        jars, sign_in_s = [], []
        cpu_before = _workers_cpu_s(server.pid)
        for email, _ in holders:
            jar, seconds, location = sign_in(port, email, BENCH_PASSWORD)
            jars.append((jar, location))
            sign_in_s.append(seconds)
        sign_in_cpu_s = _workers_cpu_s(server.pid) - cpu_before
        cookies = [land(port, jar, location) for jar, location in jars]
        ms = [s * 1000 for s in sign_in_s]
        results["sign_in"] = {
            "count": len(ms),
            "p50_ms": round(statistics.median(ms), 1),
            "p90_ms": round(_quantile(ms, 0.9), 1),
            "max_ms": round(max(ms), 1),
            # The workers' CPU for one sign-in: the form and the POST.
            "cpu_ms": round(sign_in_cpu_s * 1000 / len(ms), 1),
        }
        print(
            f"  sign-in: {len(ms)} holders, POST p50 {results['sign_in']['p50_ms']} ms, "
            f"p90 {results['sign_in']['p90_ms']} ms, max {results['sign_in']['max_ms']} ms, "
            f"workers' CPU {results['sign_in']['cpu_ms']} ms a sign-in",
            flush=True,
        )

        reviewer = _with_csrf_cookie(
            port, _office_session(User.objects.get(email=REVIEWER_EMAIL)), "/review/"
        )
        numbers = [number for _, number in holders]
        paths = {
            "floor": lambda n: "/bench/floor/",
            "renewal": lambda n: "/renewal/",
            "ledger": lambda n: "/cec/",
            "invoice": lambda n: f"/payments/invoices/{n}/",
            "credentials": lambda n: "/credentials/",
        }
        targets = {
            page: [(c, paths[page](n)) for c, n in zip(cookies, numbers, strict=True)]
            for page in paths
        }
        targets["review"] = [(reviewer, "/review/")]
        for page, pairs in targets.items():
            (WRK_DIR / f"{page}.lua").write_text(_lua(pairs))
        mix = [
            (cookie, paths[page](number))
            for k, (cookie, number) in enumerate(zip(cookies, numbers, strict=True))
            for page in SESSION_PAGES[k % 4 :] + SESSION_PAGES[: k % 4]
        ]
        (WRK_DIR / "sessions.lua").write_text(_lua(mix))

        # Every session answers 200 on the renewal page and its own invoice, and every
        # page answers 200 to a signed-in request, on both servers.
        for each_port in (port, port_off):
            for page, pairs in targets.items():
                for cookie, path in pairs if page in ("renewal", "invoice") else pairs[:1]:
                    status, _, content, _ = _request(each_port, "GET", path, _cookie_dict(cookie))
                    if status != 200:
                        raise SystemExit(f"{page} ({path}) answered {status}, not 200")
                if page in PAGES and each_port == port:
                    results["pages"][page] = {
                        "path": pairs[0][1],
                        "bytes": len(content),
                        "runs": {},
                    }
                if page in OFF_PAGES and each_port == port_off:
                    results["pages"][f"{page}{OFF}"] = {
                        "path": pairs[0][1],
                        "bytes": len(content),
                        "runs": {},
                        "cache": "off",
                    }
        # Which server and script each measured row uses.
        measured = [(page, port, server, page) for page in PAGES] + [
            (f"{page}{OFF}", port_off, server_off, page) for page in OFF_PAGES
        ]
        # Warm every worker (the checks above already filled the page cache for the
        # renewal and invoice pages of every session).
        for _, each_port, _, script in measured:
            _wrk(each_port, script, 2, 1)

        # 2. Pages at each concurrency, interleaved slices. The machine is shared: a burst
        # of outside load lands on every page alike instead of on whichever page was running.
        # The cache-off rows are read, not judged: they may take shorter slices.
        slice_s = max(2, round(duration / ROUNDS))
        off_slice_s = max(2, round(results["off_duration_s"] / ROUNDS))
        for connections in concurrency:
            slices = {row: [] for row, *_ in measured}
            for _ in range(ROUNDS):
                for row, each_port, each_server, script in measured:
                    seconds = off_slice_s if row.endswith(OFF) else slice_s
                    slices[row].append(
                        _wrk(each_port, script, connections, seconds, master=each_server.pid)
                    )
            for row, *_ in measured:
                run = _median_run(slices[row])
                results["pages"][row]["runs"][str(connections)] = run
                _print_run(connections, row, run)

        # 3. SESSIONS concurrent signed-in sessions across the holder pages: the cache on,
        # then (when there is time for it) every view a miss.
        results["sessions"] = _sessions_run(
            port, server.pid, sessions_duration, cookies, paths, "cache on"
        )
        _stop(server)
        if sessions_off_duration:
            results["sessions_off"] = _sessions_run(
                port_off, server_off.pid, sessions_off_duration, cookies, paths, "cache off"
            )
        results["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        _stop(server)
        _stop(server_off)
    return results
