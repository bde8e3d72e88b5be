"""Renewals: issuing them with their invoices, the steps that complete them, and the
lapse at the end of grace (SPEC rules 3, 4, 8 and 9).

Issuing is written for many holders at once (the Celery task calls `issue_renewals` with
chunks of holder ids): a batch costs a handful of queries and bulk inserts, not a few
queries per holder, and is idempotent because a holder has one renewal per year.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.urls import reverse

from credentials import rules, selectors
from credentials.models import Credential, Renewal, RenewalCredential, User
from credentials.services.steps import complete_if_done, mark_cec_status_seen
from credentials.signals import (
    IssuedItem,
    IssuedRenewal,
    credential_standing_changed,
    reinstatement_fee_due,
    renewals_issued,
)
from renewal_portal.infra.bulk import (
    garbage_collection_paused,
    insert_rows,
    insert_with_history,
    refresh_outgrown_statistics,
)
from renewal_portal.infra.content_versions import move_once_per_transaction
from renewal_portal.infra.history import bulk_update_with_history, save_with_history

__all__ = ["complete_if_done", "issue_renewal_for", "issue_renewals", "mark_cec_status_seen"]

BATCH_SIZE = 500


@dataclass
class IssueSummary:
    """What a run of `issue_renewals` did."""

    year: int
    holders: int = 0
    issued: int = 0
    already_issued: int = 0
    nothing_due: int = 0
    reinstatements: int = 0
    invoiced_cents: int = 0
    missing_requirement_sets: set[str] = field(default_factory=set)

    def add(self, other: IssueSummary) -> None:
        self.issued += other.issued
        self.already_issued += other.already_issued
        self.nothing_due += other.nothing_due
        self.reinstatements += other.reinstatements
        self.invoiced_cents += other.invoiced_cents
        self.missing_requirement_sets |= other.missing_requirement_sets

    def __str__(self) -> str:
        amount = Decimal(self.invoiced_cents) / 100
        text = (
            f"{self.year} renewals: {self.issued} issued ({self.reinstatements} with "
            f"reinstatement), {self.already_issued} already issued, {self.nothing_due} with "
            f"nothing due, of {self.holders} holders; invoiced ${amount:,.2f}."
        )
        if self.missing_requirement_sets:
            codes = ", ".join(sorted(self.missing_requirement_sets))
            text += f" No requirement set for {self.year}: {codes} (not invoiced)."
        return text


def holders_due(year: int):
    """Ids of active holders with at least one credential the renewal for `year` includes."""
    return (
        Credential.objects.filter(
            holder__is_active=True,
            credential_type__renews_annually=True,
            valid_through__lt=rules.valid_through_after_renewal(year),
        )
        .order_by("holder_id")
        .values_list("holder_id", flat=True)
        .distinct()
    )


def issue_renewals(
    year: int,
    holder_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    by=None,
    on: dt.date | None = None,
    batch_size: int = BATCH_SIZE,
) -> IssueSummary:
    """Issue the renewal for `year`, with its invoice and email, to every holder (or to
    `holder_ids`) who has a credential due and no renewal for that year yet.

    Running it again issues nothing new. `progress(done, total)` is called after each
    batch. Credential statuses (for the reinstatement fee) are taken on `on`, today by
    default.
    """
    on = on or selectors.today()
    ids = sorted(set(holders_due(year) if holder_ids is None else holder_ids))
    summary = IssueSummary(year=year, holders=len(ids))
    book = selectors.RequirementBook()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with garbage_collection_paused():
            summary.add(_issue_batch_safely(year, batch, book=book, on=on, by=by))
        # A first season starts with no renewals or invoices: PostgreSQL's plans of the
        # foreign-key checks made on those empty tables must not outlive them.
        refresh_outgrown_statistics()
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))
    return summary


def issue_renewal_for(holder, year: int, *, by=None, on: dt.date | None = None) -> Renewal | None:
    """The holder's renewal for `year`, issued now if it is due and was not issued yet;
    None when nothing of theirs renews that year (e.g. they hold only CAMT)."""
    issue_renewals(year, holder_ids=[holder.pk], by=by, on=on)
    return Renewal.objects.filter(holder=holder, year=year).select_related("governing_type").first()


def _issue_batch_safely(year, holder_ids, **kwargs) -> IssueSummary:
    try:
        with _batch_transaction():
            return _issue_batch(year, holder_ids, **kwargs)
    except IntegrityError:
        # Another issuer (a second worker, a staff click) got some of these holders
        # first: retry one by one so the rest are still issued.
        summary = IssueSummary(year=year)
        for holder_id in holder_ids:
            try:
                with _batch_transaction():
                    summary.add(_issue_batch(year, [holder_id], **kwargs))
            except IntegrityError:
                summary.already_issued += 1
        return summary


@contextlib.contextmanager
def _batch_transaction():
    """A batch's transaction. When it is a transaction of its own (not a savepoint of
    the caller's), each holder's content version moves once in it, not once per table
    the batch writes (renewals, their credentials, invoices, lines): nobody sees the
    batch before it commits (issue 19). Inside a caller's transaction the versions move
    per statement as usual, so the caller's later writes still move them."""
    connection = connections[DEFAULT_DB_ALIAS]
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction:
            move_once_per_transaction(connection)
        yield


def _issue_batch(year, holder_ids, *, book, on, by) -> IssueSummary:
    summary = IssueSummary(year=year)
    existing = set(
        Renewal.objects.filter(year=year, holder_id__in=holder_ids).values_list(
            "holder_id", flat=True
        )
    )
    summary.already_issued = len(existing)
    todo = [holder_id for holder_id in holder_ids if holder_id not in existing]
    if not todo:
        return summary

    due = defaultdict(list)
    credentials = list(
        Credential.objects.filter(
            holder_id__in=todo,
            holder__is_active=True,
            credential_type__renews_annually=True,
            valid_through__lt=rules.valid_through_after_renewal(year),
        )
        .select_related("credential_type")
        # What issuing reads, no more (a season is 100,000 credentials).
        .only(
            "holder_id",
            "number",
            "valid_through",
            "lapsed_on",
            "credential_type__code",
            "credential_type__name",
            "credential_type__renews_annually",
        )
        .order_by("holder_id", "credential_type__code")
    )
    book.load_issued(credentials)  # their statuses below, without a query per credential
    for credential in credentials:
        if not rules.due_for_renewal(
            year, credential.valid_through, credential.credential_type.renews_annually
        ):
            continue
        requirement_set = book.set_for(credential.credential_type_id, year)
        if requirement_set is None:
            summary.missing_requirement_sets.add(credential.credential_type.code)
            continue
        due[credential.holder_id].append(
            (credential, requirement_set, book.status_of(credential, on))
        )
    summary.nothing_due = len(todo) - len(due)
    if not due:
        return summary

    renewal_rows, item_rows = [], []
    for holder_id, planned in due.items():
        requirements = [selectors.requirement_of(s) for _, s, _ in planned]
        combined = rules.combined_requirement(requirements)
        governing_set = planned[requirements.index(combined)][1]
        calendar = book.calendar_for(governing_set.credential_type_id, year)
        items = [
            {
                "credential_id": credential.pk,
                "cecs_owed": requirement_set.cecs_owed,
                "in_network_min": requirement_set.in_network_min,
                "participation_cap": requirement_set.participation_cap,
                "fee_cents": requirement_set.annual_fee_cents,
                "reinstatement_fee_cents": requirement_set.reinstatement_fee_cents
                if rules.needs_reinstatement(status)
                else 0,
            }
            for credential, requirement_set, status in planned
        ]
        renewal_rows.append(
            {
                "holder_id": holder_id,
                "year": year,
                "cecs_owed": combined.cecs_owed,
                "in_network_min": combined.in_network_min,
                "participation_cap": combined.participation_cap,
                "governing_type_id": governing_set.credential_type_id,
                "due_on": calendar.due_on,
                "grace_ends_on": calendar.grace_ends_on,
                "reinstatement": any(item["reinstatement_fee_cents"] for item in items),
            }
        )
        item_rows.append(items)

    # Plain rows, not model instances: a season is 50,000 renewals (issue 19).
    renewal_ids = insert_with_history(Renewal, renewal_rows, by=by, reason=f"{year} renewal issued")
    for renewal_id, items in zip(renewal_ids, item_rows, strict=True):
        for item in items:
            item["renewal_id"] = renewal_id
    insert_rows(RenewalCredential, [item for items in item_rows for item in items], returning=False)

    emails = dict(
        User.objects.filter(pk__in=[row["holder_id"] for row in renewal_rows]).values_list(
            "pk", "email"
        )
    )
    issued = []
    for renewal_id, row, items in zip(renewal_ids, renewal_rows, item_rows, strict=True):
        credentials_of = {credential.pk: credential for credential, _, _ in due[row["holder_id"]]}
        issued.append(
            IssuedRenewal(
                renewal_id=renewal_id,
                year=year,
                holder_id=row["holder_id"],
                holder_email=emails[row["holder_id"]],
                items=tuple(
                    IssuedItem(
                        credential_id=item["credential_id"],
                        credential_number=credentials_of[item["credential_id"]].number,
                        type_code=credentials_of[item["credential_id"]].credential_type.code,
                        type_name=credentials_of[item["credential_id"]].credential_type.name,
                        cecs_owed=item["cecs_owed"],
                        fee_cents=item["fee_cents"],
                        reinstatement_fee_cents=item["reinstatement_fee_cents"],
                    )
                    for item in items
                ),
            )
        )
        summary.issued += 1
        summary.reinstatements += int(row["reinstatement"])
    summary.invoiced_cents += sum(renewal.fees_cents for renewal in issued)
    # Payments invoices them and emails each holder the invoice (payments.receivers).
    renewals_issued.send(sender=Renewal, renewals=issued, by=by)
    return summary


def invoice_email_context(message) -> dict:
    """What the "renewal_invoice" templates need, loaded for an outbox message at send
    time: the invoice and its lines as they stand (those the attached PDF shows)."""
    renewal = Renewal.objects.select_related("holder", "governing_type").get(pk=message.renewal_id)
    invoice = renewal.invoice
    first, last = rules.earning_window(renewal.year)
    return {
        "holder": renewal.holder,
        "renewal": renewal,
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "items": list(renewal.items.select_related("credential__credential_type")),
        "window_first": first,
        "window_last": last,
        "renewal_url": reverse("credentials:renewal"),
        "invoice_url": reverse("payments:invoice", args=[invoice.number]),
        # A lapsed credential being reinstated is said plainly, not only as an invoice line.
        "reinstatements": selectors.reinstatements_of(renewal),
    }


# --- The steps ----------------------------------------------------------------------
# Step 3 and the completion check live with the other steps in credentials.services.steps;
# the names stay importable from here.

# --- Grace and lapse -------------------------------------------------------------------


@transaction.atomic
def lapse_overdue_credentials(on: dt.date | None = None, *, by=None, holder_ids=None) -> int:
    """Record the lapse of every credential whose grace ended unrenewed (rule 9), with the
    reason; an open invoice of the renewal that would have renewed it gains the
    reinstatement fee. Returns how many lapsed; running it again lapses nothing new."""
    on = on or selectors.today()
    book = selectors.RequirementBook()
    candidates = Credential.objects.filter(lapsed_on__isnull=True)
    if holder_ids is not None:
        candidates = candidates.filter(holder_id__in=list(holder_ids))
    overdue = list(
        candidates.filter(selectors.credential_status_q(rules.LAPSED, on, book))
        .select_related("credential_type")
        .select_for_update()
    )
    book.load_issued(overdue)
    for credential in overdue:
        # The dates its renewal was issued with (what the holder was told), else the set's.
        calendar = book.calendar_of(credential)
        credential.lapsed_on = rules.lapse_day(calendar)
        credential.lapse_reason = rules.lapse_reason(calendar)
    bulk_update_with_history(
        overdue,
        Credential,
        ["lapsed_on", "lapse_reason"],
        by=by,
        why="Lapsed: grace ended without a completed renewal",
    )
    for credential in overdue:
        _add_reinstatement_fee(credential, book, by=by)
    if overdue:
        # Their badges now verify as suspended (credentials.badges' status list).
        credential_standing_changed.send(
            sender=Credential, credential_ids=[credential.pk for credential in overdue]
        )
    return len(overdue)


def _add_reinstatement_fee(credential, book, *, by=None):
    """Renewing a lapsed credential costs the reinstatement fee: the renewal that includes
    it records the fee when payments charged it (on the renewal's open, unpaid invoice:
    payments.receivers); with nothing open to charge, nothing changes."""
    item = (
        RenewalCredential.objects.filter(
            credential=credential,
            renewal__completed_at__isnull=True,
            renewal__year=rules.renewal_year_of_credential(credential.valid_through),
            reinstatement_fee_cents=0,
        )
        .select_related("renewal")
        .first()
    )
    if item is None:
        return
    requirement_set = book.set_for(credential.credential_type_id, item.renewal.year)
    if requirement_set is None or not requirement_set.reinstatement_fee_cents:
        return
    fee = requirement_set.reinstatement_fee_cents
    responses = reinstatement_fee_due.send(
        sender=Renewal, renewal=item.renewal, credential=credential, fee_cents=fee, by=by
    )
    if not any(charged for _, charged in responses):
        return
    item.reinstatement_fee_cents = fee
    item.save(update_fields=["reinstatement_fee_cents"])
    renewal = item.renewal
    renewal.reinstatement = True
    save_with_history(
        renewal,
        by=by,
        why=f"{credential.credential_type.code} lapsed: reinstatement fee added",
        update_fields=["reinstatement"],
    )
