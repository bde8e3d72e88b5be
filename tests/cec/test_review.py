"""The NAAEI reviewer's queue at /review/: who gets in, the filters, the detail with every
entry and its evidence, approve, reject with a reason, approve several at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cec.models import Submission, SubmissionState
from cec.services.submissions import submit_cecs
from tests.factories import (
    CredentialFactory,
    LedgerEntryFactory,
    RenewalCredentialFactory,
    RenewalFactory,
    credential_type,
    verified_form,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")
CONFIRMED = {"confirm": "on"}  # the reviewer's tick before approving
PEOPLE = ["holder_client", "other_holder_client", "staff_client", "reviewer_client", "client"]


def submitted(holder, *, year=2027, staff=None, code="CAM"):
    renewal = RenewalFactory(holder=holder, year=year)
    credential = CredentialFactory(holder=holder, credential_type=credential_type(code))
    RenewalCredentialFactory(renewal=renewal, credential=credential)
    entries = [
        LedgerEntryFactory(
            holder=holder,
            hours=Decimal("6"),
            earned_on=dt.date(year - 1, 3, 1),
            title="Fair housing",
        )
    ]
    if staff is not None:
        form = verified_form(
            staff,
            holder=holder,
            hours_claimed=Decimal("2"),
            started_on=dt.date(year - 1, 6, 1),
            title="Education committee",
        )
        entries.append(form.ledger_entries.get())
    else:
        entries.append(
            LedgerEntryFactory(holder=holder, hours=Decimal("2"), earned_on=dt.date(year - 1, 5, 1))
        )
    return submit_cecs(renewal, entries, by=holder)


@pytest.fixture
def submission(holder, staff):
    return submitted(holder, staff=staff)


def expect(response, status):
    if status == "login":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == status


# --- who gets in -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [403, 403, 403, 200, "login"], strict=True))
)
def test_only_naaei_reviewers_open_the_queue(request, person, status):
    expect(request.getfixturevalue(person).get(QUEUE), status)


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [403, 403, 403, 200, "login"], strict=True))
)
def test_only_naaei_reviewers_open_a_submission(request, submission, person, status):
    url = reverse("review:detail", args=[submission.pk])
    expect(request.getfixturevalue(person).get(url), status)


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [403, 403, 403, 302, "login"], strict=True))
)
def test_only_naaei_reviewers_approve_in_the_queue(request, submission, person, status):
    url = reverse("review:approve", args=[submission.pk])
    expect(request.getfixturevalue(person).post(url, CONFIRMED), status)
    submission.refresh_from_db()
    assert (submission.state == SubmissionState.APPROVED) is (person == "reviewer_client")


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [403, 403, 403, 302, "login"], strict=True))
)
def test_only_naaei_reviewers_reject_in_the_queue(request, submission, person, status):
    url = reverse("review:reject", args=[submission.pk])
    expect(request.getfixturevalue(person).post(url, {"reason": "Missing letter."}), status)
    submission.refresh_from_db()
    assert (submission.state == SubmissionState.REJECTED) is (person == "reviewer_client")


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [403, 403, 403, 302, "login"], strict=True))
)
def test_only_naaei_reviewers_approve_several(request, submission, person, status):
    url = reverse("review:approve_several")
    data = {"submissions": [submission.pk], **CONFIRMED}
    expect(request.getfixturevalue(person).post(url, data), status)
    submission.refresh_from_db()
    assert (submission.state == SubmissionState.APPROVED) is (person == "reviewer_client")


def test_reviewers_get_a_404_for_a_submission_that_does_not_exist(reviewer_client):
    assert reviewer_client.get(reverse("review:detail", args=[999999])).status_code == 404


def test_reviewers_cannot_enter_the_office_admin(reviewer_client, holder):
    response = reviewer_client.get(reverse("admin:cec_reportingform_changelist"))
    assert response.status_code == 302


# --- the queue and its filters ---------------------------------------------------------


def test_the_queue_lists_submissions_waiting_for_review(reviewer_client, submission, holder):
    page = reviewer_client.get(QUEUE).content.decode()
    assert holder.display_name in page
    assert "8.00 / 8.00" in page


def test_the_queue_filters_by_renewal_year(reviewer_client, holder, other_holder):
    submitted(holder, year=2027)
    submitted(other_holder, year=2026)
    page = reviewer_client.get(QUEUE, {"year": "2026"}).content.decode()
    assert other_holder.display_name in page
    assert holder.display_name not in page


def test_the_queue_filters_by_credential(reviewer_client, holder, other_holder):
    submitted(holder, code="CAM")
    submitted(other_holder, code="CALP")
    page = reviewer_client.get(QUEUE, {"credential": "CALP"}).content.decode()
    assert other_holder.display_name in page
    assert holder.display_name not in page


def test_the_queue_filters_by_age(reviewer_client, holder, other_holder):
    old = submitted(holder)
    Submission.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=20))
    submitted(other_holder)
    page = reviewer_client.get(QUEUE, {"age": "14"}).content.decode()
    assert holder.display_name in page
    assert other_holder.display_name not in page


def test_decided_submissions_leave_the_waiting_queue(reviewer_client, submission, holder):
    reviewer_client.post(reverse("review:approve", args=[submission.pk]), CONFIRMED, follow=True)
    assert holder.display_name not in reviewer_client.get(QUEUE).content.decode()
    page = reviewer_client.get(QUEUE, {"state": "approved"}).content.decode()
    assert holder.display_name in page


@pytest.mark.parametrize(
    "params",
    [
        {"year": "soon"},
        {"credential": "XYZ"},
        {"age": "-5"},
        {"state": "bogus"},
        {"year": "9" * 40},
    ],
)
def test_odd_filters_give_a_page_not_an_error(reviewer_client, submission, params):
    assert reviewer_client.get(QUEUE, params).status_code == 200


# --- the detail ------------------------------------------------------------------------


def test_the_detail_shows_every_entry_with_its_evidence(reviewer_client, submission):
    page = reviewer_client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    form = submission.entries.get(title="Education committee").reporting_form
    assert "Fair housing" in page
    assert "Education committee" in page
    assert reverse("cec_forms:evidence", args=[form.evidence.get().pk]) in page
    assert reverse("cec_forms:signed_pdf", args=[form.pk]) in page
    assert "8 CECs, 8 needed ✓" in page


def test_reviewers_see_nothing_of_payments(reviewer_client, submission):
    from tests.factories import InvoiceFactory

    InvoiceFactory(renewal=submission.renewal, total_cents=12345)
    page = reviewer_client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert "123.45" not in page
    assert "nvoice" not in page
    assert reviewer_client.get(reverse("admin:payments_invoice_changelist")).status_code == 302


# --- deciding --------------------------------------------------------------------------


def test_a_reviewer_approves_a_submission(reviewer_client, submission, reviewer):
    response = reviewer_client.post(
        reverse("review:approve", args=[submission.pk]), CONFIRMED, follow=True
    )
    assert "Approved the 2027 CECs" in response.content.decode()
    submission.refresh_from_db()
    assert (submission.state, submission.decided_by) == (SubmissionState.APPROVED, reviewer)


def test_a_reviewer_rejects_with_a_reason(reviewer_client, submission):
    reviewer_client.post(
        reverse("review:reject", args=[submission.pk]), {"reason": "The letter is unsigned."}
    )
    submission.refresh_from_db()
    assert submission.state == SubmissionState.REJECTED
    assert submission.rejection_reason == "The letter is unsigned."


def test_rejecting_without_a_reason_shows_the_error_beside_the_field(reviewer_client, submission):
    response = reviewer_client.post(reverse("review:reject", args=[submission.pk]), {"reason": " "})
    assert response.status_code == 200
    assert "Give the holder the reason for the rejection." in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED


def test_approving_a_decided_submission_says_so(reviewer_client, submission):
    url = reverse("review:approve", args=[submission.pk])
    reviewer_client.post(url, CONFIRMED)
    response = reviewer_client.post(url, CONFIRMED, follow=True)
    assert "already approved" in response.content.decode()


def test_a_reviewer_approves_several_at_once(reviewer_client, holder, other_holder):
    first, second = submitted(holder), submitted(other_holder)
    response = reviewer_client.post(
        reverse("review:approve_several"),
        {"submissions": [first.pk, second.pk], **CONFIRMED},
        follow=True,
    )
    assert "Approved 2 submissions." in response.content.decode()
    assert set(Submission.objects.values_list("state", flat=True)) == {SubmissionState.APPROVED}


@pytest.mark.parametrize("ids", [[], ["x"], ["999999"]])
def test_approving_several_with_nothing_valid_ticked_changes_nothing(
    reviewer_client, submission, ids
):
    response = reviewer_client.post(
        reverse("review:approve_several"), {"submissions": ids, **CONFIRMED}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED
