"""Expo check-in: the time to find the holder behind a typed code, by index (issue 15
item 10), beside the baseline in the same run (every holder's code recomputed and
compared, as before the index). Medians of `runs` lookups each, on a throwaway SQLite
database of its own (var/bench/checkin.sqlite3).

    .venv/bin/python -m bench.checkin --holders 50000 --runs 15

The index lookup is timed twice, at 1,000 holders and at --holders, to show it does not
grow with the number of holders; the baseline is timed at --holders.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

VAR = Path(__file__).resolve().parent.parent / "var" / "bench"
DATABASE = VAR / "checkin.sqlite3"


def _setup():
    VAR.mkdir(parents=True, exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _add_holders(start: int, stop: int, event, day) -> None:
    import secrets

    from django.contrib.auth import get_user_model

    from cec.models import CheckInCode, CheckInKey
    from cec.services import checkin

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(email=f"bench-holder-{n}@example.org") for n in range(start, stop)],
        batch_size=2000,
    )
    keys = CheckInKey.objects.bulk_create(
        [CheckInKey(holder=user, token=secrets.token_urlsafe(12)) for user in users],
        batch_size=2000,
    )
    CheckInCode.objects.bulk_create(
        [
            CheckInCode(
                key=key,
                event=event,
                day=day,
                lookup=checkin.lookup_for(checkin.typed_code(key.token, event.pk, day)),
            )
            for key in keys
        ],
        batch_size=2000,
    )


def _baseline(code: str, event_id: int, day):
    """The lookup before the index: every holder's code recomputed and compared."""
    from django.utils.crypto import constant_time_compare

    from cec.models import CheckInKey
    from cec.services import checkin

    keys = list(CheckInKey.objects.select_related("holder").only("token", "holder"))
    for key in keys:
        expected = checkin.typed_code(key.token, event_id, day).replace("-", "")
        if constant_time_compare(expected, code):
            return key.holder
    return None


def _median_ms(find, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        holder = find()
        times.append((time.perf_counter() - started) * 1000)
        assert holder is not None
    return round(statistics.median(times), 2)


def checkin_bench(holders: int, runs: int) -> dict:
    import datetime as dt

    from cec.models import CheckInKey, Event
    from cec.services import checkin

    day = dt.date(2026, 9, 24)
    event = Event.objects.create(name="Bench Expo", starts_on=day, ends_on=day)
    session = SimpleNamespace(event_id=event.pk)
    small = min(1000, holders)

    _add_holders(0, small, event, day)
    last = CheckInKey.objects.order_by("-pk").first()
    code = checkin.typed_code(last.token, event.pk, day)
    indexed_small = _median_ms(lambda: checkin._holder_from_typed(code, session, day), runs)

    _add_holders(small, holders, event, day)
    last = CheckInKey.objects.order_by("-pk").first()  # the worst case for the baseline
    code = checkin.typed_code(last.token, event.pk, day)
    indexed = _median_ms(lambda: checkin._holder_from_typed(code, session, day), runs)
    baseline = _median_ms(
        lambda: _baseline(code.replace("-", ""), event.pk, day), max(3, runs // 5)
    )
    return {
        "holders": holders,
        "runs": runs,
        f"indexed_ms_at_{small}": indexed_small,
        "indexed_ms": indexed,
        "baseline_ms": baseline,
        "speedup": round(baseline / indexed, 1) if indexed else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checkin")
    parser.add_argument("--holders", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    _setup()
    result = checkin_bench(args.holders, args.runs)
    small = next(key for key in result if key.startswith("indexed_ms_at_"))
    print(f"Typed check-in code lookup, {result['holders']:,} holders, median of {args.runs}:")
    print(f"  by index at {small.rsplit('_', 1)[1]} holders: {result[small]} ms")
    print(f"  by index at {result['holders']:,} holders: {result['indexed_ms']} ms")
    print(f"  baseline (every holder's code compared): {result['baseline_ms']} ms")
    print(f"  {result['speedup']}x faster")
    DATABASE.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
