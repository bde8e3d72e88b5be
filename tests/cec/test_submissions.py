"""The one CEC submission per renewal (SPEC rules 5, 7, 8): what can be submitted, when it
is refused and why, and what approval and rejection do."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cec.models import EntryState, Submission, SubmissionState
from cec.services.submissions import (
    approve_submission,
    approve_submissions,
    reject_submission,
    submit_cecs,
)
from credentials.models import OutboxMessage
from credentials.selectors import current_renewal_year
from credentials.services.steps import confirm_contact_details, mark_cec_status_seen
from payments.services.payments import record_offline_payment
from renewal_portal.composition.renewal_steps import renewal_steps
from tests.factories import (
    ContactProfileFactory,
    InvoiceFactory,
    LedgerEntryFactory,
    RenewalCredentialFactory,
    RenewalFactory,
    ReportingFormFactory,
    verified_form,
)

pytestmark = pytest.mark.django_db

YEAR = 2027  # owes 8 CECs, 5 in-network, participation capped at 2; earned in 2026


def earned(holder, hours, *, in_network=True, participation=False, on=None, **kwargs):
    return LedgerEntryFactory(
        holder=holder,
        hours=Decimal(hours),
        in_network=in_network,
        participation=participation,
        earned_on=on or dt.date(YEAR - 1, 4, 2),
        **kwargs,
    )


@pytest.fixture
def renewal(holder):
    return RenewalFactory(holder=holder, year=YEAR)


@pytest.fixture
def enough(holder):
    """6 in-network CECs from AASC classes and 2 out-of-network: exactly the 8 owed."""
    return [earned(holder, "3"), earned(holder, "3"), earned(holder, "2", in_network=False)]


# --- submitting ------------------------------------------------------------------------


def test_a_submission_of_all_cecs_owed_waits_for_naaei(renewal, holder, enough):
    submission = submit_cecs(renewal, enough, by=holder)
    assert submission.state == SubmissionState.SUBMITTED
    assert submission.total_hours == Decimal("8.00")
    assert submission.in_network_hours == Decimal("6.00")
    assert set(submission.entries.all()) == set(enough)


def test_submitted_entries_are_marked_submitted(renewal, holder, enough):
    submit_cecs(renewal, enough, by=holder)
    assert {e.state for e in holder.ledger_entries.all()} == {EntryState.SUBMITTED}


def test_a_submission_short_of_the_cecs_owed_is_refused_with_how_many_are_missing(renewal, holder):
    entries = [earned(holder, "3"), earned(holder, "3")]
    with pytest.raises(ValidationError) as error:
        submit_cecs(renewal, entries, by=holder)
    assert "You need 2 more CECs (you have 6 of the 8 owed)." in error.value.messages[0]
    assert not Submission.objects.exists()
    assert {e.state for e in holder.ledger_entries.all()} == {EntryState.CREDITED}


def test_a_submission_missing_the_in_network_minimum_is_refused(renewal, holder):
    entries = [earned(holder, "4"), earned(holder, "4", in_network=False)]
    with pytest.raises(ValidationError, match="1 more in-network CEC \\(you have 4 of the 5"):
        submit_cecs(renewal, entries, by=holder)
    assert not Submission.objects.exists()


def test_participation_beyond_the_cap_does_not_count(renewal, holder):
    entries = [earned(holder, "5"), earned(holder, "4", in_network=False, participation=True)]
    with pytest.raises(ValidationError, match="You need 1 more CEC "):
        submit_cecs(renewal, entries, by=holder)


def test_verified_reporting_form_entries_can_be_submitted(renewal, holder, staff):
    form = verified_form(staff, holder=holder, hours_claimed=Decimal("2"))
    entries = [earned(holder, "6"), form.ledger_entries.get()]
    submission = submit_cecs(renewal, entries, by=holder)
    assert submission.total_hours == Decimal("8.00")


def test_entries_earned_outside_the_window_cannot_be_added(renewal, holder, enough):
    old = earned(holder, "2", on=dt.date(YEAR - 2, 11, 5), title="Old class")
    with pytest.raises(ValidationError) as error:
        submit_cecs(renewal, [*enough, old], by=holder)
    assert (
        "“Old class”: Earned in 2025: the 2027 renewal counts only CECs earned from "
        "January 1 to December 31, 2026." in error.value.messages
    )
    assert not Submission.objects.exists()


def test_another_holders_entries_cannot_be_submitted(renewal, holder, other_holder):
    entries = [earned(holder, "6"), earned(other_holder, "2")]
    with pytest.raises(ValidationError, match="Only your own CEC entries"):
        submit_cecs(renewal, entries, by=holder)


@pytest.mark.parametrize(
    "state",
    [
        EntryState.PENDING_VERIFICATION,
        EntryState.SUBMITTED,
        EntryState.APPROVED,
        EntryState.REJECTED,
        EntryState.WITHDRAWN,
    ],
)
def test_entries_that_are_not_countable_cannot_be_submitted(renewal, holder, state):
    entries = [earned(holder, "6"), earned(holder, "2", state=state, title="Not countable")]
    with pytest.raises(ValidationError, match="“Not countable”"):
        submit_cecs(renewal, entries, by=holder)


def test_nothing_chosen_is_refused(renewal, holder):
    with pytest.raises(ValidationError, match="Choose the CEC entries"):
        submit_cecs(renewal, [], by=holder)


def test_only_the_holder_submits_their_cecs(renewal, other_holder, enough):
    with pytest.raises(PermissionDenied):
        submit_cecs(renewal, enough, by=other_holder)


def test_there_is_one_open_submission_per_renewal(renewal, holder, enough):
    submit_cecs(renewal, enough[:2] + [enough[2]], by=holder)
    more = [earned(holder, "8")]
    with pytest.raises(ValidationError, match="one submission per renewal"):
        submit_cecs(renewal, more, by=holder)
    assert Submission.objects.count() == 1


def test_an_approved_submission_cannot_be_followed_by_another(renewal, holder, reviewer, enough):
    approve_submission(submit_cecs(renewal, enough, by=holder), by=reviewer)
    with pytest.raises(ValidationError, match="already approved"):
        submit_cecs(renewal, [earned(holder, "8")], by=holder)


# --- approving -------------------------------------------------------------------------


def test_approval_marks_the_submission_and_its_entries_approved(renewal, holder, reviewer, enough):
    submission = approve_submission(submit_cecs(renewal, enough, by=holder), by=reviewer)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.APPROVED
    assert submission.decided_by == reviewer
    assert submission.decided_at is not None
    assert {e.state for e in submission.entries.all()} == {EntryState.APPROVED}


def test_approval_completes_step_four_of_the_renewal(renewal, holder, reviewer, enough):
    assert not renewal_steps(renewal)["cec_approval"].done
    approve_submission(submit_cecs(renewal, enough, by=holder), by=reviewer)
    renewal.refresh_from_db()
    assert renewal_steps(renewal)["cec_approval"].done


def test_approval_completes_the_renewal_when_every_other_step_is_done(
    holder, staff, reviewer, enough
):
    renewal = RenewalFactory(holder=holder, year=YEAR)
    item = RenewalCredentialFactory(renewal=renewal)
    invoice = InvoiceFactory(renewal=renewal)
    ContactProfileFactory(user=holder)
    confirm_contact_details(renewal, by=holder)
    record_offline_payment(invoice, invoice.total_cents, "1042", timezone.localdate(), by=staff)
    mark_cec_status_seen(renewal, by=holder)
    approve_submission(submit_cecs(renewal, enough, by=holder), by=reviewer)
    renewal.refresh_from_db()
    item.credential.refresh_from_db()
    assert renewal.completed_at is not None
    assert item.credential.valid_through == dt.date(YEAR, 12, 31)


def test_approval_leaves_the_renewal_open_while_other_steps_are_missing(
    renewal, holder, reviewer, enough
):
    approve_submission(submit_cecs(renewal, enough, by=holder), by=reviewer)
    renewal.refresh_from_db()
    assert renewal.completed_at is None


def test_approval_emails_the_holder(renewal, holder, reviewer, enough):
    approve_submission(submit_cecs(renewal, enough, by=holder), by=reviewer)
    message = OutboxMessage.objects.get(kind="submission_approved")
    assert message.holder == holder
    assert "2027" in message.subject


@pytest.mark.parametrize("who", ["staff", "holder", "other_holder"])
def test_only_naaei_reviewers_approve(request, renewal, holder, enough, who):
    submission = submit_cecs(renewal, enough, by=holder)
    with pytest.raises(PermissionDenied):
        approve_submission(submission, by=request.getfixturevalue(who))
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED


@pytest.mark.parametrize("decided", ["approved", "rejected"])
def test_a_decided_submission_cannot_be_approved(renewal, holder, reviewer, enough, decided):
    submission = submit_cecs(renewal, enough, by=holder)
    if decided == "approved":
        approve_submission(submission, by=reviewer)
    else:
        reject_submission(submission, by=reviewer, reason="Missing evidence.")
    with pytest.raises(ValidationError, match="only one waiting for review can be approved"):
        approve_submission(submission, by=reviewer)


def test_several_submissions_are_approved_at_once(reviewer, holder, other_holder):
    submissions = []
    for person in (holder, other_holder):
        renewal = RenewalFactory(holder=person, year=YEAR)
        entries = [earned(person, "6"), earned(person, "2")]
        submissions.append(submit_cecs(renewal, entries, by=person))
    approved, refused = approve_submissions(submissions, by=reviewer)
    assert len(approved) == 2 and refused == []
    assert set(Submission.objects.values_list("state", flat=True)) == {SubmissionState.APPROVED}


def test_approving_several_skips_one_already_decided(reviewer, renewal, holder, enough):
    submission = submit_cecs(renewal, enough, by=holder)
    reject_submission(submission, by=reviewer, reason="Wrong year.")
    approved, refused = approve_submissions([submission], by=reviewer)
    assert approved == []
    assert refused[0][0] == submission
    assert "already rejected" in refused[0][1]


# --- rejecting -------------------------------------------------------------------------


def test_rejection_returns_the_entries_so_the_holder_can_resubmit(renewal, holder, reviewer, staff):
    form = verified_form(staff, holder=holder, hours_claimed=Decimal("2"))
    entries = [earned(holder, "6"), form.ledger_entries.get()]
    submission = submit_cecs(renewal, entries, by=holder)
    reject_submission(submission, by=reviewer, reason="The committee letter is unsigned.")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.REJECTED
    assert submission.rejection_reason == "The committee letter is unsigned."
    states = {e.source: e.state for e in holder.ledger_entries.all()}
    assert states == {"aasc_class": EntryState.CREDITED, "committee": EntryState.VERIFIED}
    again = submit_cecs(renewal, entries, by=holder)
    assert again.state == SubmissionState.SUBMITTED


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_rejection_requires_a_reason(renewal, holder, reviewer, enough, reason):
    submission = submit_cecs(renewal, enough, by=holder)
    with pytest.raises(ValidationError, match="reason"):
        reject_submission(submission, by=reviewer, reason=reason)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED


def test_staff_cannot_reject_for_naaei(renewal, holder, staff, enough):
    submission = submit_cecs(renewal, enough, by=holder)
    with pytest.raises(PermissionDenied):
        reject_submission(submission, by=staff, reason="No.")


def test_an_approved_submission_cannot_be_rejected(renewal, holder, reviewer, enough):
    submission = approve_submission(submit_cecs(renewal, enough, by=holder), by=reviewer)
    with pytest.raises(ValidationError, match="can be rejected"):
        reject_submission(submission, by=reviewer, reason="Too late.")


def test_rejection_emails_the_holder_the_reason(renewal, holder, reviewer, enough):
    submission = submit_cecs(renewal, enough, by=holder)
    reject_submission(submission, by=reviewer, reason="Add the Expo badge scan.")
    message = OutboxMessage.objects.get(kind="submission_rejected")
    assert "Add the Expo badge scan." in message.body_text


def test_every_decision_leaves_history(renewal, holder, reviewer, enough):
    submission = submit_cecs(renewal, enough, by=holder)
    reject_submission(submission, by=reviewer, reason="Wrong year.")
    records = list(submission.history.order_by("history_date"))
    assert [(r.state, r.history_user) for r in records] == [
        (SubmissionState.SUBMITTED, holder),
        (SubmissionState.REJECTED, reviewer),
    ]


# --- the holder's submission page ------------------------------------------------------

START = reverse("cec_submission:start")


@pytest.fixture
def current(holder):
    return RenewalFactory(holder=holder, year=current_renewal_year())


def earned_for_current(holder, hours, **kwargs):
    return earned(holder, hours, on=dt.date(current_renewal_year() - 1, 6, 1), **kwargs)


def test_the_page_proposes_every_countable_entry_ticked(holder_client, holder, current):
    entries = [earned_for_current(holder, "6"), earned_for_current(holder, "2", in_network=False)]
    page = holder_client.get(START).content.decode()
    for entry in entries:
        assert f'value="{entry.pk}" id="entry-{entry.pk}" checked' in page
    assert "8 CECs, 8 needed ✓; 6 in-network, 5 needed ✓" in page


def test_the_page_lists_entries_outside_the_window_as_not_addable(holder_client, holder, current):
    old = earned(holder, "2", on=dt.date(current_renewal_year() - 2, 3, 3), title="Older class")
    page = holder_client.get(START).content.decode()
    assert "cannot be added" in page
    assert "Older class" in page
    assert f'value="{old.pk}"' not in page


def test_forms_not_yet_verified_are_shown_as_pending(holder_client, holder, current):
    ReportingFormFactory(holder=holder, sent=True, title="Still with AASC")
    page = holder_client.get(START).content.decode()
    assert "Still with AASC" in page
    assert "Only forms the AASC office verified and signed can be submitted." in page


def test_the_holder_submits_from_the_page(holder_client, holder, current):
    entries = [earned_for_current(holder, "6"), earned_for_current(holder, "2")]
    response = holder_client.post(START, {"entries": [e.pk for e in entries]}, follow=True)
    assert "are submitted to NAAEI" in response.content.decode()
    assert "Waiting for NAAEI review" in response.content.decode()
    assert Submission.objects.get().renewal == current


def test_a_short_submission_from_the_page_says_what_is_missing(holder_client, holder, current):
    entry = earned_for_current(holder, "6")
    response = holder_client.post(START, {"entries": [entry.pk]})
    assert response.status_code == 200
    assert "You need 2 more CECs (you have 6 of the 8 owed)." in response.content.decode()
    assert not Submission.objects.exists()


def test_an_entry_outside_the_window_posted_anyway_is_refused(holder_client, holder, current):
    entries = [earned_for_current(holder, "6"), earned_for_current(holder, "2")]
    old = earned(holder, "2", on=dt.date(current_renewal_year() - 2, 3, 3))
    response = holder_client.post(START, {"entries": [e.pk for e in [*entries, old]]})
    assert "That entry cannot be submitted for this renewal." in response.content.decode()
    assert not Submission.objects.exists()


def test_another_holders_entry_posted_to_the_page_is_refused(
    holder_client, holder, other_holder, current
):
    theirs = earned_for_current(other_holder, "8")
    response = holder_client.post(START, {"entries": [theirs.pk]})
    assert response.status_code == 200
    assert not Submission.objects.exists()


@pytest.mark.parametrize("value", ["abc", "-1", "99999999", "1.5", "", "' OR 1=1"])
def test_odd_input_on_the_page_gives_a_message_not_an_error(holder_client, current, value):
    response = holder_client.post(START, {"entries": [value]})
    assert response.status_code == 200
    assert not Submission.objects.exists()


def test_the_page_shows_a_rejection_and_its_reason(holder_client, holder, reviewer, current):
    entries = [earned_for_current(holder, "8")]
    reject_submission(submit_cecs(current, entries, by=holder), by=reviewer, reason="Wrong class.")
    page = holder_client.get(START).content.decode()
    assert "NAAEI rejected your submission" in page
    assert "Wrong class." in page


def test_the_page_shows_an_approved_submission(holder_client, holder, reviewer, current):
    approve_submission(
        submit_cecs(current, [earned_for_current(holder, "8")], by=holder), by=reviewer
    )
    page = holder_client.get(START).content.decode()
    assert "Approved by NAAEI" in page


def test_without_a_renewal_the_page_says_so(holder_client):
    page = holder_client.get(START).content.decode()
    assert "You have no renewal open right now." in page


def test_the_submission_page_needs_sign_in(client):
    response = client.get(START)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_holder_sees_only_their_own_submission(
    other_holder_client, holder, current, reviewer
):
    submit_cecs(current, [earned_for_current(holder, "8")], by=holder)
    page = other_holder_client.get(START).content.decode()
    assert "Waiting for NAAEI review" not in page
