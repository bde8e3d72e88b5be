"""Signals credentials' services send, so layers above them (credentials.badges) can
follow a change without the services importing them."""

from dataclasses import dataclass
from decimal import Decimal

from django.dispatch import Signal

# A credential lapsed, was reinstated or renewed, or had a completion undone, inside the
# sender's transaction: `credential_ids` lists them. Receivers run in that transaction.
credential_standing_changed = Signal()


@dataclass(frozen=True, slots=True)
class IssuedItem:
    """One credential of an issued renewal, with the fees the renewal copied for it."""

    credential_id: int
    credential_number: str
    type_code: str
    type_name: str
    cecs_owed: Decimal
    fee_cents: int
    reinstatement_fee_cents: int


@dataclass(frozen=True, slots=True)
class IssuedRenewal:
    """A renewal just issued: what a receiver needs to bill it without loading it."""

    renewal_id: int
    year: int
    holder_id: int
    holder_email: str
    items: tuple[IssuedItem, ...]

    @property
    def fees_cents(self) -> int:
        return sum(item.fee_cents + item.reinstatement_fee_cents for item in self.items)


# Renewals were issued, in bulk, inside the sender's transaction: `renewals` is a list of
# IssuedRenewal, `by` who issued them (None: the system). Payments invoices them and
# queues each holder's invoice email (payments.receivers). Receivers run in that
# transaction: an exception rolls the whole batch back.
renewals_issued = Signal()

# A lapsed credential's renewal owes the reinstatement fee (rule 9), inside the sender's
# transaction: `renewal`, `credential` (its type loaded), `fee_cents`, `by`. A receiver
# that charged the fee returns True (payments adds it to the renewal's open invoice);
# when none did (no open invoice), the renewal does not record the fee either.
reinstatement_fee_due = Signal()
