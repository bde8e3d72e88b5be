"""Money that goes back undoes what it paid for (SPEC rule 11, issue 15 item 6).

Stripe's refund and dispute events are posted to the webhook signed, as Stripe sends
them (localstripe makes no dispute events). Every order is covered: refund before or
after completion, a staff refund from admin then its webhook, dispute opened then won or
lost, a lost dispute whose opening we never heard of, duplicates, partial refunds.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cec.services.submissions import approve_submission, submit_cecs
from credentials.models import Credential, OfficeContact, OutboxMessage
from credentials.services.renewals import issue_renewal_for
from credentials.services.steps import confirm_contact_details, mark_cec_status_seen
from payments.models import InvoiceStatus, Payment, PaymentStatus
from payments.providers import RefundIssued
from payments.providers.stripe import StripeProvider
from payments.services import payments as payment_services
from renewal_portal.composition.renewal_steps import renewal_steps
from tests.factories import (
    ContactProfileFactory,
    CredentialFactory,
    LedgerEntryFactory,
    ReviewerFactory,
    credential_type,
)
from tests.payments.helpers import deliver_succeeded_webhook, pay_by_card, post_event

OFFICE = "office@aasc.example.org"
RENEWED = dt.date(2027, 12, 31)
BEFORE = dt.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def office(db):
    return OfficeContact.objects.create(email=OFFICE)


@pytest.fixture
def renewal(holder):
    CredentialFactory(holder=holder, credential_type=credential_type("CAM"), valid_through=BEFORE)
    return issue_renewal_for(holder, 2027)


def do_steps_1_3_4(renewal):
    holder = renewal.holder
    ContactProfileFactory(user=holder)
    confirm_contact_details(renewal, by=holder)
    mark_cec_status_seen(renewal, by=holder)
    entries = [LedgerEntryFactory(holder=holder, hours=Decimal("4")) for _ in range(2)]
    approve_submission(submit_cecs(renewal, entries, by=holder), by=ReviewerFactory())


def pay(client, localstripe, renewal) -> Payment:
    attempt = pay_by_card(localstripe, renewal.invoice, renewal.holder)
    deliver_succeeded_webhook(client, localstripe, attempt.payment)
    return Payment.objects.get(pk=attempt.payment.pk)


@pytest.fixture
def completed(client, localstripe, renewal):
    """A renewal completed by its card payment: the payment, its credential renewed."""
    do_steps_1_3_4(renewal)
    payment = pay(client, localstripe, renewal)
    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    assert cam(renewal).valid_through == RENEWED
    return payment


def cam(renewal) -> Credential:
    return Credential.objects.get(holder=renewal.holder, credential_type__code="CAM")


def refunded_event(payment, amount_refunded, event_id=None):
    return {
        "id": event_id or f"evt_refund_{payment.pk}_{amount_refunded}",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_test",
                "object": "charge",
                "amount": payment.amount_cents,
                "amount_refunded": amount_refunded,
                "refunded": amount_refunded >= payment.amount_cents,
                "payment_intent": payment.stripe_payment_intent,
            }
        },
    }


def dispute_event(payment, kind, status, dispute_id="dp_test1"):
    return {
        "id": f"evt_{kind}_{status}_{payment.pk}",
        "type": f"charge.dispute.{kind}",
        "data": {
            "object": {
                "id": dispute_id,
                "object": "dispute",
                "amount": payment.amount_cents,
                "charge": "ch_test",
                "payment_intent": payment.stripe_payment_intent,
                "reason": "fraudulent",
                "status": status,
            }
        },
    }


def deliver(client, event):
    response = post_event(client, event)
    assert response.status_code == 200, response.content
    return response.json()["outcome"]


def state(payment):
    payment.refresh_from_db()
    invoice = payment.invoice
    invoice.refresh_from_db()
    renewal = invoice.renewal
    renewal.refresh_from_db()
    return payment.status, invoice.status, renewal.completed_at is not None


def emails(kind, to=None):
    messages = OutboxMessage.objects.filter(kind=kind)
    if to:
        messages = messages.filter(to_email=to)
    return list(messages)


# --- refunds ----------------------------------------------------------------------------


def test_a_refund_before_completion_reopens_step_2_and_changes_no_dates(
    client, localstripe, renewal
):
    payment = pay(client, localstripe, renewal)

    deliver(client, refunded_event(payment, payment.amount_cents))

    assert state(payment) == (PaymentStatus.REFUNDED, InvoiceStatus.REFUNDED, False)
    assert not renewal_steps(payment.invoice.renewal)["payment"].done
    assert cam(renewal).valid_through == BEFORE
    assert len(emails("money_returned", renewal.holder.email)) == 1
    assert len(emails("money_returned_office", OFFICE)) == 1


def test_a_full_refund_after_completion_undoes_the_renewal(client, completed):
    renewal = completed.invoice.renewal

    deliver(client, refunded_event(completed, completed.amount_cents))

    assert state(completed) == (PaymentStatus.REFUNDED, InvoiceStatus.REFUNDED, False)
    credential = cam(renewal)
    assert credential.valid_through == BEFORE
    assert "Payment refunded" in credential.history.latest().history_change_reason
    renewal = completed.invoice.renewal
    assert "Payment refunded" in renewal.history.latest().history_change_reason
    assert not renewal_steps(renewal)["payment"].done


def test_the_holder_and_the_office_are_told_of_the_refund_once(client, completed):
    event = refunded_event(completed, completed.amount_cents)

    deliver(client, event)
    deliver(client, event)

    (holder_email,) = emails("money_returned")
    assert holder_email.to_email == completed.invoice.renewal.holder.email
    assert "was refunded" in holder_email.subject
    assert "December 31, 2026" in holder_email.body_text  # the date it is back to
    (office_email,) = emails("money_returned_office")
    assert office_email.to_email == OFFICE
    assert completed.invoice.number in office_email.subject


def test_a_duplicate_refund_event_changes_nothing_more(client, completed):
    event = refunded_event(completed, completed.amount_cents)
    deliver(client, event)
    history = cam(completed.invoice.renewal).history.count()

    assert deliver(client, event).startswith("duplicate")
    # The same refund told again under another event id changes nothing either.
    deliver(client, refunded_event(completed, completed.amount_cents, event_id="evt_again"))

    assert cam(completed.invoice.renewal).history.count() == history
    assert state(completed) == (PaymentStatus.REFUNDED, InvoiceStatus.REFUNDED, False)


def test_a_staff_refund_from_admin_then_its_webhook_undoes_the_renewal_once(
    client, staff_client, completed
):
    renewal = completed.invoice.renewal
    response = staff_client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "refund_through_stripe", "_selected_action": [completed.pk]},
        follow=True,
    )
    assert "previous dates" in response.content.decode()
    assert state(completed) == (PaymentStatus.REFUNDED, InvoiceStatus.REFUNDED, False)
    assert cam(renewal).valid_through == BEFORE
    history = cam(renewal).history.count()

    deliver(client, refunded_event(completed, completed.amount_cents))

    assert state(completed) == (PaymentStatus.REFUNDED, InvoiceStatus.REFUNDED, False)
    assert cam(renewal).history.count() == history
    assert len(emails("money_returned")) == 1
    assert len(emails("money_returned_office")) == 1


def test_a_refunded_renewal_completes_again_when_paid_again(client, localstripe, completed):
    renewal = completed.invoice.renewal
    deliver(client, refunded_event(completed, completed.amount_cents))

    pay(client, localstripe, renewal)

    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    assert cam(renewal).valid_through == RENEWED
    assert len(emails("renewal_complete")) == 2


def test_a_partial_refund_is_recorded_and_left_for_staff(client, completed, staff_client):
    deliver(client, refunded_event(completed, 1000))

    assert state(completed) == (PaymentStatus.SUCCEEDED, InvoiceStatus.PAID, True)
    assert completed.amount_refunded_cents == 1000
    assert "Partly refunded: $10.00" in completed.flag_reason
    assert cam(completed.invoice.renewal).valid_through == RENEWED
    assert emails("money_returned") == []
    assert len(emails("money_returned_office", OFFICE)) == 1
    listed = staff_client.get(
        reverse("admin:payments_invoice_changelist") + "?returned=partial"
    ).content.decode()
    assert completed.invoice.number in listed


def test_the_rest_of_a_partial_refund_then_undoes_the_renewal(client, completed):
    deliver(client, refunded_event(completed, 1000))
    deliver(client, refunded_event(completed, completed.amount_cents))

    assert state(completed) == (PaymentStatus.REFUNDED, InvoiceStatus.REFUNDED, False)
    assert cam(completed.invoice.renewal).valid_through == BEFORE


def test_staff_refund_the_rest_of_a_partly_refunded_payment_from_admin(
    client, staff_client, completed, monkeypatch
):
    deliver(client, refunded_event(completed, 1000))
    # Stripe refunds what is left of the charge (localstripe would refund it all again).
    rest = completed.amount_cents - 1000
    monkeypatch.setattr(
        StripeProvider,
        "refund",
        lambda self, charge, **kwargs: RefundIssued(reference="re_rest", amount_cents=rest),
    )

    staff_client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "refund_through_stripe", "_selected_action": [completed.pk]},
    )

    assert state(completed) == (PaymentStatus.REFUNDED, InvoiceStatus.REFUNDED, False)
    assert completed.amount_refunded_cents == completed.amount_cents
    assert cam(completed.invoice.renewal).valid_through == BEFORE


def test_a_refund_undoes_a_reinstatement(client, localstripe, holder):
    calp = CredentialFactory(
        holder=holder,
        credential_type=credential_type("CALP"),
        valid_through=dt.date(2024, 12, 31),
        lapsed_on=dt.date(2025, 4, 1),
        lapse_reason="Not renewed for 2025.",
    )
    renewal = issue_renewal_for(holder, 2027)
    do_steps_1_3_4(renewal)
    payment = pay(client, localstripe, renewal)
    calp.refresh_from_db()
    assert (calp.valid_through, calp.lapsed_on) == (RENEWED, None)

    deliver(client, refunded_event(payment, payment.amount_cents))

    calp.refresh_from_db()
    assert (calp.valid_through, calp.lapsed_on, calp.lapse_reason) == (
        dt.date(2024, 12, 31),
        dt.date(2025, 4, 1),
        "Not renewed for 2025.",
    )


# --- disputes ---------------------------------------------------------------------------


def test_a_dispute_opened_after_completion_undoes_the_renewal(client, completed):
    deliver(client, dispute_event(completed, "created", "needs_response"))

    assert state(completed) == (PaymentStatus.DISPUTED, InvoiceStatus.DISPUTED, False)
    assert cam(completed.invoice.renewal).valid_through == BEFORE
    assert "disputed" in emails("money_returned")[0].subject
    assert len(emails("money_returned_office", OFFICE)) == 1


def test_a_disputed_invoice_cannot_be_paid_again_meanwhile(client, completed):
    deliver(client, dispute_event(completed, "created", "needs_response"))

    with pytest.raises(payment_services.PaymentError, match="[Dd]isputed"):
        payment_services.start_card_payment(completed.invoice, completed.invoice.renewal.holder)


def test_a_dispute_won_restores_the_payment_and_completes_the_renewal_again(client, completed):
    renewal = completed.invoice.renewal
    deliver(client, dispute_event(completed, "created", "needs_response"))

    deliver(client, dispute_event(completed, "closed", "won"))

    assert state(completed) == (PaymentStatus.SUCCEEDED, InvoiceStatus.PAID, True)
    assert cam(renewal).valid_through == RENEWED
    assert len(emails("renewal_complete")) == 2
    assert any(m.subject.endswith("stands") for m in emails("money_returned"))


def test_a_dispute_won_before_completion_only_restores_step_2(client, localstripe, renewal):
    payment = pay(client, localstripe, renewal)
    deliver(client, dispute_event(payment, "created", "needs_response"))

    deliver(client, dispute_event(payment, "closed", "won"))

    assert state(payment) == (PaymentStatus.SUCCEEDED, InvoiceStatus.PAID, False)
    assert renewal_steps(payment.invoice.renewal)["payment"].done


def test_a_dispute_lost_leaves_the_invoice_unpaid_and_payable(client, localstripe, completed):
    renewal = completed.invoice.renewal
    deliver(client, dispute_event(completed, "created", "needs_response"))

    deliver(client, dispute_event(completed, "closed", "lost"))

    assert state(completed) == (PaymentStatus.CHARGED_BACK, InvoiceStatus.OPEN, False)
    assert cam(renewal).valid_through == BEFORE
    assert len(emails("money_returned")) == 2
    assert len(emails("money_returned_office")) == 2
    pay(client, localstripe, renewal)
    renewal.refresh_from_db()
    assert renewal.completed_at is not None


def test_a_dispute_lost_whose_opening_we_never_heard_of_still_undoes_the_renewal(client, completed):
    deliver(client, dispute_event(completed, "closed", "lost"))

    assert state(completed) == (PaymentStatus.CHARGED_BACK, InvoiceStatus.OPEN, False)
    assert cam(completed.invoice.renewal).valid_through == BEFORE


def test_a_dispute_won_whose_opening_we_never_heard_of_changes_nothing(client, completed):
    deliver(client, dispute_event(completed, "closed", "won"))

    assert state(completed) == (PaymentStatus.SUCCEEDED, InvoiceStatus.PAID, True)
    assert emails("money_returned") == []


def test_duplicate_dispute_events_change_nothing_more(client, completed):
    opened = dispute_event(completed, "created", "needs_response")
    deliver(client, opened)
    assert deliver(client, opened).startswith("duplicate")
    history = cam(completed.invoice.renewal).history.count()

    deliver(client, dispute_event(completed, "closed", "lost"))
    deliver(client, {**dispute_event(completed, "closed", "lost"), "id": "evt_lost_again"})

    assert state(completed) == (PaymentStatus.CHARGED_BACK, InvoiceStatus.OPEN, False)
    assert cam(completed.invoice.renewal).history.count() == history
    assert len(emails("money_returned")) == 2


def test_staff_find_disputed_invoices_in_admin(client, staff_client, completed):
    deliver(client, dispute_event(completed, "created", "needs_response"))

    page = staff_client.get(
        reverse("admin:payments_invoice_changelist") + "?returned=disputed"
    ).content.decode()

    assert completed.invoice.number in page
    assert "Disputed (chargeback open)" in page


def test_a_dispute_of_a_charge_that_is_not_ours_is_ignored(client, completed):
    event = dispute_event(completed, "created", "needs_response")
    event["data"]["object"]["payment_intent"] = "pi_not_ours"

    assert deliver(client, event).startswith("ignored")
    assert state(completed) == (PaymentStatus.SUCCEEDED, InvoiceStatus.PAID, True)


# --- Stripe's notices out of order --------------------------------------------------------


def charged_but_not_yet_confirmed(localstripe, renewal) -> Payment:
    """The card was charged; Stripe's payment_intent.succeeded has not arrived yet."""
    attempt = pay_by_card(localstripe, renewal.invoice, renewal.holder)
    payment = Payment.objects.get(pk=attempt.payment.pk)
    assert payment.status == PaymentStatus.PROCESSING
    return payment


def test_a_refund_told_before_the_payment_never_pays_the_invoice(client, localstripe, renewal):
    do_steps_1_3_4(renewal)
    payment = charged_but_not_yet_confirmed(localstripe, renewal)

    deliver(client, refunded_event(payment, payment.amount_cents))
    deliver_succeeded_webhook(client, localstripe, payment)

    assert state(payment) == (PaymentStatus.REFUNDED, InvoiceStatus.OPEN, False)
    assert cam(renewal).valid_through == BEFORE


def test_a_dispute_told_before_the_payment_then_won_pays_the_invoice(client, localstripe, renewal):
    do_steps_1_3_4(renewal)
    payment = charged_but_not_yet_confirmed(localstripe, renewal)

    deliver(client, dispute_event(payment, "created", "needs_response"))
    deliver_succeeded_webhook(client, localstripe, payment)
    assert state(payment) == (PaymentStatus.DISPUTED, InvoiceStatus.OPEN, False)

    deliver(client, dispute_event(payment, "closed", "won"))

    assert state(payment) == (PaymentStatus.SUCCEEDED, InvoiceStatus.PAID, True)
    assert cam(renewal).valid_through == RENEWED


def test_while_disputed_the_renewal_page_says_so_and_offers_no_card_payment(client, completed):
    renewal = completed.invoice.renewal
    deliver(client, dispute_event(completed, "created", "needs_response"))
    client.force_login(renewal.holder)

    page = client.get(reverse("credentials:renewal")).content.decode()
    assert "Your bank is reviewing a dispute" in page
    assert reverse("payments:pay", args=[completed.invoice.number]) not in page
