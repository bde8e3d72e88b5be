"""What the portal asks of a card payment provider, and what it gets back, in its own
words (pretix keeps each payment provider behind one class; so does the portal).

Only a provider module (payments/providers/stripe.py today) knows its provider's ids,
status strings and event types. Services, webhooks, views and templates see the frozen
dataclasses below: a charge Succeeded, is Processing, RequiresAction (the bank wants the
holder to authenticate) or was Declined with a message for the holder; money was
Refunded (in full or in part); a charge was Disputed (opened, won or lost).

Every method may reach the network: call them outside any database transaction and never
under a row lock (tests/payments/test_provider_boundary.py holds the services to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the request (not the card's fault)."""


class NotFound(ProviderError):
    """The provider knows no such object (a local test server restarted without its state)."""


class InvalidWebhook(Exception):
    """A webhook's payload or signature does not check out."""


# --- cards being set up ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CardSetup:
    """A card the holder sets up in the card form (the number goes from the browser to the
    provider, never through the portal)."""

    reference: str  # the provider's id of the set-up
    customer: str
    card: str = ""  # the provider's id of the card, once set up
    client_secret: str = ""  # what the card form's script needs
    ready: bool = False  # the card is set up: it can be charged
    open: bool = False  # still waiting for a card: the pay page may reuse it


@dataclass(frozen=True, kw_only=True)
class CardForm:
    """What the card form's page needs from the provider: its script and public key."""

    script_url: str
    publishable_key: str


@dataclass(frozen=True, kw_only=True)
class CardDetails:
    """The card a charge used, as a receipt names it."""

    brand: str  # lower case: visa, mastercard, amex …
    last4: str


# --- charges -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Charge:
    """A card charge as the provider reports it (its outcome is the subclass)."""

    reference: str  # the provider's id of the charge ('' when it refused before making one)
    amount_cents: int = 0
    currency: str = ""  # lower case
    customer: str = ""
    invoice_number: str = ""  # what the portal named the charge with
    payment_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class Succeeded(Charge):
    """The money was taken."""


@dataclass(frozen=True, kw_only=True)
class Processing(Charge):
    """Accepted; the provider will tell (by webhook) when it has succeeded."""


@dataclass(frozen=True, kw_only=True)
class RequiresAction(Charge):
    """The bank wants the holder to authenticate (3-D Secure) in the card form."""

    client_secret: str = ""


@dataclass(frozen=True, kw_only=True)
class Declined(Charge):
    """The card was refused; `message` is the issuer's reason, fit to show the holder."""

    message: str = "Your card was declined."


ChargeOutcome = Succeeded | Processing | RequiresAction | Declined


# --- money that goes back ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RefundIssued:
    """A refund the portal asked for was made."""

    reference: str
    amount_cents: int  # of this refund


@dataclass(frozen=True, kw_only=True)
class Refunded:
    """Money of a charge went back to the card."""

    charge: str  # the charge's reference
    amount_cents: int  # what the charge took
    amount_refunded_cents: int  # refunded so far, in all

    @property
    def full(self) -> bool:
        return self.amount_refunded_cents >= self.amount_cents


class DisputeStage:
    """Where a dispute (a chargeback the cardholder asked their bank for) stands."""

    OPENED = "opened"  # the bank has taken the money back while it decides
    WON = "won"  # decided for us (or an inquiry closed): the money stays with us
    LOST = "lost"  # decided for the cardholder: the money is gone


@dataclass(frozen=True, kw_only=True)
class Disputed:
    """A charge is disputed, or its dispute ended."""

    dispute: str  # the provider's id of the dispute
    charge: str  # the charge's reference
    amount_cents: int
    stage: str  # a DisputeStage
    reason: str = ""


DomainEvent = Succeeded | Declined | Refunded | Disputed


@dataclass(frozen=True, kw_only=True)
class ProviderEvent:
    """A webhook delivery whose signature checked out, in the portal's words. `event` is
    None for a delivery that tells the portal nothing; `ignored` then says why."""

    id: str  # the provider's event id: each is handled once
    type: str  # the provider's name for it, for the log and the stored row only
    payload: dict
    event: DomainEvent | None = None
    ignored: str = ""


# --- the interface -------------------------------------------------------------------------


class PaymentProvider(Protocol):
    def card_form(self) -> CardForm: ...

    def csp_sources(self) -> dict[str, list[str]]:
        """The Content Security Policy sources the card form needs, by directive."""
        ...

    def create_customer(self, *, email: str, name: str, holder_id: int) -> str: ...

    def create_card_setup(
        self, *, customer: str, invoice_number: str, payment_id: int
    ) -> CardSetup: ...

    def is_card_setup_reference(self, value) -> bool:
        """Whether a value the browser posted back can name a card set-up."""
        ...

    def card_setup(self, reference: str) -> CardSetup: ...

    def charge_card(
        self,
        *,
        amount_cents: int,
        currency: str,
        customer: str,
        card: str,
        invoice_number: str,
        payment_id: int,
        idempotency_key: str,
    ) -> ChargeOutcome:
        """Charge a card the holder has just set up: Processing or Succeeded,
        RequiresAction, or Declined (never raised)."""
        ...

    def charge(self, reference: str) -> ChargeOutcome:
        """Where a charge stands now."""
        ...

    def card_of_charge(self, reference: str) -> CardDetails | None: ...

    def refund(self, charge: str, *, idempotency_key: str) -> RefundIssued:
        """Refund what is left of a charge."""
        ...

    def parse_webhook(self, payload: bytes, headers) -> ProviderEvent:
        """The event in a webhook request once its signature proves it came from the
        provider; raises InvalidWebhook otherwise."""
        ...
