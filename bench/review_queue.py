"""The reviewer queue in-process, beside the framework floor: a quick timing of issue 19's
"reviewer queue constant in the queue's size" without gunicorn or wrk.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python -m bench.review_queue [runs]

Run it on a bench database after `python -m bench invoices` (which queues 10,000
submissions). Each round requests the floor, the queue's first page, a page
deep in the queue (following the Next links) and a filtered first page, in turn; the
medians of wall and CPU time per request and the queries of each are printed.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main(runs: int = 30) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.generate import REVIEWER_EMAIL
    from bench.load import _office_session
    from cec.models import Submission
    from credentials.models import User

    waiting = Submission.objects.filter(state="submitted").count()
    client = Client(HTTP_HOST="localhost")
    cookie = _office_session(User.objects.get(email=REVIEWER_EMAIL))
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie.split("=", 1)[1]

    # A page deep in the queue: follow the Next link ten times.
    deep = "/review/"
    for _ in range(10):
        found = re.search(r'href="(\?[^"]*)"[^>]*>Next', client.get(deep).content.decode())
        if not found:
            break
        deep = "/review/" + found.group(1).replace("&amp;", "&")
    pages = {
        "floor": "/bench/floor/",
        "queue, first page": "/review/",
        "queue, 11th page": deep,
        "queue, filtered (age > 7 days, PCAM)": "/review/?age=7&credential=PCAM",
    }
    wall = {name: [] for name in pages}
    cpu = {name: [] for name in pages}
    queries = {}
    for name, url in pages.items():  # warm up, and count the queries once
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries[name] = len(captured)
    for _ in range(runs):
        for name, url in pages.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(url)
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - cpu_started) * 1000)
    floor = statistics.median(cpu["floor"])
    print(f"{waiting:,} submissions waiting; medians of {runs} requests each")
    print(f"{'page':40} {'wall ms':>8} {'CPU ms':>8} {'queries':>8} {'vs floor':>9}")
    for name in pages:
        c = statistics.median(cpu[name])
        print(
            f"{name:40} {statistics.median(wall[name]):8.1f} {c:8.1f} {queries[name]:8d} "
            f"{floor / c:8.0%}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
