"""The renewal invoice run at scale, and the reviewer's waiting submissions.

`invoice_run` calls the product's `issue_renewals` for every holder due, exactly as
`manage.py issue_renewals` does (rows: renewals, their credentials, invoices, lines,
history and one outbox row per invoice email, whose sends are enqueued on commit to an
in-memory broker; no mail is rendered to PDF or sent).
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.db.models import Count

from bench.generate import insert_rows, reset_sequences
from cec.models import EntryState, LedgerEntry, Submission
from credentials import rules, selectors
from credentials.models import OutboxMessage, Renewal, RenewalCredential
from credentials.services.renewals import issue_renewals
from payments.models import Invoice, InvoiceLine

# The reviewer's queue: 10,000 submissions waiting for NAAEI (one renewal in five at
# 50,000 holders; every renewal when there are fewer than 10,000).
SUBMISSIONS_WAITING = 10_000


def _counts():
    return {
        "renewals": Renewal.objects.count(),
        "renewal credentials": RenewalCredential.objects.count(),
        "invoices": Invoice.objects.count(),
        "invoice lines": InvoiceLine.objects.count(),
        "renewal history": Renewal.history.count(),
        "invoice history": Invoice.history.count(),
        "outbox messages": OutboxMessage.objects.count(),
    }


def invoice_run(profile: str | None = None) -> dict:
    year = selectors.current_renewal_year()
    before = _counts()
    done = [0]

    def progress(count, total):
        if count - done[0] >= 10_000 or count == total:
            done[0] = count
            print(f"  {count:,} of {total:,} holders", flush=True)

    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = issue_renewals(year, progress=progress)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if profiler is not None:
        profiler.stop()
        with open(profile, "w") as out:
            out.write(profiler.output_text(unicode=True, color=False, show_all=False))
    after = _counts()
    written = {name: after[name] - before[name] for name in after}
    rows = sum(written.values())
    print(f"  {summary}")
    print(
        f"  issued {summary.issued:,} renewals in {seconds:.1f} s: "
        f"{summary.issued / seconds:,.0f} invoices/s, {rows / seconds:,.0f} rows/s "
        f"(CPU time of this process {cpu:.1f} s)"
    )
    return {
        "year": year,
        "holders": summary.holders,
        "issued": summary.issued,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "invoices_per_s": round(summary.issued / seconds, 1) if seconds else None,
        "rows": rows,
        "rows_per_s": round(rows / seconds, 1) if seconds else None,
        "rows_by_table": written,
    }


def queue_submissions() -> int:
    """SUBMISSIONS_WAITING renewals, spread evenly over the holders, get a CEC submission
    waiting for review, of up to six credited entries each."""
    year = selectors.current_renewal_year()
    first, last = rules.earning_window(year)
    every = max(1, Renewal.objects.filter(year=year).count() // SUBMISSIONS_WAITING)
    renewals = list(
        Renewal.objects.filter(year=year)
        .order_by("holder_id")
        .values_list("pk", "holder_id", "cecs_owed")[::every]
    )[:SUBMISSIONS_WAITING]
    holder_ids = [holder_id for _, holder_id, _ in renewals]
    entries: dict[int, list] = {}
    for pk, holder_id, hours, in_network in (
        LedgerEntry.objects.filter(
            holder_id__in=holder_ids,
            state=EntryState.CREDITED,
            earned_on__gte=first,
            earned_on__lte=last,
        )
        .order_by("holder_id", "pk")
        .values_list("pk", "holder_id", "hours", "in_network")
        .iterator(chunk_size=10_000)
    ):
        picked = entries.setdefault(holder_id, [])
        if len(picked) < 6:
            picked.append((pk, hours, in_network))
    start = (Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    base = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    through = Submission.entries.through
    with transaction.atomic():
        subs, links, linked = [], [], []
        for n, (renewal_id, holder_id, _) in enumerate(renewals):
            picked = entries.get(holder_id, [])
            subs.append(
                (
                    start + n,
                    renewal_id,
                    sum(h for _, h, _ in picked),
                    sum(h for _, h, i in picked if i),
                    "submitted",
                    base + dt.timedelta(minutes=n),
                    "",
                )
            )
            for pk, _, _ in picked:
                links.append((start + n, pk))
                linked.append(pk)
        insert_rows(
            Submission,
            [
                "id",
                "renewal_id",
                "total_hours",
                "in_network_hours",
                "state",
                "submitted_at",
                "rejection_reason",
            ],
            subs,
        )
        insert_rows(through, ["submission_id", "ledgerentry_id"], links)
        for chunk in range(0, len(linked), 5000):
            LedgerEntry.objects.filter(pk__in=linked[chunk : chunk + 5000]).update(
                state=EntryState.SUBMITTED
            )
        reset_sequences(Submission, through)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    waiting = Submission.objects.filter(state="submitted").aggregate(n=Count("pk"))["n"]
    print(f"  {waiting:,} submissions waiting for review")
    return waiting
