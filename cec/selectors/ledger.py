"""Reads of a holder's CEC ledger, shared by the ledger page, the renewal page, the
submission and the documents. Every query here is scoped to one holder."""

from django.db.models import Q

from cec.models import EntryState, LedgerEntry
from credentials import rules

# Entries that are CECs the holder has (or is having) credited; withdrawn, rejected and
# not-yet-verified ones are shown in the ledger but earn nothing.
EARNING_STATES = (
    EntryState.CREDITED,
    EntryState.VERIFIED,
    EntryState.SUBMITTED,
    EntryState.APPROVED,
)


def entries_for(holder):
    return LedgerEntry.objects.filter(holder=holder)


def earning_entries_in_window(holder, renewal_year):
    first, last = rules.earning_window(renewal_year)
    return entries_for(holder).filter(
        state__in=EARNING_STATES, earned_on__gte=first, earned_on__lte=last
    )


def as_credits(entries):
    return [
        rules.CecCredit(hours=e.hours, in_network=e.in_network, participation=e.participation)
        for e in entries
    ]


def renewal_requirement(renewal) -> rules.Requirement:
    """The numbers the renewal copied from its requirement sets when it was issued."""
    return rules.Requirement(
        cecs_owed=renewal.cecs_owed,
        in_network_min=renewal.in_network_min,
        participation_cap=renewal.participation_cap,
        code=renewal.governing_type.code if renewal.governing_type_id else "",
    )


def progress_for_renewal(renewal) -> rules.CecProgress:
    """Earned vs owed for a renewal, from the entries in its earning window (rules 1, 3)."""
    entries = earning_entries_in_window(renewal.holder_id, renewal.year).only(
        "hours", "in_network", "participation"
    )
    return rules.cec_progress(renewal_requirement(renewal), as_credits(entries))


def approved_progress_for_renewal(renewal) -> rules.CecProgress:
    """Only approved CECs complete a renewal (rule 7)."""
    entries = earning_entries_in_window(renewal.holder_id, renewal.year).filter(
        state=EntryState.APPROVED
    )
    return rules.cec_progress(renewal_requirement(renewal), as_credits(entries))


def not_counting_q(renewal_year):
    first, last = rules.earning_window(renewal_year)
    return Q(earned_on__lt=first) | Q(earned_on__gt=last)
