"""Reads that several pages share. Querysets here are always scoped to a holder."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from credentials import rules
from credentials.models import (
    Credential,
    CredentialStatus,
    FaqEntry,
    OfficeContact,
    Renewal,
    RequirementSet,
)


def today() -> dt.date:
    return timezone.localdate()


def current_renewal_year(on: dt.date | None = None) -> int:
    return rules.renewal_year_on(on or today())


def open_renewal_for(user, on: dt.date | None = None) -> Renewal | None:
    """The holder's renewal for the current renewal year, if one was issued."""
    return (
        Renewal.objects.filter(holder=user, year=current_renewal_year(on))
        .select_related("governing_type", "invoice")
        .first()
    )


def published_faq():
    return FaqEntry.objects.filter(published=True)


def office_contact() -> OfficeContact | None:
    return OfficeContact.objects.order_by("pk").first()


# --- Requirement sets ------------------------------------------------------------------


def renewals_governed_by(requirement_set: RequirementSet):
    """The renewals that renew a credential of the set's type in a year the set governs:
    the set is in use, and deleting it would rewrite what they were judged by."""
    renewals = Renewal.objects.filter(
        items__credential__credential_type_id=requirement_set.credential_type_id,
        year__gte=requirement_set.first_year,
    )
    if requirement_set.last_year is not None:
        renewals = renewals.filter(year__lte=requirement_set.last_year)
    return renewals.distinct()


class RequirementBook:
    """All requirement sets, loaded in one query, answering "which set governs credential
    type T in renewal year Y" without a query per credential."""

    def __init__(self, sets=None):
        if sets is None:
            sets = RequirementSet.objects.select_related("credential_type")
        self._by_type = defaultdict(list)
        for requirement_set in sets:
            self._by_type[requirement_set.credential_type_id].append(requirement_set)

    def set_for(self, type_id, year) -> RequirementSet | None:
        for requirement_set in self._by_type.get(type_id, ()):
            if requirement_set.governs(year):
                return requirement_set
        return None

    def calendar_for(self, type_id, year) -> rules.RenewalCalendar:
        """The due date and grace end the set for `year` declares (defaults without a set)."""
        requirement_set = self.set_for(type_id, year)
        if requirement_set is None:
            return rules.renewal_calendar(year)
        return rules.renewal_calendar(
            year,
            due=(requirement_set.due_month, requirement_set.due_day),
            grace_end=(requirement_set.grace_end_month, requirement_set.grace_end_day),
        )

    def status_of(self, credential: Credential, on: dt.date) -> str:
        """rules.credential_status_on with the calendar of the credential's next renewal."""
        if not credential.credential_type.renews_annually or credential.valid_through is None:
            return rules.ACTIVE
        calendar = self.calendar_for(
            credential.credential_type_id, credential.valid_through.year + 1
        )
        return rules.credential_status_on(on, credential.valid_through, calendar)


def requirement_of(requirement_set: RequirementSet) -> rules.Requirement:
    return rules.Requirement(
        cecs_owed=requirement_set.cecs_owed,
        in_network_min=requirement_set.in_network_min,
        participation_cap=requirement_set.participation_cap,
        code=requirement_set.credential_type.code,
    )


# --- A holder's credentials --------------------------------------------------------------


@dataclass(frozen=True)
class CredentialRow:
    """A credential with its status on a date and the dates that explain it.

    For a lapsed credential the next renewal is the one that reinstates it (the current
    renewal year), with the day it lapsed, why, and the reinstatement fee it adds."""

    credential: Credential
    status: str
    next_renewal_year: int | None
    due_on: dt.date | None
    grace_ends_on: dt.date | None
    lapsed_on: dt.date | None = None
    lapse_reason: str = ""
    reinstatement_fee_cents: int = 0

    @property
    def status_label(self) -> str:
        return CredentialStatus(self.status).label

    @property
    def lifetime(self) -> bool:
        return self.next_renewal_year is None

    @property
    def lapsed(self) -> bool:
        return self.status == rules.LAPSED


def credentials_of(holder, on: dt.date | None = None, book: RequirementBook | None = None):
    """The holder's credentials, each with its status (active, renewal due, in grace,
    lapsed) on `on`, computed by the rules."""
    on = on or today()
    book = book or RequirementBook()
    rows = []
    for credential in Credential.objects.filter(holder=holder).select_related("credential_type"):
        status = book.status_of(credential, on)
        if not (credential.credential_type.renews_annually and credential.valid_through):
            rows.append(CredentialRow(credential, status, None, None, None))
            continue
        type_id = credential.credential_type_id
        year = rules.next_renewal_year(credential.valid_through, on)
        calendar = book.calendar_for(type_id, year)
        lapse = {}
        if status == rules.LAPSED:
            missed = book.calendar_for(type_id, credential.valid_through.year + 1)
            requirement_set = book.set_for(type_id, year)
            lapse = {
                "lapsed_on": credential.lapsed_on or rules.lapse_day(missed),
                "lapse_reason": credential.lapse_reason or rules.lapse_reason(missed),
                "reinstatement_fee_cents": requirement_set.reinstatement_fee_cents
                if requirement_set
                else 0,
            }
        rows.append(
            CredentialRow(
                credential, status, year, calendar.due_on, calendar.grace_ends_on, **lapse
            )
        )
    return rows


def lapsed_credentials_of(holder, on: dt.date | None = None) -> list[CredentialRow]:
    """The holder's lapsed credentials, each with when and why it lapsed and the
    reinstatement fee renewing it adds."""
    return [row for row in credentials_of(holder, on) if row.lapsed]


@dataclass(frozen=True)
class Reinstatement:
    """A lapsed credential that a renewal reinstates."""

    code: str
    number: str
    lapsed_on: dt.date
    reason: str
    fee_cents: int

    @property
    def sentence(self) -> str:
        return (
            f"Your {self.code} ({self.number}) lapsed on {self.lapsed_on:%B %-d, %Y}. {self.reason}"
        )


def reinstatements_of(renewal: Renewal, on: dt.date | None = None) -> list[Reinstatement]:
    """The lapsed credentials this renewal reinstates: when and why each lapsed, and the
    reinstatement fee it adds (as on the invoice, else from the requirement set)."""
    # Issuing (or the lapse, on an open invoice) marks a renewal that reinstates; the
    # others cost no query here.
    if renewal.completed_at is not None or not renewal.reinstatement:
        return []
    on = on or today()
    book = RequirementBook()
    result = []
    for item in renewal.items.select_related("credential__credential_type"):
        credential = item.credential
        if book.status_of(credential, on) != rules.LAPSED and credential.lapsed_on is None:
            continue
        missed = book.calendar_for(credential.credential_type_id, credential.valid_through.year + 1)
        fee = item.reinstatement_fee_cents
        if not fee:
            requirement_set = book.set_for(credential.credential_type_id, renewal.year)
            fee = requirement_set.reinstatement_fee_cents if requirement_set else 0
        result.append(
            Reinstatement(
                code=credential.credential_type.code,
                number=credential.number,
                lapsed_on=credential.lapsed_on or rules.lapse_day(missed),
                reason=credential.lapse_reason or rules.lapse_reason(missed),
                fee_cents=fee,
            )
        )
    return result


def credential_status_q(status: str, on: dt.date, book: RequirementBook | None = None) -> Q:
    """A filter for credentials whose status on `on` is `status`, by date ranges.

    Within one credential type and one valid-through year the calendar is fixed, so the
    rule gives one status to every credential still valid on `on` and one to every
    credential expired by then: ask the rule once for each half and keep the halves whose
    answer is `status`.
    """
    book = book or RequirementBook()
    query = Q(pk__in=[])
    if status == rules.ACTIVE:
        query |= Q(valid_through__isnull=True) | Q(credential_type__renews_annually=False)
    groups = (
        Credential.objects.filter(credential_type__renews_annually=True)
        .exclude(valid_through__isnull=True)
        .values_list("credential_type_id", "valid_through__year")
        .distinct()
    )
    for type_id, year in groups:
        calendar = book.calendar_for(type_id, year + 1)
        group = Q(credential_type_id=type_id, valid_through__year=year)
        if rules.credential_status_on(on, on, calendar) == status:
            query |= group & Q(valid_through__gte=on)
        if rules.credential_status_on(on, on - dt.timedelta(days=1), calendar) == status:
            query |= group & Q(valid_through__lt=on)
    return query


# --- The renewal and its four steps ----------------------------------------------------


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    done: bool
    detail: str = ""
    # Step 4 only: submitted and waiting for NAAEI (nothing for the holder to do), or
    # the last submission was rejected (fix it and submit again).
    waiting: bool = False
    rejected: bool = False


@dataclass(frozen=True)
class RenewalSteps:
    steps: tuple[Step, ...]

    def __iter__(self):
        return iter(self.steps)

    def __len__(self):
        return len(self.steps)

    @property
    def all_done(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.steps if step.done)

    @property
    def next_step(self) -> Step | None:
        """The first step the holder can move forward (one waiting for NAAEI is not)."""
        return next((step for step in self.steps if not step.done and not step.waiting), None)

    @property
    def waiting_for_review(self) -> bool:
        return any(step.waiting for step in self.steps)

    def __getitem__(self, key) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)  # templates then look `key` up as an attribute


def invoice_of(renewal):
    """The renewal's invoice, or None before it exists."""
    from payments.models import Invoice

    try:
        return renewal.invoice
    except Invoice.DoesNotExist:
        return None


def approved_submission_of(renewal):
    from cec.models import Submission, SubmissionState

    return (
        Submission.objects.filter(renewal=renewal, state=SubmissionState.APPROVED)
        .order_by("-decided_at")
        .first()
    )


def latest_submission_of(renewal):
    return renewal.submissions.order_by("-submitted_at", "-pk").first()


def _submission_detail(submission) -> str:
    if submission is None:
        return ""
    local = timezone.localtime
    if submission.decided_at and submission.state == "approved":
        return f"Approved {local(submission.decided_at):%B %-d, %Y}"
    if submission.state == "rejected":
        when = f" on {local(submission.decided_at):%B %-d, %Y}" if submission.decided_at else ""
        reason = (submission.rejection_reason or "").strip()
        if reason and reason[-1] not in ".!?":
            reason += "."  # one full stop, whether or not the reviewer typed one
        reason = f": {reason}" if reason else "."
        return (
            f"NAAEI rejected your submission{when}{reason} Fix what the reviewer asks (for "
            "example, file a Reporting Form for missing CECs), then submit again."
        )
    return f"Submitted on {local(submission.submitted_at):%B %-d, %Y}, waiting for NAAEI review"


def _approved_and_latest_submissions(renewal):
    """approved_submission_of and latest_submission_of in one query, or none when the
    renewals were fetched with prefetch_related("submissions") (the renewals changelist): a
    renewal has a handful of submissions at most (one live, the rejected ones before it)."""
    submissions = sorted(
        renewal.submissions.all(), key=lambda s: (s.submitted_at, s.pk), reverse=True
    )
    approved = [s for s in submissions if s.state == "approved"]
    approved.sort(key=lambda s: (s.decided_at is not None, s.decided_at), reverse=True)
    return (approved[0] if approved else None), (submissions[0] if submissions else None)


def _payment_detail(invoice) -> str:
    """What step 2 says beside its state: when it was paid, or why money went back."""
    if invoice is None:
        return ""
    if invoice.is_paid:
        return f"Paid {timezone.localtime(invoice.paid_at):%B %-d, %Y}" if invoice.paid_at else ""
    if invoice.status == "refunded":
        return "Your payment was refunded, so this renewal is open again; pay the invoice to renew"
    if invoice.status == "disputed":
        return (
            "Your bank is reviewing a dispute about your payment; the AASC office will be in "
            "touch, and nothing can be paid until the bank decides"
        )
    return ""


def renewal_steps(renewal: Renewal) -> RenewalSteps:
    """The four steps of SPEC rule 8, derived from the records each depends on."""
    invoice = invoice_of(renewal)
    approved, latest = _approved_and_latest_submissions(renewal)
    latest = approved or latest
    local = timezone.localtime
    return RenewalSteps(
        (
            Step(
                1,
                "contact",
                "Confirm your contact details",
                renewal.contact_confirmed_at is not None,
                f"Confirmed {local(renewal.contact_confirmed_at):%B %-d, %Y}"
                if renewal.contact_confirmed_at
                else "",
            ),
            Step(
                2,
                "payment",
                "Pay your renewal invoice",
                invoice is not None and invoice.is_paid,
                _payment_detail(invoice),
            ),
            Step(
                3,
                "cec_status",
                "Check your CEC status",
                renewal.cec_status_seen_at is not None,
                f"Checked {local(renewal.cec_status_seen_at):%B %-d, %Y}"
                if renewal.cec_status_seen_at
                else "",
            ),
            Step(
                4,
                "cec_approval",
                "Submit your CECs for NAAEI approval",
                approved is not None,
                _submission_detail(latest),
                waiting=approved is None and latest is not None and latest.state == "submitted",
                rejected=approved is None and latest is not None and latest.state == "rejected",
            ),
        )
    )


def renewal_phase(renewal: Renewal, on: dt.date | None = None) -> str:
    """'completed', or where an unfinished renewal stands: renewal due, in grace, lapsed."""
    if renewal.completed_at:
        return "completed"
    return rules.renewal_phase_on(on or today(), renewal.due_on, renewal.grace_ends_on)


def has_credentials_on_record(holder) -> bool:
    """Whether the office has linked any credential (or issued any renewal) to the holder;
    a brand-new account has neither until the office links its records."""
    return (
        Credential.objects.filter(holder=holder).exists()
        or Renewal.objects.filter(holder=holder).exists()
    )


def why_no_renewal(holder, year: int, on: dt.date | None = None) -> str:
    """In plain words, why the holder has no renewal for `year`."""
    on = on or today()
    credentials = list(Credential.objects.filter(holder=holder).select_related("credential_type"))
    if not credentials:
        return (
            "We have no NAAEI credential on record for you. If you hold one, claim it with "
            "your credential number, last name and ZIP code, or contact the AASC office."
        )
    renewing = [c for c in credentials if c.credential_type.renews_annually and c.valid_through]
    if not renewing:
        codes = ", ".join(c.credential_type.code for c in credentials)
        return (
            f"Your {codes} never needs renewing: it is a lifetime certificate, "
            "so there is no renewal, invoice or CEC requirement for you."
        )
    due = [
        c
        for c in renewing
        if rules.due_for_renewal(year, c.valid_through, c.credential_type.renews_annually)
    ]
    if not due:
        until = min(c.valid_through for c in renewing)
        next_year = until.year + 1
        opens = rules.renewal_calendar(next_year).opens_on
        return (
            f"Your credentials are renewed through {until:%B %-d, %Y}. Your {next_year} "
            f"renewal opens on {opens:%B %-d, %Y}."
        )
    opens = rules.renewal_calendar(year).opens_on
    codes = ", ".join(c.credential_type.code for c in due)
    if on < opens:
        return (
            f"Your {year} renewal ({codes}) opens on {opens:%B %-d, %Y}, when the AASC office "
            "issues the invoices."
        )
    return (
        f"Your {year} renewal invoice ({codes}) has not been issued yet. The AASC office "
        "issues invoices from the start of the season; contact the office if it does not "
        "appear soon."
    )
