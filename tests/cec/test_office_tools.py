"""What clerks and reviewers met in the walk-through (issue 17 item 19): staff correct the
hours when verifying a form (who and why in history), approving a submission asks for a
confirmation, the attendee autocomplete tells two J. Smiths apart, and a cheque is
recorded from the invoice the clerk is looking at."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from cec.models import LedgerEntry, SubmissionState
from cec.services.forms import verify_form
from tests.cec.test_review import submitted
from tests.factories import HolderFactory, InvoiceFactory, sent_form

pytestmark = pytest.mark.django_db


# --- Correcting the hours when verifying ------------------------------------------------------


def test_staff_correct_the_hours_when_verifying_with_a_reason(holder, staff):
    form = sent_form(holder=holder, hours_claimed=Decimal("3"))
    verify_form(form, by=staff, note="The agenda shows 2.5 hours.", hours=Decimal("2.5"))

    form.refresh_from_db()
    assert form.hours_claimed == Decimal("2.50")
    assert LedgerEntry.objects.get(reporting_form=form).hours == Decimal("2.50")
    record = form.history.order_by("-history_date").first()
    assert record.history_user == staff
    assert "3.00 to 2.50" in record.history_change_reason
    assert form.history.order_by("history_date").first().hours_claimed == Decimal("3.00")


def test_changing_the_hours_needs_a_reason(holder, staff):
    from django.core.exceptions import ValidationError

    form = sent_form(holder=holder, hours_claimed=Decimal("3"))
    with pytest.raises(ValidationError):
        verify_form(form, by=staff, note="", hours=Decimal("2"))
    form.refresh_from_db()
    assert form.state == "sent"


def test_the_verify_page_offers_the_hours_prefilled(staff_client, holder):
    form = sent_form(holder=holder, hours_claimed=Decimal("3"))
    url = reverse("admin:cec_reportingform_verify", args=[form.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="hours"' in page and 'value="3.00"' in page

    response = staff_client.post(url, {"hours": "2.25", "note": ""})
    assert response.status_code == 200
    assert "Say why the hours were changed" in response.content.decode()

    response = staff_client.post(url, {"hours": "2.25", "note": "Lunch was counted."})
    assert response.status_code == 302
    assert LedgerEntry.objects.get(reporting_form=form).hours == Decimal("2.25")


# --- Approving asks for a confirmation ----------------------------------------------------------


def test_approving_without_the_confirmation_changes_nothing(reviewer_client, holder, staff):
    submission = submitted(holder, staff=staff)
    url = reverse("review:approve", args=[submission.pk])
    response = reviewer_client.post(url, follow=True)
    assert "Tick “I have checked" in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED

    reviewer_client.post(url, {"confirm": "on"})
    submission.refresh_from_db()
    assert submission.state == SubmissionState.APPROVED


def test_the_detail_page_asks_to_confirm_before_approving(reviewer_client, holder, staff):
    submission = submitted(holder, staff=staff)
    page = reviewer_client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert 'name="confirm"' in page and "I have checked" in page


def test_approving_several_needs_the_confirmation_too(reviewer_client, holder, staff):
    submission = submitted(holder, staff=staff)
    url = reverse("review:approve_several")
    response = reviewer_client.post(url, {"submissions": [submission.pk]}, follow=True)
    assert "Tick “I have checked" in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED
    reviewer_client.post(url, {"submissions": [submission.pk], "confirm": "on"})
    submission.refresh_from_db()
    assert submission.state == SubmissionState.APPROVED


# --- The attendee autocomplete --------------------------------------------------------------------


def test_the_attendee_autocomplete_shows_name_and_email(staff_client):
    HolderFactory(first_name="J.", last_name="Smith", email="jsmith@acme.example")
    HolderFactory(first_name="J.", last_name="Smith", email="j.smith@other.example")
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Smith",
            "app_label": "cec",
            "model_name": "attendance",
            "field_name": "holder",
        },
    )
    assert response.status_code == 200
    texts = sorted(result["text"] for result in json.loads(response.content)["results"])
    assert texts == ["J. Smith · j.smith@other.example", "J. Smith · jsmith@acme.example"]


# --- A cheque from the invoice ------------------------------------------------------------------


def test_the_invoice_page_offers_to_record_a_cheque_for_it(staff_client, holder):
    invoice = InvoiceFactory(renewal__holder=holder, total_cents=27500)
    page = staff_client.get(reverse("admin:payments_invoice_change", args=[invoice.pk]))
    html = page.content.decode()
    link = reverse("admin:payments_payment_record_offline") + f"?invoice={invoice.number}"
    assert link in html
    assert "Record offline payment" in html
    form = staff_client.get(link).content.decode()
    assert f'value="{invoice.number}"' in form
