"""A card payment provider in memory, for the tests of the provider boundary.

Every call records whether it was made inside a database transaction (which would hold
the invoice's row lock, or on SQLite the whole database's write lock, during a network
call); `before_charge` lets a test make something happen while the charge is under way
(the webhook arriving before the portal hears back, say)."""

from __future__ import annotations

import itertools

from django.db import transaction

from payments.providers import (
    CardDetails,
    CardForm,
    CardSetup,
    InvalidWebhook,
    NotFound,
    Processing,
    ProviderEvent,
    RefundIssued,
    RequiresAction,
)

_ids = itertools.count(1)


class FakeProvider:
    def __init__(self):
        self.reset()

    def reset(self):
        self.calls = []  # (method, in a transaction?)
        self.setups = {}
        self.charges = {}
        self.outcome = Processing  # or RequiresAction, Succeeded, Declined
        self.before_charge = None

    def _call(self, name):
        self.calls.append((name, transaction.get_connection().in_atomic_block))

    @property
    def calls_in_a_transaction(self):
        return [name for name, inside in self.calls if inside]

    def card_form(self):
        return CardForm(script_url="https://cards.example.test/v1/", publishable_key="pk_fake")

    def csp_sources(self):
        return {"script-src": ["https://cards.example.test"]}

    def create_customer(self, *, email, name, holder_id):
        self._call("create_customer")
        return f"customer-{next(_ids)}"

    def create_card_setup(self, *, customer, invoice_number, payment_id):
        self._call("create_card_setup")
        reference = f"setup-{next(_ids)}"
        self.setups[reference] = CardSetup(
            reference=reference, customer=customer, client_secret=f"{reference}-secret", open=True
        )
        return self.setups[reference]

    def is_card_setup_reference(self, value):
        return isinstance(value, str) and value.startswith("setup-")

    def card_setup(self, reference):
        self._call("card_setup")
        if reference not in self.setups:
            raise NotFound(reference)
        return self.setups[reference]

    def set_up_card(self, reference):
        """What the card form does: the holder's card is set up."""
        setup = self.setups[reference]
        self.setups[reference] = CardSetup(
            reference=reference, customer=setup.customer, card=f"card-{next(_ids)}", ready=True
        )
        return reference

    def charge_card(self, **kwargs):
        self._call("charge_card")
        reference = f"charge-{next(_ids)}"
        fields = {
            "reference": reference,
            "amount_cents": kwargs["amount_cents"],
            "currency": kwargs["currency"],
            "customer": kwargs["customer"],
            "invoice_number": kwargs["invoice_number"],
            "payment_id": kwargs["payment_id"],
        }
        extra = {"client_secret": f"{reference}-secret"} if self.outcome is RequiresAction else {}
        self.charges[reference] = self.outcome(**fields, **extra)
        if self.before_charge is not None:
            self.before_charge(self.charges[reference])
        return self.charges[reference]

    def charge(self, reference):
        self._call("charge")
        if reference not in self.charges:
            raise NotFound(reference)
        return self.charges[reference]

    def card_of_charge(self, reference):
        self._call("card_of_charge")
        return CardDetails(brand="visa", last4="4242")

    def refund(self, charge, *, idempotency_key):
        self._call("refund")
        return RefundIssued(
            reference=f"refund-{next(_ids)}", amount_cents=self.charges[charge].amount_cents
        )

    def parse_webhook(self, payload, headers):
        raise InvalidWebhook("The fake provider sends no webhooks.")


__all__ = ["FakeProvider", "ProviderEvent"]
