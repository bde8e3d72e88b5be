"""Reads that several pages share. Querysets here are always scoped to a holder."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from credentials import rules
from credentials.models import (
    Credential,
    CredentialStatus,
    FaqEntry,
    OfficeContact,
    Renewal,
    RenewalCredential,
    RequirementSet,
)
from renewal_portal.infra.compiled_queries import CompiledQuery


def today() -> dt.date:
    return timezone.localdate()


def current_renewal_year(on: dt.date | None = None) -> int:
    return rules.renewal_year_on(on or today())


# --- A holder's own records: the one scoping of credentials and renewals to a person ---


def credentials_held_by(holder):
    """The holder's own credentials, with their type."""
    return Credential.objects.filter(holder=holder).select_related("credential_type")


def renewals_of(holder):
    """The holder's own renewals."""
    return Renewal.objects.filter(holder=holder)


# Compiled once per process (its two joins cost more to compile than to run): the
# holder's renewal of a year, as renewals_of(holder).filter(year=year).first() reads it.
_OPEN_RENEWAL = CompiledQuery(
    lambda holder_id, year: (
        renewals_of(holder_id).filter(year=year).select_related("governing_type", "invoice")[:1]
    ),
    # Markers: where the holder's id and the year go (in range: the ORM turns a value
    # outside a field's range into "no rows" instead of a parameter).
    2_026_120_400,
    9_999,
)


def open_renewal_for(user, on: dt.date | None = None) -> Renewal | None:
    """The holder's renewal for the current renewal year, if one was issued."""
    return _OPEN_RENEWAL.first(user.pk, current_renewal_year(on))


# renewal.items with each credential and its type, compiled once per process.
_RENEWAL_ITEMS = CompiledQuery(
    lambda renewal_id: RenewalCredential.objects.filter(renewal_id=renewal_id).select_related(
        "credential__credential_type"
    ),
    2_026_120_400,  # marker: where the renewal's id goes
)


def items_of(renewal: Renewal) -> list[RenewalCredential]:
    """The credentials the renewal renews (its items, by credential code), each with its
    credential and type: renewal.items.select_related("credential__credential_type")."""
    items = _RENEWAL_ITEMS.all(renewal.pk)
    for item in items:
        item.renewal = renewal  # as the related manager gives them
    return items


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
    type T in renewal year Y" without a query per credential; and the calendar of a
    credential's renewal: the dates that renewal was issued with, once it is (see
    rules.issued_calendar), else its requirement set's."""

    def __init__(self, sets=None):
        if sets is None:
            sets = RequirementSet.objects.select_related("credential_type")
        self._by_type = defaultdict(list)
        for requirement_set in sets:
            self._by_type[requirement_set.credential_type_id].append(requirement_set)
        # credential pk -> {renewal year: the calendar that renewal was issued with}
        self._issued: dict[int, dict[int, rules.RenewalCalendar]] = {}
        # (type id, year) -> the set's calendar: asked once per credential of a season
        self._calendars: dict[tuple, rules.RenewalCalendar] = {}

    ISSUED_CHUNK = 2000  # ids per query: well under SQLite's limit on query parameters

    def load_issued(self, credentials) -> None:
        """Read, in one query (per ISSUED_CHUNK credentials), the calendars of the renewals
        issued for `credentials`."""
        ids = [credential.pk for credential in credentials]
        loaded = {pk: {} for pk in ids}
        for start in range(0, len(ids), self.ISSUED_CHUNK):
            items = (
                RenewalCredential.objects.filter(
                    credential_id__in=ids[start : start + self.ISSUED_CHUNK]
                )
                .order_by()
                .values_list(
                    "credential_id", "renewal__year", "renewal__due_on", "renewal__grace_ends_on"
                )
            )
            for credential_id, year, due_on, grace_ends_on in items:
                loaded[credential_id][year] = rules.issued_calendar(year, due_on, grace_ends_on)
        self._issued.update(loaded)

    def calendar_of(self, credential: Credential, year: int | None = None) -> rules.RenewalCalendar:
        """The calendar of `credential`'s renewal for `year` (by default the one that keeps
        it going, rules.renewal_year_of_credential): as issued, else its requirement set's."""
        if year is None:
            year = rules.renewal_year_of_credential(credential.valid_through)
        if credential.pk not in self._issued:
            self.load_issued([credential])
        issued = self._issued.get(credential.pk, {}).get(year)
        return issued or self.calendar_for(credential.credential_type_id, year)

    def set_for(self, type_id, year) -> RequirementSet | None:
        for requirement_set in self._by_type.get(type_id, ()):
            if requirement_set.governs(year):
                return requirement_set
        return None

    def calendar_for(self, type_id, year) -> rules.RenewalCalendar:
        """The due date and grace end the set for `year` declares (defaults without a set)."""
        try:
            return self._calendars[type_id, year]
        except KeyError:
            pass
        requirement_set = self.set_for(type_id, year)
        if requirement_set is None:
            calendar = rules.renewal_calendar(year)
        else:
            calendar = rules.renewal_calendar(
                year,
                due=(requirement_set.due_month, requirement_set.due_day),
                grace_end=(requirement_set.grace_end_month, requirement_set.grace_end_day),
            )
        self._calendars[type_id, year] = calendar
        return calendar

    def status_of(self, credential: Credential, on: dt.date) -> str:
        """rules.credential_status_on with the calendar of the credential's next renewal."""
        if not credential.credential_type.renews_annually or credential.valid_through is None:
            return rules.ACTIVE
        calendar = self.calendar_of(credential)
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
    credentials = list(credentials_held_by(holder))
    book.load_issued(credentials)
    for credential in credentials:
        status = book.status_of(credential, on)
        if not (credential.credential_type.renews_annually and credential.valid_through):
            rows.append(CredentialRow(credential, status, None, None, None))
            continue
        type_id = credential.credential_type_id
        year = rules.next_renewal_year(credential.valid_through, on)
        calendar = book.calendar_of(credential, year)
        lapse = {}
        if status == rules.LAPSED:
            missed = book.calendar_of(credential)
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
    items = list(renewal.items.select_related("credential__credential_type"))
    book.load_issued([item.credential for item in items])
    result = []
    for item in items:
        credential = item.credential
        if book.status_of(credential, on) != rules.LAPSED and credential.lapsed_on is None:
            continue
        missed = book.calendar_of(credential)
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


def _issued_item(year: int, **renewal):
    """Whether the credential is on a renewal for `year` (with these dates, if given)."""
    lookups = {f"renewal__{name}": value for name, value in renewal.items()}
    return Exists(
        RenewalCredential.objects.filter(credential=OuterRef("pk"), renewal__year=year, **lookups)
    )


def credential_status_q(status: str, on: dt.date, book: RequirementBook | None = None) -> Q:
    """A filter for credentials whose status on `on` is `status`, by date ranges, with the
    calendar RequirementBook.status_of uses: that of the renewal that keeps the credential
    going as it was issued, else (not issued yet) its requirement set's.

    Within one group of credentials sharing a calendar (one issued calendar and
    valid-through year; or, not issued, one credential type and valid-through year) the
    rule gives one status to every credential still valid on `on` and one to every
    credential expired by then: ask the rule once for each half and keep the halves whose
    answer is `status`.
    """
    book = book or RequirementBook()
    query = Q(pk__in=[])
    if status == rules.ACTIVE:
        query |= Q(valid_through__isnull=True) | Q(credential_type__renews_annually=False)

    def halves(group: Q, calendar: rules.RenewalCalendar) -> Q:
        found = Q(pk__in=[])
        if rules.credential_status_on(on, on, calendar) == status:
            found |= group & Q(valid_through__gte=on)
        if rules.credential_status_on(on, on - dt.timedelta(days=1), calendar) == status:
            found |= group & Q(valid_through__lt=on)
        return found

    renewing = (
        Credential.objects.filter(credential_type__renews_annually=True)
        .exclude(valid_through__isnull=True)
        .order_by()  # the default ordering would make every holder a group of their own
    )
    issued = (
        RenewalCredential.objects.filter(credential__in=renewing)
        .order_by()
        .values_list(
            "renewal__year",
            "renewal__due_on",
            "renewal__grace_ends_on",
            "credential__valid_through__year",
        )
        .distinct()
    )
    for year, due_on, grace_ends_on, through_year in issued:
        if year != rules.renewal_year_of_credential(dt.date(through_year, 12, 31)):
            continue  # a renewal that renewed (or reinstates) it, not the next one
        group = Q(valid_through__year=through_year) & Q(
            _issued_item(year, due_on=due_on, grace_ends_on=grace_ends_on)
        )
        query |= halves(group, rules.issued_calendar(year, due_on, grace_ends_on))
    groups = renewing.values_list("credential_type_id", "valid_through__year").distinct()
    for type_id, through_year in groups:
        year = rules.renewal_year_of_credential(dt.date(through_year, 12, 31))
        group = Q(credential_type_id=type_id, valid_through__year=through_year) & ~Q(
            _issued_item(year)
        )
        query |= halves(group, book.calendar_for(type_id, year))
    return query


def renewal_phase(renewal: Renewal, on: dt.date | None = None) -> str:
    """'completed', or where an unfinished renewal stands: renewal due, in grace, lapsed."""
    if renewal.completed_at:
        return "completed"
    return rules.renewal_phase_on(on or today(), renewal.due_on, renewal.grace_ends_on)


def renewal_phase_q(phase: str, on: dt.date, renewals=None) -> Q:
    """A filter for unfinished renewals whose phase on `on` (rules.renewal_phase_on: renewal
    due, in grace, lapsed) is `phase`, judged by each renewal's own due date and grace end
    (the dates it copied when issued, which the holder was told).

    The phase depends only on those two dates, so ask the rule once per distinct pair among
    `renewals` (all renewals by default) and keep the pairs whose answer is `phase`.
    """
    renewals = Renewal.objects.all() if renewals is None else renewals
    pairs = (
        renewals.filter(completed_at__isnull=True)
        .order_by()
        .values_list("due_on", "grace_ends_on")
        .distinct()
    )
    query = Q(pk__in=[])
    for due_on, grace_ends_on in pairs:
        if rules.renewal_phase_on(on, due_on, grace_ends_on) == phase:
            query |= Q(due_on=due_on, grace_ends_on=grace_ends_on)
    return Q(completed_at__isnull=True) & query


def has_credentials_on_record(holder) -> bool:
    """Whether the office has linked any credential (or issued any renewal) to the holder;
    a brand-new account has neither until the office links its records."""
    return credentials_held_by(holder).exists() or renewals_of(holder).exists()


def why_no_renewal(holder, year: int, on: dt.date | None = None) -> str:
    """In plain words, why the holder has no renewal for `year`."""
    on = on or today()
    credentials = list(credentials_held_by(holder))
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
        next_year = rules.renewal_year_of_credential(until)
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
