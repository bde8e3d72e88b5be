"""The outside attack repeated on round 3's code (moved code: payments behind a provider,
the composition layer, background runs): each test is one attack with the answer the
portal must give. docs/changes/s.md lists every attack tried and its result."""

import pytest
from django.test import Client
from django.urls import reverse

from payments.models import InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from tests.factories import HolderFactory, PaymentFactory, StaffFactory
from tests.factories.renewal_states import pay_by_cheque, renewal_due
from tests.payments.helpers import post_event
from tests.support.localstripe import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


def dispute_event(payment, kind, status):
    return {
        "id": f"evt_{kind}_{status}_{payment.pk}",
        "type": f"charge.dispute.{kind}",
        "data": {
            "object": {
                "id": "dp_round3",
                "object": "dispute",
                "amount": payment.amount_cents,
                "charge": "ch_round3",
                "payment_intent": payment.stripe_payment_intent,
                "reason": "fraudulent",
                "status": status,
            }
        },
    }


# --- Money: a dispute won after the invoice was paid another way -----------------------


def test_a_dispute_won_after_the_invoice_was_paid_again_is_flagged_not_paid_twice(client):
    """The card was disputed before the provider confirmed it (the invoice stayed open),
    the holder paid by cheque meanwhile, then the bank decided the dispute for the office:
    the card money is kept, so staff must refund it. The invoice is paid once, the webhook
    answers (a 500 would make the provider retry forever), and the payment is flagged."""
    renewal = renewal_due(HolderFactory())
    invoice = renewal.invoice
    card = PaymentFactory(
        invoice=invoice,
        method=PaymentMethod.CARD,
        status=PaymentStatus.PROCESSING,
        stripe_payment_intent="pi_disputed_early",
    )
    assert post_event(client, dispute_event(card, "created", "needs_response")).status_code == 200
    cheque = pay_by_cheque(renewal, StaffFactory())

    client.raise_request_exception = False
    response = post_event(client, dispute_event(card, "closed", "won"))

    assert response.status_code == 200
    card.refresh_from_db()
    invoice.refresh_from_db()
    assert card.status == PaymentStatus.FLAGGED
    assert "already paid" in card.flag_reason and "refund" in card.flag_reason
    assert invoice.status == InvoiceStatus.PAID
    assert list(Payment.objects.filter(invoice=invoice, status=PaymentStatus.SUCCEEDED)) == [cheque]


# --- Admin lists: Django's "Show counts" (?_facets) on the renewals list ----------------


@pytest.mark.parametrize("query", ["_facets=1", "_facets=junk", "_facets=1&season_phase=paid"])
def test_the_renewals_list_shows_its_counts_without_a_server_error(query):
    """Django admin's sidebar offers "Show counts" (?_facets=...): the season-phase filter
    counted its phases on the list's query with its related rows joined, which was a 500
    for staff (any value of _facets)."""
    renewal = renewal_due(HolderFactory())
    pay_by_cheque(renewal, StaffFactory())
    client = Client()
    client.force_login(StaffFactory())
    client.raise_request_exception = False

    response = client.get(f"{reverse('admin:credentials_renewal_changelist')}?{query}")

    assert response.status_code == 200
    if "season_phase" not in query:
        assert renewal.invoice.number in response.content.decode()
