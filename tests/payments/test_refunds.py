import pytest

from payments.models import InvoiceStatus, PaymentStatus
from payments.services import payments as payment_services
from payments.services import reversals
from renewal_portal.composition.renewal_steps import renewal_steps
from tests.factories import InvoiceFactory
from tests.payments.helpers import deliver_succeeded_webhook, pay_by_card, post_event


@pytest.fixture
def paid(client, localstripe, holder):
    invoice = InvoiceFactory(renewal__holder=holder)
    attempt = pay_by_card(localstripe, invoice, holder)
    deliver_succeeded_webhook(client, localstripe, attempt.payment)
    attempt.payment.refresh_from_db()
    return attempt.payment


def charge_refunded_event(payment, amount_refunded):
    return {
        "id": f"evt_refund_{payment.pk}_{amount_refunded}",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_test",
                "object": "charge",
                "amount": payment.amount_cents,
                "amount_refunded": amount_refunded,
                "payment_intent": payment.stripe_payment_intent,
            }
        },
    }


def test_refund_marks_the_invoice_refunded_and_reopens_step_2(paid, staff):
    reversals.refund_payment(paid, by=staff)

    paid.refresh_from_db()
    paid.invoice.refresh_from_db()
    assert paid.status == PaymentStatus.REFUNDED and paid.refunded_at is not None
    assert paid.invoice.status == InvoiceStatus.REFUNDED
    assert not renewal_steps(paid.invoice.renewal)["payment"].done


def test_a_refund_goes_through_stripe(paid, staff, localstripe):
    reversals.refund_payment(paid, by=staff)

    status, refunds = localstripe._request(
        "GET", f"/v1/refunds?payment_intent={paid.stripe_payment_intent}"
    )
    assert status == 200
    assert [r["amount"] for r in refunds["data"]] == [paid.amount_cents]


def test_the_refund_is_in_the_payments_history_with_who_did_it(paid, staff):
    reversals.refund_payment(paid, by=staff)

    latest = paid.history.first()
    assert latest.status == PaymentStatus.REFUNDED
    assert latest.history_user == staff
    assert latest.history_change_reason == "Refunded"


def test_a_charge_refunded_webhook_marks_the_invoice_refunded(client, paid):
    response = post_event(client, charge_refunded_event(paid, paid.amount_cents))

    paid.invoice.refresh_from_db()
    assert response.status_code == 200
    assert paid.invoice.status == InvoiceStatus.REFUNDED


def test_a_partial_refund_leaves_the_invoice_paid(client, paid):
    post_event(client, charge_refunded_event(paid, 100))

    paid.refresh_from_db()
    paid.invoice.refresh_from_db()
    assert paid.status == PaymentStatus.SUCCEEDED
    assert paid.invoice.status == InvoiceStatus.PAID


def test_a_refunded_invoice_can_be_paid_again(client, localstripe, paid, holder, staff):
    reversals.refund_payment(paid, by=staff)

    again = pay_by_card(localstripe, paid.invoice, holder)
    deliver_succeeded_webhook(client, localstripe, again.payment)

    paid.invoice.refresh_from_db()
    assert paid.invoice.status == InvoiceStatus.PAID
    assert renewal_steps(paid.invoice.renewal)["payment"].done


def test_refunding_twice_is_refused(paid, staff):
    reversals.refund_payment(paid, by=staff)
    paid.refresh_from_db()

    with pytest.raises(payment_services.PaymentError, match="refunded"):
        reversals.refund_payment(paid, by=staff)


def test_the_admin_refund_action_needs_the_refund_permission(
    paid, staff_client, reviewer_client, staff
):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    url = reverse("admin:payments_payment_changelist")
    data = {"action": "refund_through_stripe", "_selected_action": [paid.pk]}
    staff.groups.first().permissions.remove(Permission.objects.get(codename="refund_payment"))

    staff_client.post(url, data)

    paid.refresh_from_db()
    assert paid.status == PaymentStatus.SUCCEEDED


def test_staff_refund_a_card_payment_from_admin(paid, staff_client):
    from django.urls import reverse

    response = staff_client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "refund_through_stripe", "_selected_action": [paid.pk]},
        follow=True,
    )

    paid.refresh_from_db()
    assert response.status_code == 200
    assert paid.status == PaymentStatus.REFUNDED
    assert "step 2 of the renewal is open again" in response.content.decode()
