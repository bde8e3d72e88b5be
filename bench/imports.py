"""Importing the office's spreadsheets (issue 18): the time to check (dry run) and to
confirm files of 5,000 holders, 8,000 credentials and 40,000 CEC history rows, then to
re-check them (every row unchanged) and to undo the three imports. Medians of `runs`
rounds, each on the same throwaway SQLite database (var/bench/imports.sqlite3): a round
ends by undoing its imports, so the next starts from the same empty portal.

    .venv/bin/python -m bench.imports --holders 5000 --credentials 8000 --cec 40000 --runs 3

Prints the figures; it is not a pass/fail test. The goal is the whole import (check and
confirm of the three files) in under 60 seconds.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import time
from pathlib import Path

VAR = Path(__file__).resolve().parent.parent / "var" / "bench"
DATABASE = VAR / "imports.sqlite3"
CODES = ("CAM", "CALP", "CAPS", "CAS", "AIME")
KINDS = ("AASC class", "In-network", "Other", "Participation")


def _setup():
    VAR.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:  # PostgreSQL when given (a throwaway database)
        DATABASE.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def generate(holders: int, credentials: int, cec: int, seed: int = 18) -> dict[str, bytes]:
    """Three files as an association system exports them (header variants included)."""
    rng = random.Random(seed)
    people = [
        [
            "Member ID",
            "First Name",
            "Last Name",
            "E-mail",
            "Phone",
            "Address",
            "City",
            "State",
            "Zip",
            "Company",
            "Job Title",
        ]
    ]
    for n in range(holders):
        people.append(
            [
                f"M{n:06d}",
                f"First{n}",
                f"Last{n}",
                f"bench{n}@example.org",
                f"719-555-{n % 10000:04d}",
                f"{n} Main St",
                "Denver",
                "CO",
                f"80{n % 1000:03d}",
                f"Company {n % 300}",
                "Community Manager",
            ]
        )
    creds = [["Member ID", "Designation", "Credential #", "Date Earned", "Expires", "Status"]]
    per_holder = {}
    for n in range(credentials):
        holder = n % holders
        index = per_holder.setdefault(holder, 0)
        per_holder[holder] += 1
        code = CODES[index % len(CODES)]
        creds.append(
            [f"M{holder:06d}", code, f"{code}-{n:07d}", "2019-05-01", "12/31/2026", "Active"]
        )
    history = [["Member ID", "Date", "Course", "CEC Hours", "Type", "Provider", "Certificate"]]
    for n in range(cec):
        holder = n % holders
        history.append(
            [
                f"M{holder:06d}",
                f"2026-{1 + n % 12:02d}-{1 + (n // holders) % 28:02d}",
                f"Course {n}",
                str(rng.choice((1, 1.5, 2, 3, 4))),
                rng.choice(KINDS),
                "AASC",
                f"CERT-{n}",
            ]
        )
    return {"holders": _csv(people), "credentials": _csv(creds), "cec_history": _csv(history)}


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def one_round(files, by) -> dict[str, float]:
    from credentials.models import ImportBatch
    from credentials.services import imports

    times, batches = {}, []
    for kind, data in files.items():
        seconds, batch = _timed(lambda k=kind, d=data: imports.check_upload(k, f"{k}.csv", d, by))
        assert batch.status == ImportBatch.Status.CHECKED, batch.errors[:3]
        times[f"{kind} dry run"] = seconds

        def confirm(b=batch):
            imports.confirm(b, by)
            return imports.run_batch(b.pk)

        seconds, done = _timed(confirm)
        assert done.status == ImportBatch.Status.DONE, done.message
        times[f"{kind} confirm"] = seconds
        batches.append(done)
    for kind, data in files.items():
        seconds, batch = _timed(lambda k=kind, d=data: imports.check_upload(k, "again.csv", d, by))
        assert batch.created_count == batch.updated_count == 0
        times[f"{kind} re-check (unchanged)"] = seconds
    start = time.perf_counter()
    for batch in reversed(batches):
        imports.undo_batch(batch, by)
    times["undo all three"] = time.perf_counter() - start
    times["whole import (check + confirm)"] = sum(
        v for k, v in times.items() if k.endswith(("dry run", "confirm"))
    )
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.imports")
    parser.add_argument("--holders", type=int, default=5000)
    parser.add_argument("--credentials", type=int, default=8000)
    parser.add_argument("--cec", type=int, default=40000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    _setup()
    from django.contrib.auth import get_user_model

    by = get_user_model().objects.create_superuser("bench-clerk@example.org", "x")
    files = generate(args.holders, args.credentials, args.cec)
    print(
        f"{args.holders:,} holders, {args.credentials:,} credentials, {args.cec:,} CEC rows "
        f"({sum(len(d) for d in files.values()) / 1024 / 1024:.1f} MB of CSV), {args.runs} runs"
    )
    rounds = [one_round(files, by) for _ in range(args.runs)]
    width = max(len(k) for k in rounds[0])
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        print(
            f"  {key:<{width}}  median {statistics.median(values):6.2f} s  "
            f"(min {min(values):.2f}, max {max(values):.2f})"
        )


if __name__ == "__main__":
    main()
