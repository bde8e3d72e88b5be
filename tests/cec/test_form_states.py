"""CEC Reporting Forms: every allowed and refused transition of the state machine
(draft -> sent -> verified | returned -> sent …), its history and its emails."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cec.form_pdf import signed_form_pdf
from cec.models import ActivityType, EntryState, FormState, LedgerEntry, ReportingForm, Source
from cec.selectors.forms import form_audit_trail
from cec.services.forms import (
    create_form,
    remove_evidence,
    return_form,
    send_form,
    update_form,
    verify_form,
)
from credentials.models import OutboxMessage
from tests.factories import EvidenceFactory, ReportingFormFactory, sent_form, verified_form

pytestmark = pytest.mark.django_db

FIELDS = {
    "activity_type": ActivityType.EXPO_CLASS,
    "title": "Expo: Resident retention",
    "organiser": "AASC Expo",
    "started_on": dt.date(2026, 4, 22),
    "ended_on": None,
    "hours_claimed": Decimal("1.50"),
    "description": "",
}


# --- allowed transitions ---------------------------------------------------------------


def test_a_new_form_starts_as_a_draft_of_its_holder(holder):
    form = create_form(holder=holder, fields=FIELDS)
    assert form.state == FormState.DRAFT
    assert form.holder == holder
    assert form.history.count() == 1


def test_holder_edits_a_draft(holder):
    form = ReportingFormFactory(holder=holder)
    update_form(form, by=holder, fields={"title": "Board retreat", "hours_claimed": Decimal("3")})
    form.refresh_from_db()
    assert form.title == "Board retreat"
    assert form.hours_claimed == Decimal("3.00")


def test_holder_sends_a_draft_with_evidence_to_aasc(holder):
    form = ReportingFormFactory(holder=holder)
    EvidenceFactory(form=form)
    send_form(form, by=holder)
    form.refresh_from_db()
    assert form.state == FormState.SENT
    assert form.sent_at is not None


def test_staff_verify_and_sign_a_sent_form(holder, staff):
    form = sent_form(holder=holder)
    verify_form(form, by=staff, note="Checked the minutes.")
    form.refresh_from_db()
    assert form.state == FormState.VERIFIED
    assert form.signed_by == staff
    assert form.signed_at is not None
    assert form.signature_note == "Checked the minutes."


def test_staff_return_a_sent_form_with_a_reason(holder, staff):
    form = sent_form(holder=holder)
    return_form(form, by=staff, reason="The letter is unsigned.")
    form.refresh_from_db()
    assert form.state == FormState.RETURNED
    assert form.return_reason == "The letter is unsigned."


def test_holder_edits_a_returned_form_and_sends_it_again(holder, staff):
    form = sent_form(holder=holder)
    return_form(form, by=staff, reason="Hours look too high.")
    update_form(form, by=holder, fields={"hours_claimed": Decimal("1.00")})
    send_form(form, by=holder)
    form.refresh_from_db()
    assert form.state == FormState.SENT
    assert form.hours_claimed == Decimal("1.00")


# --- refused transitions ---------------------------------------------------------------


def test_a_draft_without_evidence_cannot_be_sent(holder):
    form = ReportingFormFactory(holder=holder)
    with pytest.raises(ValidationError, match="evidence"):
        send_form(form, by=holder)
    form.refresh_from_db()
    assert form.state == FormState.DRAFT


@pytest.mark.parametrize("state", [FormState.SENT, FormState.VERIFIED])
def test_a_form_that_is_sent_or_verified_cannot_be_sent_again(holder, staff, state):
    form = sent_form(holder=holder)
    if state == FormState.VERIFIED:
        verify_form(form, by=staff)
    with pytest.raises(ValidationError, match="cannot be sent"):
        send_form(form, by=holder)


@pytest.mark.parametrize("state", [FormState.SENT, FormState.VERIFIED])
def test_a_form_that_is_sent_or_verified_cannot_be_edited(holder, staff, state):
    form = sent_form(holder=holder, title="Original")
    if state == FormState.VERIFIED:
        verify_form(form, by=staff)
    with pytest.raises(ValidationError, match="cannot be edited"):
        update_form(form, by=holder, fields={"title": "Changed"})
    form.refresh_from_db()
    assert form.title == "Original"


@pytest.mark.parametrize("state", [FormState.DRAFT, FormState.RETURNED])
def test_only_a_sent_form_can_be_verified(staff, state):
    form = ReportingFormFactory(state=state)
    with pytest.raises(ValidationError, match="cannot be verified"):
        verify_form(form, by=staff)
    assert not LedgerEntry.objects.exists()


def test_a_verified_form_cannot_be_verified_twice(holder, staff):
    form = verified_form(staff, holder=holder)
    with pytest.raises(ValidationError, match="cannot be verified"):
        verify_form(form, by=staff)
    assert LedgerEntry.objects.filter(reporting_form=form).count() == 1


@pytest.mark.parametrize("state", [FormState.DRAFT, FormState.RETURNED])
def test_only_a_sent_form_can_be_returned(staff, state):
    form = ReportingFormFactory(state=state)
    with pytest.raises(ValidationError, match="cannot be returned"):
        return_form(form, by=staff, reason="Missing letter.")


def test_a_verified_form_cannot_be_returned(holder, staff):
    form = verified_form(staff, holder=holder)
    with pytest.raises(ValidationError, match="cannot be returned"):
        return_form(form, by=staff, reason="Changed my mind.")
    form.refresh_from_db()
    assert form.state == FormState.VERIFIED


@pytest.mark.parametrize("reason", ["", "   "])
def test_returning_a_form_requires_a_reason(holder, staff, reason):
    form = sent_form(holder=holder)
    with pytest.raises(ValidationError, match="why the form is returned"):
        return_form(form, by=staff, reason=reason)
    form.refresh_from_db()
    assert form.state == FormState.SENT


def test_another_holder_cannot_send_or_edit_the_form(holder, other_holder):
    form = ReportingFormFactory(holder=holder)
    EvidenceFactory(form=form)
    with pytest.raises(PermissionDenied):
        send_form(form, by=other_holder)
    with pytest.raises(PermissionDenied):
        update_form(form, by=other_holder, fields={"title": "Mine now"})


@pytest.mark.parametrize("who", ["holder", "reviewer"])
def test_holders_and_reviewers_cannot_verify_or_return_forms(request, holder, who):
    form = sent_form(holder=holder)
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        verify_form(form, by=person)
    with pytest.raises(PermissionDenied):
        return_form(form, by=person, reason="No.")
    form.refresh_from_db()
    assert form.state == FormState.SENT


def test_staff_cannot_verify_their_own_form(staff):
    form = sent_form(holder=staff)
    with pytest.raises(PermissionDenied):
        verify_form(form, by=staff)


def test_evidence_cannot_be_removed_once_the_form_is_sent(holder):
    form = sent_form(holder=holder)
    with pytest.raises(ValidationError, match="cannot be changed"):
        remove_evidence(form.evidence.get(), by=holder)
    assert form.evidence.count() == 1


# --- what verifying produces -----------------------------------------------------------


def test_verifying_a_committee_form_credits_a_verified_participation_entry(holder, staff):
    form = verified_form(staff, holder=holder, activity_type=ActivityType.COMMITTEE)
    entry = LedgerEntry.objects.get(reporting_form=form)
    assert entry.holder == holder
    assert entry.state == EntryState.VERIFIED
    assert entry.source == Source.COMMITTEE
    assert entry.participation is True
    assert entry.hours == form.hours_claimed
    assert entry.earned_on == form.started_on


def test_verifying_volunteering_counts_as_participation(holder, staff):
    form = verified_form(staff, holder=holder, activity_type=ActivityType.VOLUNTEERING)
    entry = form.ledger_entries.get()
    assert (entry.source, entry.participation) == (Source.VOLUNTEERING, True)


def test_an_expo_class_is_in_network_when_staff_decide_so(holder, staff):
    form = verified_form(
        staff, holder=holder, activity_type=ActivityType.EXPO_CLASS, in_network=True
    )
    entry = form.ledger_entries.get()
    assert (entry.source, entry.in_network, entry.participation) == (
        Source.EXPO_CLASS,
        True,
        False,
    )


def test_an_expo_class_is_not_in_network_unless_staff_decide_so(holder, staff):
    form = verified_form(staff, holder=holder, activity_type=ActivityType.EXPO_CLASS)
    assert form.ledger_entries.get().in_network is False


def test_a_multi_day_activity_is_earned_on_its_last_date(holder, staff):
    form = verified_form(
        staff, holder=holder, started_on=dt.date(2026, 5, 1), ended_on=dt.date(2026, 5, 3)
    )
    assert form.ledger_entries.get().earned_on == dt.date(2026, 5, 3)


def test_verifying_emails_the_holder(holder, staff):
    form = verified_form(staff, holder=holder, note="Well documented.")
    message = OutboxMessage.objects.get(kind="form_verified")
    assert message.holder == holder
    assert form.title in message.subject
    assert "Well documented." in message.body_text
    assert f"/cec/forms/{form.pk}/signed.pdf" in message.body_text


def test_returning_emails_the_holder_the_reason_each_time(holder, staff):
    form = sent_form(holder=holder)
    return_form(form, by=staff, reason="Attach the agenda.")
    send_form(form, by=holder)
    return_form(form, by=staff, reason="The agenda is for another date.")
    bodies = [m.body_text for m in OutboxMessage.objects.filter(kind="form_returned")]
    assert len(bodies) == 2
    assert any("Attach the agenda." in body for body in bodies)
    assert any("another date" in body for body in bodies)


# --- history and the signed PDF --------------------------------------------------------


def test_the_audit_history_records_who_when_from_to_and_note(holder, staff):
    form = create_form(holder=holder, fields=FIELDS)
    EvidenceFactory(form=form)
    send_form(form, by=holder)
    return_form(form, by=staff, reason="Add the sign-in sheet.")
    send_form(form, by=holder)
    verify_form(form, by=staff, note="Sign-in sheet received.")
    moves = [
        (step.who, step.from_state, step.to_state, step.note)
        for step in form_audit_trail(form)
        if step.from_state != step.to_state
    ]
    assert moves == [
        (holder.display_name, "", "Draft", ""),
        (holder.display_name, "Draft", "Sent to AASC", ""),
        (staff.display_name, "Sent to AASC", "Returned to holder", "Add the sign-in sheet."),
        (holder.display_name, "Returned to holder", "Sent to AASC", ""),
        (staff.display_name, "Sent to AASC", "Verified and signed", "Sign-in sheet received."),
    ]
    assert all(step.when is not None for step in form_audit_trail(form))


def test_the_signed_form_pdf_names_the_signer_the_date_and_the_note(holder, staff):
    form = verified_form(staff, holder=holder, title="Expo keynote", note="Badge scan seen.")
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(signed_form_pdf(form))).pages
    )
    assert "Expo keynote" in text
    assert staff.display_name in text
    assert "Badge scan seen." in text
    assert f"{form.signed_at:%Y}" in text


def test_an_unsigned_form_has_no_signed_pdf(holder):
    form = sent_form(holder=holder)
    with pytest.raises(ValueError):
        signed_form_pdf(form)


# --- the holder's form page: bad input is answered beside the field -----------------------


def page_data(**overrides):
    data = {
        "activity_type": "volunteering",
        "title": "Habitat build day",
        "organiser": "AASC Cares",
        "started_on": "2026-05-16",
        "ended_on": "",
        "hours_claimed": "4",
        "description": "",
        "save": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"started_on": "2999-01-01"}, "The date cannot be in the future"),
        ({"started_on": "1900-01-01"}, "Enter a date from 2000 on."),
        ({"started_on": "not a date"}, "Enter a valid date."),
        ({"ended_on": "2026-05-01"}, "The last date cannot be before the first."),
        ({"ended_on": "2026-01-02", "started_on": "2025-12-30"}, "file one form per year"),
        ({"hours_claimed": "0"}, "Enter the hours, more than 0."),
        ({"hours_claimed": "-3"}, "Enter the hours, more than 0."),
        ({"hours_claimed": "250"}, "at most 100 hours"),
        ({"hours_claimed": "1.234"}, "no more than 2 decimal places"),
        ({"hours_claimed": "lots"}, "Enter a number."),
        ({"activity_type": "party"}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 300}, "at most 200 characters"),
        ({"organiser": "AASC\x00"}, "Null characters are not allowed."),
        ({"organiser": "AASC\x07"}, "Remove the control characters"),
    ],
)
def test_bad_input_on_the_form_page_is_refused_beside_the_field(holder_client, overrides, message):
    response = holder_client.post(reverse("cec_forms:create"), page_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportingForm.objects.exists()


def test_sending_from_the_page_without_evidence_is_refused_beside_the_field(holder_client):
    data = page_data(send="1")
    data.pop("save")
    response = holder_client.post(reverse("cec_forms:create"), data)
    assert "Attach at least one evidence file before sending" in response.content.decode()
    assert not ReportingForm.objects.exists()


def test_a_draft_saved_from_the_page_can_be_sent_later(holder_client, holder):
    response = holder_client.post(reverse("cec_forms:create"), page_data())
    form = ReportingForm.objects.get(holder=holder)
    assert response["Location"] == reverse("cec_forms:detail", args=[form.pk])
    assert form.state == FormState.DRAFT
    EvidenceFactory(form=form)
    holder_client.post(reverse("cec_forms:send", args=[form.pk]))
    form.refresh_from_db()
    assert form.state == FormState.SENT


def test_a_returned_form_shows_the_reason_and_can_be_corrected_on_the_page(
    holder_client, holder, staff
):
    form = sent_form(holder=holder)
    return_form(form, by=staff, reason="Hours look too high.")
    url = reverse("cec_forms:edit", args=[form.pk])
    assert "Hours look too high." in holder_client.get(url).content.decode()
    data = page_data(hours_claimed="1.5", send="1")
    data.pop("save")
    holder_client.post(url, data)
    form.refresh_from_db()
    assert (form.state, form.hours_claimed) == (FormState.SENT, Decimal("1.50"))
