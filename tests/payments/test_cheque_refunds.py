"""The office hands back a cheque (SPEC rule 11): a full refund of a cheque payment
reopens step 2 and undoes a completed renewal, like a card refund does, and the holder
and the office are told. Staff record it in admin with a reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cec.services.submissions import approve_submission, submit_cecs
from credentials.models import Credential, OutboxMessage
from credentials.services.renewals import issue_renewal_for
from credentials.services.steps import confirm_contact_details, mark_cec_status_seen
from payments.models import InvoiceStatus, PaymentStatus
from payments.services.payments import PaymentError, record_offline_payment
from payments.services.reversals import record_cheque_refund
from renewal_portal.composition.renewal_steps import renewal_steps
from tests.factories import (
    ContactProfileFactory,
    CredentialFactory,
    LedgerEntryFactory,
    ReviewerFactory,
    credential_type,
)

BEFORE = dt.date(2026, 12, 31)
RENEWED = dt.date(2027, 12, 31)


@pytest.fixture
def renewal(holder):
    CredentialFactory(holder=holder, credential_type=credential_type("CAM"), valid_through=BEFORE)
    return issue_renewal_for(holder, 2027)


@pytest.fixture
def cheque(renewal, staff):
    invoice = renewal.invoice
    return record_offline_payment(
        invoice, invoice.total_cents, "4711", dt.date(2026, 11, 20), by=staff
    )


def complete(renewal):
    holder = renewal.holder
    ContactProfileFactory(user=holder)
    confirm_contact_details(renewal, by=holder)
    mark_cec_status_seen(renewal, by=holder)
    entries = [LedgerEntryFactory(holder=holder, hours=Decimal("4")) for _ in range(2)]
    approve_submission(submit_cecs(renewal, entries, by=holder), by=ReviewerFactory())
    renewal.refresh_from_db()
    assert renewal.completed_at is not None


def test_a_cheque_refund_after_completion_undoes_the_renewal(renewal, cheque, staff):
    complete(renewal)

    record_cheque_refund(cheque, by=staff, reason="Holder left the industry; cheque returned")

    cheque.refresh_from_db()
    renewal.refresh_from_db()
    invoice = renewal.invoice
    invoice.refresh_from_db()
    assert cheque.status == PaymentStatus.REFUNDED
    assert cheque.amount_refunded_cents == cheque.amount_cents
    assert invoice.status == InvoiceStatus.REFUNDED
    assert not renewal_steps(renewal)["payment"].done
    assert renewal.completed_at is None
    credential = Credential.objects.get(holder=renewal.holder)
    assert credential.valid_through == BEFORE
    assert "returned" in cheque.history.first().history_change_reason
    assert cheque.history.first().history_user == staff
    kinds = set(OutboxMessage.objects.values_list("kind", flat=True))
    assert {"money_returned", "money_returned_office"} <= kinds


def test_a_cheque_refund_before_completion_reopens_step_2(renewal, cheque, staff):
    record_cheque_refund(cheque, by=staff, reason="Paid twice by mistake")

    renewal.invoice.refresh_from_db()
    assert renewal.invoice.status == InvoiceStatus.REFUNDED
    assert not renewal_steps(renewal)["payment"].done


def test_a_cheque_refund_needs_a_reason_and_happens_once(renewal, cheque, staff):
    with pytest.raises(PaymentError, match="reason"):
        record_cheque_refund(cheque, by=staff, reason="  ")
    cheque.refresh_from_db()
    assert cheque.status == PaymentStatus.SUCCEEDED

    record_cheque_refund(cheque, by=staff, reason="Returned")
    with pytest.raises(PaymentError, match="refunded"):
        record_cheque_refund(cheque, by=staff, reason="Returned again")
    assert OutboxMessage.objects.filter(kind="money_returned").count() == 1


def test_staff_record_a_cheque_refund_from_the_payment_in_admin(renewal, cheque, staff_client):
    url = reverse("admin:payments_payment_cheque_refund", args=[cheque.pk])
    assert staff_client.get(url).status_code == 200

    response = staff_client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.content.decode().lower()
    cheque.refresh_from_db()
    assert cheque.status == PaymentStatus.SUCCEEDED

    response = staff_client.post(url, {"reason": "Cheque returned to the holder"})
    assert response.status_code == 302
    cheque.refresh_from_db()
    assert cheque.status == PaymentStatus.REFUNDED


def test_reviewers_cannot_record_a_cheque_refund(renewal, cheque, reviewer_client):
    url = reverse("admin:payments_payment_cheque_refund", args=[cheque.pk])
    response = reviewer_client.post(url, {"reason": "x"})
    assert response.status_code in (302, 403)
    cheque.refresh_from_db()
    assert cheque.status == PaymentStatus.SUCCEEDED


def test_the_renewal_page_tells_the_holder_their_payment_was_refunded(
    renewal, cheque, staff, holder_client
):
    record_cheque_refund(cheque, by=staff, reason="Paid twice by mistake")

    page = holder_client.get(reverse("credentials:renewal")).content.decode()
    assert "Your payment was refunded" in page
    assert reverse("payments:pay", args=[renewal.invoice.number]) in page


def test_home_asks_to_pay_again_after_a_refund(renewal, cheque, staff, holder_client):
    complete(renewal)
    record_cheque_refund(cheque, by=staff, reason="Holder asked for the money back")

    page = holder_client.get(reverse("credentials:home")).content.decode()
    assert "your payment was refunded" in page
