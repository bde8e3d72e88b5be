import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from credentials.models import OutboxMessage
from payments.models import InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from payments.services.payments import PaymentError, record_offline_payment
from renewal_portal.composition.renewal_steps import renewal_steps
from tests.factories import InvoiceFactory

RECORD_URL = "admin:payments_payment_record_offline"


@pytest.fixture
def invoice(holder):
    return InvoiceFactory(renewal__holder=holder, total_cents=27500)


def test_a_cheque_marks_the_invoice_paid_and_completes_step_2(invoice, staff):
    payment = record_offline_payment(invoice, 27500, "4711", dt.date(2026, 11, 20), by=staff)

    invoice.refresh_from_db()
    assert payment.method == PaymentMethod.CHEQUE and payment.status == PaymentStatus.SUCCEEDED
    assert payment.recorded_by == staff and payment.received_on == dt.date(2026, 11, 20)
    assert invoice.status == InvoiceStatus.PAID
    assert renewal_steps(invoice.renewal)["payment"].done


def test_a_cheque_sends_the_holder_a_receipt(invoice, staff):
    record_offline_payment(invoice, 27500, "4711", dt.date(2026, 11, 20), by=staff)

    message = OutboxMessage.objects.get(kind="payment_received")
    assert "cheque no. 4711" in message.body_text
    assert message.attachments[0]["document"] == "receipt_pdf"


def test_a_cheque_for_a_different_amount_is_refused_and_changes_nothing(invoice, staff):
    with pytest.raises(PaymentError, match=r"invoice total of \$275.00") as raised:
        record_offline_payment(invoice, 20000, "4711", dt.date(2026, 11, 20), by=staff)

    invoice.refresh_from_db()
    assert raised.value.field == "amount"
    assert invoice.status == InvoiceStatus.OPEN
    assert not Payment.objects.exists()


def test_a_cheque_for_an_invoice_already_paid_is_refused(invoice, staff):
    record_offline_payment(invoice, 27500, "4711", dt.date(2026, 11, 20), by=staff)

    with pytest.raises(PaymentError, match="already paid"):
        record_offline_payment(invoice, 27500, "4712", dt.date(2026, 11, 21), by=staff)
    assert invoice.payments.count() == 1


def test_the_cheque_is_in_the_invoices_history_with_who_recorded_it(invoice, staff):
    record_offline_payment(invoice, 27500, "4711", dt.date(2026, 11, 20), by=staff)

    latest = invoice.history.first()
    assert latest.status == InvoiceStatus.PAID
    assert latest.history_user == staff


def test_staff_record_a_cheque_in_admin(invoice, staff_client):
    response = staff_client.post(
        reverse(RECORD_URL),
        {
            "invoice": invoice.number,
            "amount": "275.00",
            "cheque_number": "4711",
            "received_on": "2026-11-20",
        },
        follow=True,
    )

    invoice.refresh_from_db()
    assert response.status_code == 200
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.payments.get().cheque_number == "4711"


def test_the_admin_form_shows_a_wrong_amount_next_to_the_field_and_keeps_the_input(
    invoice, staff_client
):
    response = staff_client.post(
        reverse(RECORD_URL),
        {
            "invoice": invoice.number,
            "amount": "200.00",
            "cheque_number": "4711",
            "received_on": "2026-11-20",
        },
    )

    assert response.status_code == 200
    assert "must cover the invoice total of $275.00" in str(
        response.context["form"].errors["amount"]
    )
    assert 'value="4711"' in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("invoice", "NOPE-1", "There is no invoice NOPE-1."),
        ("amount", "abc", "Enter a number."),
        ("amount", "12.345", "Ensure that there are no more than 2 decimal places."),
        ("amount", "-5", "Ensure this value is greater than or equal to 0.01."),
        ("received_on", "2026-13-45", "Enter a valid date."),
        ("cheque_number", "", "This field is required."),
    ],
)
def test_the_admin_form_answers_bad_input_next_to_the_field(
    invoice, staff_client, field, value, message
):
    data = {
        "invoice": invoice.number,
        "amount": "275.00",
        "cheque_number": "4711",
        "received_on": "2026-11-20",
        field: value,
    }

    response = staff_client.post(reverse(RECORD_URL), data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Payment.objects.exists()


def test_a_cheque_dated_in_the_future_is_refused(invoice, staff_client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = staff_client.post(
        reverse(RECORD_URL),
        {
            "invoice": invoice.number,
            "amount": "275.00",
            "cheque_number": "4711",
            "received_on": tomorrow.isoformat(),
        },
    )

    assert "cannot be in the future" in str(response.context["form"].errors["received_on"])


def test_a_reviewer_cannot_record_a_cheque(invoice, reviewer_client):
    response = reviewer_client.get(reverse(RECORD_URL))

    assert response.status_code in (302, 403)
    assert not Payment.objects.exists()


def test_staff_without_the_permission_cannot_record_a_cheque(invoice, staff, staff_client):
    from django.contrib.auth.models import Permission

    staff.groups.first().permissions.remove(
        Permission.objects.get(codename="record_offline_payment")
    )

    response = staff_client.post(
        reverse(RECORD_URL),
        {
            "invoice": invoice.number,
            "amount": "275.00",
            "cheque_number": "1",
            "received_on": "2026-11-20",
        },
    )

    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_the_payments_list_offers_record_offline_payment_to_staff(staff_client, db):
    response = staff_client.get(reverse("admin:payments_payment_changelist"))

    assert response.status_code == 200
    assert reverse(RECORD_URL) in response.content.decode()


def test_staff_see_webhook_events_in_admin(staff_client, db):
    response = staff_client.get(reverse("admin:payments_webhookevent_changelist"))

    assert response.status_code == 200
