"""python -m bench <step> [options]; `make bench` runs them all (bench/run.sh).

Steps: fresh (empty, migrated database), calibrate (how fast the machine is now),
generate, invoices (the timed invoice run, then the reviewer's 10,000 waiting
submissions), load (sign-in, pages, 100 concurrent sessions: gunicorn + wrk), pdf,
report. Each step adds
its figures to var/bench/results/<database>.json; `report` writes docs/PERFORMANCE.md.
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

RESULTS = Path(__file__).resolve().parent.parent / "var" / "bench" / "results"


def _setup():
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


def _save(vendor, key, value):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{vendor}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=2, default=str))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("fresh", help="drop the bench database and migrate an empty one")
    sub.add_parser("calibrate", help="a fixed CPU and SQLite workload, the password hash")
    gen = sub.add_parser("generate", help="bulk-insert the data set")
    gen.add_argument("--holders", type=int, default=50_000)
    gen.add_argument("--forms", type=int, default=None, help="default 100,000")
    inv = sub.add_parser("invoices", help="time the invoice run, then queue submissions")
    inv.add_argument("--profile", help="write a pyinstrument profile of the run here")
    load = sub.add_parser("load", help="gunicorn on loopback, wrk against each page")
    load.add_argument("--duration", type=int, default=20, help="seconds per page and level")
    load.add_argument("--concurrency", default="1", help="connections, comma separated")
    load.add_argument(
        "--sessions-duration", type=int, default=30, help="seconds of the 100-sessions run"
    )
    load.add_argument(
        "--sessions-off-duration",
        type=int,
        default=10,
        help="seconds of the 100-sessions run with PAGE_CACHE=off (0: not run)",
    )
    load.add_argument(
        "--off-duration",
        type=int,
        default=None,
        help="seconds per page with PAGE_CACHE=off (default: --duration)",
    )
    load.add_argument("--workers", type=int, default=2)
    pdf = sub.add_parser("pdf", help="certificate and invoice PDFs against bare WeasyPrint")
    pdf.add_argument("--runs", type=int, default=50)
    report = sub.add_parser("report", help="write docs/PERFORMANCE.md from the results")
    report.add_argument("--command", default="make bench")
    report.add_argument("--seconds", type=int, default=None, help="how long the run took")
    args = parser.parse_args(argv)

    if args.step == "fresh":
        from bench.fresh import fresh

        fresh()
        vendor = _setup()
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{vendor}.json").unlink(missing_ok=True)
        return 0
    vendor = _setup()
    if args.step == "calibrate":
        from bench.calibrate import calibrate

        _save(vendor, "calibration", calibrate())
    elif args.step == "generate":
        from bench.generate import generate

        _save(vendor, "generate", generate(args.holders, args.forms))
    elif args.step == "invoices":
        from bench.invoice_run import invoice_run, queue_submissions

        _save(vendor, "invoice_run", invoice_run(args.profile))
        _save(vendor, "waiting_submissions", queue_submissions())
    elif args.step == "load":
        from bench.load import load_run

        concurrency = [int(c) for c in args.concurrency.split(",")]
        _save(
            vendor,
            "load",
            load_run(
                args.duration,
                concurrency,
                args.workers,
                args.sessions_duration,
                args.sessions_off_duration,
                args.off_duration,
            ),
        )
    elif args.step == "pdf":
        from bench.pdfs import pdf_bench

        _save(vendor, "pdf", pdf_bench(args.runs))
    elif args.step == "report":
        from bench.report import write_report

        write_report(args.command, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
