"""Who may open each Reporting Form page and admin action: the holder, another holder,
AASC staff, an NAAEI reviewer and an anonymous visitor."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from cec.models import Evidence, FormState, LedgerEntry
from tests.factories import (
    EvidenceFactory,
    ReportingFormFactory,
    SubmissionFactory,
    UserFactory,
    sent_form,
    verified_form,
)

pytestmark = pytest.mark.django_db

PEOPLE = ["holder_client", "other_holder_client", "staff_client", "reviewer_client", "client"]


@pytest.fixture
def draft(holder):
    form = ReportingFormFactory(holder=holder, title="Draft of the holder")
    EvidenceFactory(form=form)
    return form


@pytest.fixture
def signed(holder, staff):
    return verified_form(staff, holder=holder, title="Signed form of the holder")


def expect(response, status):
    if status == "login":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == status


# --- the holder's pages ----------------------------------------------------------------


@pytest.mark.parametrize(
    "person,status",
    list(zip(PEOPLE, [200, 200, 200, 200, "login"], strict=True)),
)
def test_the_form_list_shows_only_ones_own_forms(request, draft, person, status):
    response = request.getfixturevalue(person).get(reverse("cec_forms:list"))
    expect(response, status)
    if status == 200:
        shown = "Draft of the holder" in response.content.decode()
        assert shown is (person == "holder_client")


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [200, 200, 200, 200, "login"], strict=True))
)
def test_the_new_form_page_is_for_signed_in_people(request, person, status):
    expect(request.getfixturevalue(person).get(reverse("cec_forms:create")), status)


@pytest.mark.parametrize("page", ["cec_forms:detail", "cec_forms:edit"])
@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [200, 404, 404, 404, "login"], strict=True))
)
def test_a_form_page_is_only_for_its_holder(request, draft, page, person, status):
    response = request.getfixturevalue(person).get(reverse(page, args=[draft.pk]))
    expect(response, status)


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [302, 404, 404, 404, "login"], strict=True))
)
def test_only_the_holder_can_send_their_form(request, draft, person, status):
    response = request.getfixturevalue(person).post(reverse("cec_forms:send", args=[draft.pk]))
    expect(response, status)
    draft.refresh_from_db()
    assert (draft.state == FormState.SENT) is (person == "holder_client")


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [302, 404, 404, 404, "login"], strict=True))
)
def test_only_the_holder_can_remove_evidence_from_a_draft(request, draft, person, status):
    evidence = draft.evidence.get()
    url = reverse("cec_forms:evidence_remove", args=[evidence.pk])
    expect(request.getfixturevalue(person).post(url), status)
    assert Evidence.objects.filter(pk=evidence.pk).exists() is (person != "holder_client")


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [200, 404, 200, 404, "login"], strict=True))
)
def test_the_signed_pdf_is_for_the_holder_and_aasc_staff(request, signed, person, status):
    response = request.getfixturevalue(person).get(
        reverse("cec_forms:signed_pdf", args=[signed.pk])
    )
    expect(response, status)
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "person,status", list(zip(PEOPLE, [200, 404, 200, 404, "login"], strict=True))
)
def test_evidence_is_for_the_holder_and_aasc_staff(request, draft, person, status):
    url = reverse("cec_forms:evidence", args=[draft.evidence.get().pk])
    expect(request.getfixturevalue(person).get(url), status)


def test_reviewers_see_evidence_and_signed_forms_once_submitted_to_them(reviewer_client, signed):
    entry = LedgerEntry.objects.get(reporting_form=signed)
    SubmissionFactory(renewal__holder=signed.holder, entries=[entry])
    evidence = signed.evidence.get()
    assert reviewer_client.get(reverse("cec_forms:evidence", args=[evidence.pk])).status_code == 200
    pdf = reviewer_client.get(reverse("cec_forms:signed_pdf", args=[signed.pk]))
    assert pdf.status_code == 200


def test_a_form_that_is_not_signed_has_no_signed_pdf(holder_client, draft):
    response = holder_client.get(reverse("cec_forms:signed_pdf", args=[draft.pk]))
    assert response.status_code == 404


def test_a_sent_form_cannot_be_edited_through_the_page(holder_client, holder):
    form = sent_form(holder=holder, title="As sent")
    url = reverse("cec_forms:edit", args=[form.pk])
    response = holder_client.post(url, {"title": "Changed after sending"})
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.title == "As sent"


# --- AASC staff in admin -----------------------------------------------------------------

ADMIN_LOGIN = "/admin/login/"


def admin_urls(form):
    return {
        "changelist": reverse("admin:cec_reportingform_changelist"),
        "change": reverse("admin:cec_reportingform_change", args=[form.pk]),
        "verify": reverse("admin:cec_reportingform_verify", args=[form.pk]),
        "return": reverse("admin:cec_reportingform_return", args=[form.pk]),
    }


@pytest.mark.parametrize("page", ["changelist", "change", "verify", "return"])
def test_staff_open_the_forms_queue_and_decision_pages(staff_client, holder, page):
    form = sent_form(holder=holder)
    assert staff_client.get(admin_urls(form)[page]).status_code == 200


@pytest.mark.parametrize(
    "person", ["holder_client", "other_holder_client", "reviewer_client", "client"]
)
@pytest.mark.parametrize("page", ["changelist", "change", "verify", "return"])
def test_holders_reviewers_and_visitors_cannot_open_the_admin_queue(request, holder, person, page):
    form = sent_form(holder=holder)
    response = request.getfixturevalue(person).get(admin_urls(form)[page])
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)


@pytest.mark.parametrize(
    "person", ["holder_client", "other_holder_client", "reviewer_client", "client"]
)
@pytest.mark.parametrize("action", ["verify", "return"])
def test_only_staff_can_post_a_decision(request, holder, person, action):
    form = sent_form(holder=holder)
    request.getfixturevalue(person).post(admin_urls(form)[action], {"reason": "No", "note": ""})
    form.refresh_from_db()
    assert form.state == FormState.SENT


def test_staff_verify_and_sign_in_admin(staff_client, staff, holder):
    form = sent_form(holder=holder)
    response = staff_client.post(
        admin_urls(form)["verify"], {"note": "Minutes checked.", "in_network": ""}
    )
    assert response.status_code == 302
    form.refresh_from_db()
    assert (form.state, form.signed_by, form.signature_note) == (
        FormState.VERIFIED,
        staff,
        "Minutes checked.",
    )


def test_staff_return_a_form_in_admin_with_a_reason(staff_client, holder):
    form = sent_form(holder=holder)
    response = staff_client.post(admin_urls(form)["return"], {"reason": "Add the agenda."})
    assert response.status_code == 302
    form.refresh_from_db()
    assert (form.state, form.return_reason) == (FormState.RETURNED, "Add the agenda.")


def test_returning_in_admin_without_a_reason_shows_the_error_and_changes_nothing(
    staff_client, holder
):
    form = sent_form(holder=holder)
    response = staff_client.post(admin_urls(form)["return"], {"reason": "  "})
    assert response.status_code == 200
    assert "Tell the holder why the form is returned." in response.content.decode()
    form.refresh_from_db()
    assert form.state == FormState.SENT


def test_a_verified_form_cannot_be_verified_again_in_admin(staff_client, staff, holder):
    form = verified_form(staff, holder=holder)
    response = staff_client.post(admin_urls(form)["verify"], {"note": "again"})
    assert response.status_code == 302
    assert LedgerEntry.objects.filter(reporting_form=form).count() == 1


def test_an_office_user_without_the_verify_permission_is_refused(holder):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_reportingform"))
    client = Client()
    client.force_login(clerk)
    form = sent_form(holder=holder)
    assert client.get(admin_urls(form)["change"]).status_code == 200
    assert client.post(admin_urls(form)["verify"], {"note": ""}).status_code == 403
    form.refresh_from_db()
    assert form.state == FormState.SENT


def test_the_change_page_offers_verify_and_return_with_evidence_inline(staff_client, holder):
    form = sent_form(holder=holder)
    page = staff_client.get(admin_urls(form)["change"]).content.decode()
    assert "Verify and sign" in page
    assert "Return to holder" in page
    assert reverse("cec_forms:evidence", args=[form.evidence.get().pk]) in page


def test_the_staff_queue_opens_on_forms_waiting_for_aasc(staff_client, holder):
    waiting = sent_form(holder=holder, title="Waiting form")
    ReportingFormFactory(holder=holder, title="Draft form")
    page = staff_client.get(admin_urls(waiting)["changelist"]).content.decode()
    assert "Waiting form" in page
    assert "Draft form" not in page


def test_the_staff_queue_searches_by_holder_email(staff_client, holder, other_holder):
    sent_form(holder=holder, title="Form A")
    sent_form(holder=other_holder, title="Form B")
    url = reverse("admin:cec_reportingform_changelist")
    page = staff_client.get(url, {"q": other_holder.email}).content.decode()
    assert "Form B" in page and "Form A" not in page


# --- submissions in admin are read-only for staff --------------------------------------------


def test_staff_can_view_but_not_add_or_change_submissions_in_admin(staff_client, holder):
    submission = SubmissionFactory(renewal__holder=holder)
    change = reverse("admin:cec_submission_change", args=[submission.pk])
    assert staff_client.get(reverse("admin:cec_submission_changelist")).status_code == 200
    page = staff_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert staff_client.get(reverse("admin:cec_submission_add")).status_code == 403
    assert staff_client.post(change, {"state": "approved"}).status_code == 403
    submission.refresh_from_db()
    assert submission.state == "submitted"
