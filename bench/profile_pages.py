"""Where a holder page's time goes, in-process (issue 19): each holder page and the
framework floor through the Django test client, signed in and warm, with the product's
settings and middleware (bench.settings), on a fresh in-memory test database holding a
realistic holder: three credentials due, their renewal and open invoice, 40 ledger
entries, reporting forms, and a cheque payment (for the receipt page).

    .venv/bin/python -m bench.profile_pages                  # figures + profiles
    .venv/bin/python -m bench.profile_pages --middleware     # + what each middleware costs
    .venv/bin/python -m bench.profile_pages --redis URL      # cache and sessions in Redis
    .venv/bin/python -m bench.profile_pages --cache off      # PAGE_CACHE=off: every view a miss
    .venv/bin/python -m bench.profile_pages --cache both     # hits, then misses (<out>/hit, miss)
    .venv/bin/python -m bench.profile_pages --summary F.json # + the largest costs, for the report

Writes bench/profiles/<page>.txt (pyinstrument, text) and prints, per page, the median
req/s of several interleaved rounds (wall clock, and from the process's CPU time per
request, which other work on a shared machine does not inflate), each as a share of the
floor's measured in the same run, and the queries one request makes. --middleware
writes bench/profiles/middleware.txt: the floor served through the first k middleware
of settings.MIDDLEWARE, k = 0..n; a middleware's cost is the difference between its
prefix and the one before.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

PROFILES = Path(__file__).resolve().parent / "profiles"
DENVER = ZoneInfo("America/Denver")


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds")
    parser.add_argument("--middleware", action="store_true", help="measure each middleware")
    parser.add_argument("--redis", default="", help="REDIS_URL: cache and sessions in Redis")
    parser.add_argument("--out", default=str(PROFILES), help="directory of the profiles")
    parser.add_argument("--pages", default="", help="comma-separated page names (default all)")
    parser.add_argument("--no-profiles", action="store_true", help="figures only")
    parser.add_argument(
        "--cache",
        choices=["default", "on", "off", "both"],
        default="default",
        help="the page cache: as configured (default), on (PAGE_CACHE unset), off, or both "
        "(on then off in one run, into <out>/hit and <out>/miss)",
    )
    parser.add_argument(
        "--summary",
        default="",
        help="write each page's figures and largest costs here (JSON; with --cache both, a "
        "directory for hit.json and miss.json)",
    )
    parser.add_argument(
        "--profile-seconds",
        type=float,
        default=0.5,
        help="profile each page for at least this much CPU time (more requests if cheap)",
    )
    parser.add_argument(
        "--travel",
        action="store_true",
        help="run on November 25, 2026 (time-machine; its patched clock costs CPU)",
    )
    return parser.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS and ARGS.redis:
    os.environ["REDIS_URL"] = ARGS.redis
if ARGS and ARGS.cache in ("on", "both"):
    os.environ.pop("PAGE_CACHE", None)
elif ARGS and ARGS.cache == "off":
    os.environ["PAGE_CACHE"] = "off"

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402


def build_holder(email="bench-holder@example.org"):
    """A holder as the season sees many: three credentials due at the end of 2026, the
    2027 renewal and its open invoice, 40 ledger entries over four years, three
    reporting forms (a draft, one sent with evidence, one returned)."""
    from cec.models import EntryState, Source
    from credentials.services.renewals import issue_renewal_for
    from tests.factories import (
        ContactProfileFactory,
        CredentialFactory,
        HolderFactory,
        LedgerEntryFactory,
        ReportingFormFactory,
        credential_type,
    )
    from tests.factories.cec_forms import sent_form

    holder = HolderFactory(email=email)
    ContactProfileFactory(user=holder)
    for code in ("CAM", "CALP", "CAPS"):
        CredentialFactory(
            holder=holder,
            credential_type=credential_type(code),
            valid_through=dt.date(2026, 12, 31),
        )
    renewal = issue_renewal_for(holder, 2027)
    for n in range(40):
        LedgerEntryFactory(
            holder=holder,
            earned_on=dt.date(2026 - n % 4, 1 + n % 12, 1 + n % 28),
            hours=Decimal("1.50"),
            title=f"Class {n}",
            source=Source.COMMITTEE if n % 10 == 9 else Source.AASC_CLASS,
            participation=n % 10 == 9,
            in_network=n % 10 != 9,
            state=EntryState.WITHDRAWN if n % 20 == 7 else EntryState.CREDITED,
        )
    ReportingFormFactory(holder=holder)
    ReportingFormFactory(holder=holder, returned=True)
    sent_form(holder=holder)
    return holder, renewal


def pages(renewal, paid_renewal, payment):
    """Page name -> address; the receipt is the paid holder's (see main)."""
    invoice = renewal.invoice.number
    return {
        "floor": reverse("bench_floor"),
        "home": reverse("credentials:home"),
        "renewal": reverse("credentials:renewal"),
        "contact_details": reverse("credentials:profile"),
        "ledger": reverse("cec:ledger"),
        "forms": reverse("cec_forms:list"),
        "form_new": reverse("cec_forms:create"),
        "submission": reverse("cec_submission:start"),
        "invoice": reverse("payments:invoice", args=[invoice]),
        "receipt": reverse("payments:receipt", args=[paid_renewal.invoice.number, payment.pk]),
        "credentials": reverse("credentials:credentials"),
    }


def timed(client, url, n):
    """(requests a second by the wall clock, ms of this process's CPU a request). On a
    shared machine the wall clock counts other work too; the CPU time does not."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        response = client.get(url)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 200, (url, response.status_code)
    return n / elapsed, 1000 * cpu / n


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [q["sql"] for q in captured.captured_queries]


# Where a page's time goes, by kind of work: each sample goes to the innermost frame on
# its stack that is of one of these kinds (a query run from a template tag is SQL, not
# template rendering); samples under none of them are the framework's request handling
# and middleware ("framework").
KINDS = [
    ("SQL (database driver)", ("/django/db/backends/", "/sqlite3/", "/psycopg")),
    ("ORM (building and compiling queries, model instances)", ("/django/db/models/",)),
    ("template rendering", ("/django/template/", "/django/templatetags/", "/django/forms/")),
    ("URL reversing", ("/django/urls/",)),
    ("cache reads and writes", ("/django/core/cache/", "/redis/")),
    (
        "sessions and authentication",
        ("/django/contrib/sessions/", "/django/contrib/auth/", "/allauth/"),
    ),
]
PORTAL = "the portal's own code"
TOP_FUNCTIONS = 25
FRAMEWORK_KIND = "framework (request handling, middleware)"
ROOT = Path(__file__).resolve().parent.parent


def _kind(frame):
    path = frame.file_path or ""
    for name, parts in KINDS:
        if any(part in path for part in parts):
            return name
    if path.startswith(str(ROOT)) and "/bench/" not in path and "site-packages" not in path:
        return PORTAL
    return None


def _requests(frame):
    """The outermost frames of the test client's requests (their time is the pages')."""
    if (frame.file_path or "").endswith("django/test/client.py"):
        return [frame]
    return [found for child in frame.children for found in _requests(child)]


def cost_summary(root) -> dict:
    """The page's time by kind of work and by function (self time), as shares of the
    time spent inside the requests."""
    kinds, functions = {}, {}

    def walk(frame, kind):
        kind = _kind(frame) or kind
        # pyinstrument keeps a frame's own time in "[self]" children: counted as its own.
        real = [child for child in frame.children if not child.is_synthetic]
        own = max(0.0, frame.time - sum(child.time for child in real))
        if own:
            kinds[kind or FRAMEWORK_KIND] = kinds.get(kind or FRAMEWORK_KIND, 0) + own
            where = f"{frame.file_path_short}:{frame.line_no}" if frame.line_no else "built-in"
            name = f"{frame.function} ({where})"
            functions[name] = functions.get(name, 0) + own
        for child in real:
            walk(child, kind)

    requests = _requests(root) if root else []
    for frame in requests:
        walk(frame, None)
    total = sum(frame.time for frame in requests) or 1.0
    by_kind = sorted(((k, t / total) for k, t in kinds.items()), key=lambda kv: -kv[1])
    by_function = sorted(((f, t / total) for f, t in functions.items()), key=lambda kv: -kv[1])
    return {
        "kinds": [[k, round(share, 4)] for k, share in by_kind],
        "functions": [[f, round(share, 4)] for f, share in by_function[:TOP_FUNCTIONS]],
    }


def _summary_text(summary) -> str:
    lines = ["Where the time goes, by kind of work (share of the time inside the requests):"]
    lines += [f"  {share:6.1%}  {kind}" for kind, share in summary["kinds"]]
    lines += ["", "The largest single functions (self time):"]
    lines += [f"  {share:6.1%}  {name}" for name, share in summary["functions"]]
    return "\n".join(lines)


def profile_text(client, url, n):
    """(the profile as text, its cost summary) of n requests."""
    from pyinstrument import Profiler

    # Wall-clock samples: on a shared machine the process is also descheduled, but at
    # random points, so each function's share of the samples stays its share of the CPU.
    profiler = Profiler(interval=0.001)
    profiler.start()
    for _ in range(n):
        client.get(url)
    profiler.stop()
    summary = cost_summary(profiler.last_session.root_frame())
    tree = profiler.output_text(unicode=True, color=False)
    return f"{_summary_text(summary)}\n\nCall tree:\n{tree}", summary


def build_review_queue(waiting=51):
    """A reviewer and `waiting` submissions waiting (more than the queue's page of 50)."""
    from bench.generate import _enable_mfa
    from tests.factories import HolderFactory, ReviewerFactory
    from tests.factories.cec_forms import SubmissionFactory
    from tests.factories.renewal_states import renewal_due

    for n in range(waiting):
        renewal = renewal_due(HolderFactory(email=f"bench-waiting{n}@example.org"))
        SubmissionFactory(renewal=renewal)
    reviewer = ReviewerFactory(email="bench-reviewer@example.org")
    _enable_mfa(reviewer)  # an office account without two-factor is sent to set it up
    return reviewer


def measure_pages(clients, urls, iterations, rounds):
    for name, url in urls.items():  # warm: templates compiled, caches filled, step 3 seen
        for _ in range(20):
            assert clients[name].get(url).status_code == 200, url
    if not rounds:
        return {name: 1.0 for name in urls}, {name: 1.0 for name in urls}
    walls, cpus = {name: [] for name in urls}, {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            wall, cpu = timed(clients[name], url, iterations)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return (
        {name: statistics.median(values) for name, values in walls.items()},
        {name: statistics.median(values) for name, values in cpus.items()},
    )


def measure_middleware(holder, iterations, rounds):
    """The floor through the first k middleware, k = 0..n (medians of `rounds`)."""
    stack = list(settings.MIDDLEWARE)
    url = reverse("bench_floor")
    clients = []
    for k in range(len(stack) + 1):
        with override_settings(MIDDLEWARE=stack[:k]):
            client = Client()
            if "django.contrib.sessions.middleware.SessionMiddleware" in stack[:k]:
                client.force_login(holder)
            for _ in range(20):
                client.get(url)
            clients.append(client)
    times = [[] for _ in clients]
    for _ in range(rounds):
        for k, client in enumerate(clients):
            with override_settings(MIDDLEWARE=stack[:k]):
                times[k].append(timed(client, url, iterations)[1])
    medians = [statistics.median(t) for t in times]
    lines = [
        "What each middleware costs on the signed-in floor (bench/profile_pages.py --middleware):",
        "the floor view served through the first k middleware of settings.MIDDLEWARE; a",
        "middleware's cost is its prefix's median CPU ms per request minus the previous",
        "prefix's (CPU time of the process: the machine is shared).",
        f"{iterations} requests per round, median of {rounds} rounds; queries per request.",
        "",
        f"{'middleware':<58} {'CPU ms':>10} {'cost ms':>8} {'share':>6} {'queries':>7}",
    ]
    total = medians[-1]
    for k in range(len(stack) + 1):
        name = "(none: the view through Django's handler)" if k == 0 else stack[k - 1]
        with override_settings(MIDDLEWARE=stack[:k]):
            n_queries = len(queries_of(clients[k], url))
        cost = medians[k] - (medians[k - 1] if k else 0)
        lines.append(
            f"{name:<58} {medians[k]:>10.3f} {cost:>8.3f} {cost / total:>6.0%} {n_queries:>7}"
        )
    lines.append(f"{'whole stack':<58} {total:>10.3f}")
    return "\n".join(lines) + "\n"


def _clock(travel):
    """The data is dated for the 2027 renewal season (November 2026 to March 2027): run
    on today's date inside it, else on November 25, 2026 through time-machine."""
    if travel or not dt.date(2026, 11, 1) <= dt.date.today() <= dt.date(2027, 3, 31):
        return time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=DENVER), tick=True)
    return contextlib.nullcontext()


def run_mode(args, mode, out, summary, holder, urls, clients):
    """Time and profile every page in one page-cache mode ("on": as configured, so a
    repeat view is a hit; "off": PAGE_CACHE off, every view a miss)."""
    out.mkdir(parents=True, exist_ok=True)
    page_cache = "off" if mode == "off" else "(as configured: on)"
    switch = override_settings(PAGE_CACHE=False) if mode == "off" else contextlib.nullcontext()
    with switch:
        rates, cpu = measure_pages(clients, urls, args.iterations, args.rounds)
        header = (
            f"{'page':<16} {'req/s':>7} {'vs floor':>8} {'CPU ms':>7} {'CPU req/s':>9} "
            f"{'vs floor':>8} {'queries':>7}\n{'-' * 70}"
        )
        rows = [header]
        figures = {}
        for name, url in urls.items():
            n_queries = len(queries_of(clients[name], url))
            figures[name] = {"url": url, "cpu_ms": round(cpu[name], 3), "queries": n_queries}
            rows.append(
                f"{name:<16} {rates[name]:>7.1f} {rates[name] / rates['floor']:>8.0%} "
                f"{cpu[name]:>7.2f} {1000 / cpu[name]:>9.1f} "
                f"{cpu['floor'] / cpu[name]:>8.0%} {n_queries:>7}"
            )
        table = "\n".join(rows)
        print(f"cache: {settings.CACHES['default']['BACKEND']}; PAGE_CACHE={page_cache}")
        print(f"sessions: {settings.SESSION_ENGINE}")
        print(table, flush=True)
        if not args.no_profiles:
            for name, url in urls.items():
                sql = queries_of(clients[name], url)
                # Cheap pages (a cache hit) get more requests, so the profile has enough
                # samples to be read.
                n = max(args.iterations, int(args.profile_seconds * 1000 / max(cpu[name], 0.05)))
                text, costs = profile_text(clients[name], url, n)
                figures[name].update(
                    kinds=costs["kinds"], functions=costs["functions"][:10], profiled_requests=n
                )
                (out / f"{name}.txt").write_text(
                    f"{name}: GET {url}, {n} requests, signed in, warm, PAGE_CACHE="
                    f"{page_cache} (bench/profile_pages.py)\n{len(sql)} queries a request:\n"
                    + "".join(f"  {q[:200]}\n" for q in sql)
                    + "\n"
                    + text
                )
        (out / "pages.txt").write_text(
            f"cache: {settings.CACHES['default']['BACKEND']}; sessions: "
            f"{settings.SESSION_ENGINE}; PAGE_CACHE={page_cache}; median of {args.rounds} "
            f"rounds of {args.iterations} requests\n{table}\n"
        )
        middleware = args.middleware and mode != "off"
        if middleware:
            # Each prefix costs a fraction of a millisecond: more requests and rounds, so
            # one stall of a shared machine does not make a middleware look costly.
            text = measure_middleware(holder, max(args.iterations, 200), max(args.rounds, 5))
            (out / "middleware.txt").write_text(text)
            print(text)
    if summary:
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(
            json.dumps(
                {
                    "page_cache": "off" if mode == "off" else "on",
                    "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
                    "sessions": settings.SESSION_ENGINE,
                    "out": os.path.relpath(out.resolve(), ROOT),
                    "iterations": args.iterations,
                    "rounds": args.rounds,
                    "middleware": middleware,
                    "pages": figures,
                },
                indent=2,
            )
        )


def main():
    args = ARGS
    # Not django.test.utils.setup_test_environment(): it instruments template rendering
    # (a signal and a copy of the context per template), which gunicorn does not pay.
    media = tempfile.mkdtemp(prefix="profile-pages-media-")
    with (
        _clock(args.travel),
        override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            MEDIA_ROOT=media,
            BADGE_KEY_DIR=media,
            BADGE_PRIVATE_KEY="",
        ),
    ):
        old_name = connection.creation.create_test_db(verbosity=0, keepdb=False, serialize=False)
        try:
            from django.core.cache import caches

            for cache in caches.all():
                cache.clear()
            from tests.factories import StaffFactory
            from tests.factories.renewal_states import pay_by_cheque

            holder, renewal = build_holder()
            # The receipt page needs a payment, and a cheque pays the whole invoice: a
            # second holder, the same data, paid.
            paid_holder, paid_renewal = build_holder("bench-paid@example.org")
            payment = pay_by_cheque(paid_renewal, StaffFactory(email="bench-clerk@example.org"))
            client, paid_client, reviewer_client = Client(), Client(), Client()
            client.force_login(holder)
            paid_client.force_login(paid_holder)
            urls = pages(renewal, paid_renewal, payment)
            wanted = [p for p in args.pages.split(",") if p] or [*urls, "review"]
            if "review" in wanted:
                reviewer_client.force_login(build_review_queue())
                urls["review"] = reverse("review:queue")
            urls = {name: url for name, url in urls.items() if name in wanted or name == "floor"}
            clients = {
                name: {"receipt": paid_client, "review": reviewer_client}.get(name, client)
                for name in urls
            }
            if args.cache == "both":
                # One database for both: the page cache as configured (hits), then
                # PAGE_CACHE off (misses), into <out>/hit and <out>/miss.
                summaries = Path(args.summary) if args.summary else None
                for mode, label in (("on", "hit"), ("off", "miss")):
                    run_mode(
                        args,
                        mode,
                        Path(args.out) / label,
                        summaries / f"{label}.json" if summaries else None,
                        holder,
                        urls,
                        clients,
                    )
            else:
                run_mode(
                    args,
                    "off" if args.cache == "off" else "on",
                    Path(args.out),
                    Path(args.summary) if args.summary else None,
                    holder,
                    urls,
                    clients,
                )
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
