"""The renewal and credentials pages, the invoice page and PDF, and the office's admin
pages, for each role: a holder never sees another holder's renewal or invoice."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from credentials.models import IssueRun, Renewal
from credentials.services.renewals import issue_renewal_for
from tests.factories import CredentialFactory, HolderFactory, credential_type
from tests.factories import renewal_states as states

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]

DENVER = ZoneInfo("America/Denver")


def holding(holder, *codes, valid_through=dt.date(2026, 12, 31)):
    for code in codes:
        CredentialFactory(
            holder=holder,
            credential_type=credential_type(code),
            valid_through=None if code == "CAMT" else valid_through,
        )


@pytest.fixture
def renewal(holder):
    holding(holder, "CAM", "CALP")
    return issue_renewal_for(holder, 2027)


# /renewal/


def test_the_renewal_page_shows_four_steps_and_the_cecs_owed(holder_client, renewal):
    response = holder_client.get(reverse("credentials:renewal"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-step="') == 4
    for title in (
        "Confirm your contact details",
        "Pay your renewal invoice",
        "Check your CEC status",
        "Submit your CECs for NAAEI approval",
    ):
        assert title in page
    assert '<p class="display-6 mb-1" data-testid="cecs-owed">8</p>' in page
    assert "0 CECs, 8 needed; 0 in-network, 5 needed" in page
    assert "8 CECs, at least 5 of them in-network; participation counts for at most 2" in page
    assert renewal.invoice.number in page
    assert "$225.00" in page


def test_each_step_links_to_the_action_that_moves_it_forward(holder_client, renewal):
    page = holder_client.get(reverse("credentials:renewal")).content.decode()
    assert reverse("credentials:profile") in page
    assert reverse("payments:pay", args=[renewal.invoice.number]) in page
    assert reverse("cec:ledger") in page
    assert reverse("cec_submission:start") in page


def test_a_holder_with_only_camt_sees_why_there_is_no_renewal(holder_client, holder):
    holding(holder, "CAMT")
    response = holder_client.get(reverse("credentials:renewal"))
    assert response.status_code == 200
    assert "lifetime certificate" in response.content.decode()


def test_a_holder_with_nothing_issued_yet_sees_why(holder_client, holder):
    holding(holder, "CAM")
    page = holder_client.get(reverse("credentials:renewal")).content.decode()
    assert "Your 2027 renewal invoice (CAM) has not been issued yet" in page


def test_a_holder_with_no_credentials_is_told_to_contact_the_office(holder_client):
    page = holder_client.get(reverse("credentials:renewal")).content.decode()
    assert "We have no NAAEI credential on record for you" in page


def test_the_renewal_page_never_shows_another_holders_renewal(other_holder_client, renewal):
    page = other_holder_client.get(reverse("credentials:renewal")).content.decode()
    assert renewal.invoice.number not in page
    assert "We have no NAAEI credential on record for you" in page


def test_the_renewal_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("credentials:renewal"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_completed_renewal_says_so(holder_client, renewal, staff, reviewer):
    states.complete(renewal, staff, reviewer)
    page = holder_client.get(reverse("credentials:renewal")).content.decode()
    assert "Your 2027 renewal is complete" in page


def test_a_renewal_in_grace_warns_of_the_lapse(clock, client, holder, renewal):
    clock.move_to(2027, 2, 1)
    client.force_login(holder)
    page = client.get(reverse("credentials:renewal")).content.decode()
    assert "In grace" in page
    assert "March 31, 2027" in page


def test_checking_cec_status_from_the_renewal_page_records_step_three(holder_client, renewal):
    response = holder_client.post(reverse("credentials:cec_status_seen"))
    assert response.status_code == 302
    renewal.refresh_from_db()
    assert renewal.cec_status_seen_at is not None


def test_checking_cec_status_without_a_renewal_changes_nothing(other_holder_client, renewal):
    response = other_holder_client.post(reverse("credentials:cec_status_seen"), follow=True)
    assert "You have no renewal open" in response.content.decode()
    renewal.refresh_from_db()
    assert renewal.cec_status_seen_at is None


def test_save_and_confirm_contact_details_returns_to_the_renewal(holder_client, holder, renewal):
    data = {
        "first_name": "Harriet",
        "last_name": "Holder",
        "phone": "(719) 555-0142",
        "address_line1": "1200 Pikes Peak Ave",
        "address_line2": "",
        "city": "Colorado Springs",
        "state": "CO",
        "postal_code": "80903",
        "employer": "Garden of the Gods Apartments",
        "job_title": "Community Manager",
        "confirm": "1",
    }
    response = holder_client.post(reverse("credentials:profile"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("credentials:renewal")
    renewal.refresh_from_db()
    assert renewal.contact_confirmed_at is not None


def test_the_home_page_sends_holders_to_their_renewal(holder_client, renewal):
    page = holder_client.get(reverse("credentials:home")).content.decode()
    assert f'href="{reverse("credentials:renewal")}">Go to my renewal' in page
    assert 'data-testid="next-action"' in page


# /credentials/


def test_the_credentials_page_shows_each_status_and_dates(holder_client, holder):
    holding(holder, "CAM")
    holding(holder, "CAMT")
    holding(holder, "CALP", valid_through=dt.date(2024, 12, 31))
    page = holder_client.get(reverse("credentials:credentials")).content.decode()
    assert "Renewal due" in page
    assert "Lifetime" in page
    assert "Lapsed" in page
    assert (
        "lapsed on April 1, 2025.</strong> Not renewed for 2025: the renewal was due January 1, "
        "2025 and its grace period ended March 31, 2025." in page
    )
    assert "2027: due Jan 1, 2027, grace until Mar 31, 2027" in page


def test_a_lapsed_credential_shows_why_it_lapsed(holder_client, holder):
    CredentialFactory(
        holder=holder,
        credential_type=credential_type("CALP"),
        valid_through=dt.date(2024, 12, 31),
        lapsed_on=dt.date(2025, 4, 1),
        lapse_reason="Not renewed for 2025: the grace period ended March 31, 2025.",
    )
    page = holder_client.get(reverse("credentials:credentials")).content.decode()
    assert "lapsed on April 1, 2025.</strong> Not renewed for 2025" in page


def test_the_credentials_page_lists_only_the_holders_own(other_holder_client, holder):
    holding(holder, "CAM")
    page = other_holder_client.get(reverse("credentials:credentials")).content.decode()
    assert "Renewal due" not in page


# The invoice page and PDF


def test_a_holder_sees_their_invoice(holder_client, renewal):
    response = holder_client.get(reverse("payments:invoice", args=[renewal.invoice.number]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "CECs owed for the 2027 renewal: 8" in page
    assert "$150.00" in page and "$75.00" in page and "$225.00" in page


def test_another_holders_invoice_is_not_found(other_holder_client, renewal):
    number = renewal.invoice.number
    assert other_holder_client.get(reverse("payments:invoice", args=[number])).status_code == 404
    assert (
        other_holder_client.get(reverse("payments:invoice_pdf", args=[number])).status_code == 404
    )


def test_staff_may_view_any_invoice(staff_client, renewal):
    response = staff_client.get(reverse("payments:invoice", args=[renewal.invoice.number]))
    assert response.status_code == 200


def test_a_reviewer_sees_nothing_of_payments(reviewer_client, renewal):
    response = reviewer_client.get(reverse("payments:invoice", args=[renewal.invoice.number]))
    assert response.status_code == 404


def test_an_unknown_invoice_number_is_not_found(holder_client, renewal):
    response = holder_client.get(reverse("payments:invoice", args=["no-such-invoice"]))
    assert response.status_code == 404


def test_the_invoice_pdf_downloads_as_a_pdf(holder_client, renewal):
    response = holder_client.get(reverse("payments:invoice_pdf", args=[renewal.invoice.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        f'filename="AASC-invoice-{renewal.invoice.number}.pdf"' in response["Content-Disposition"]
    )
    assert response.content.startswith(b"%PDF")


# Admin


def test_staff_see_renewals_in_grace_with_cecs_missing(clock, staff_client, staff, renewal):
    url = reverse("admin:credentials_renewal_changelist")
    clock.move_to(2027, 2, 1)
    staff_client.force_login(staff)
    in_grace = staff_client.get(url, {"follow_up": "grace_cecs_missing"})
    assert in_grace.status_code == 200
    assert renewal.invoice.number in in_grace.content.decode()
    clock.move_to(2026, 11, 25)  # back before the due date
    staff_client.force_login(staff)
    now = staff_client.get(url, {"follow_up": "grace_cecs_missing"})
    assert renewal.invoice.number not in now.content.decode()


def test_staff_issue_renewals_for_a_year_from_admin(
    staff_client, django_capture_on_commit_callbacks
):
    holder = HolderFactory()
    holding(holder, "CAS")
    url = reverse("admin:credentials_renewal_issue")
    confirm = staff_client.post(url, {"year": "2027", "chunk_size": "50"})
    assert confirm.status_code == 200
    assert not Renewal.objects.exists()  # the first step only says what it will do
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"year": "2027", "chunk_size": "50", "confirm": "1"})
    assert response.status_code == 302
    assert Renewal.objects.filter(holder=holder, year=2027).exists()


def test_the_issue_form_answers_a_bad_year_next_to_the_field(staff_client):
    response = staff_client.post(reverse("admin:credentials_renewal_issue"), {"year": "next"})
    assert response.status_code == 200
    assert "Enter a whole number" in response.content.decode()
    assert not Renewal.objects.exists()


def test_a_reviewer_cannot_issue_renewals(reviewer_client):
    holder = HolderFactory()
    holding(holder, "CAS")
    response = reviewer_client.post(reverse("admin:credentials_renewal_issue"), {"year": "2027"})
    assert response.status_code in (302, 403)
    assert not Renewal.objects.exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:credentials_credentialtype_changelist",
        "admin:credentials_requirementset_changelist",
        "admin:credentials_credential_changelist",
        "admin:credentials_renewal_changelist",
        "admin:payments_invoice_changelist",
    ],
)
def test_staff_open_the_catalog_credentials_renewals_and_invoices(staff_client, renewal, url_name):
    assert staff_client.get(reverse(url_name)).status_code == 200


def test_the_credential_status_filter_finds_credentials_renewal_due(staff_client, renewal):
    url = reverse("admin:credentials_credential_changelist")
    due = staff_client.get(url, {"status": "renewal_due"}).content.decode()
    lapsed = staff_client.get(url, {"status": "lapsed"}).content.decode()
    number = renewal.items.first().credential.number
    assert number in due
    assert number not in lapsed


def test_staff_open_a_renewal_with_its_invoice_inline(staff_client, renewal):
    response = staff_client.get(reverse("admin:credentials_renewal_change", args=[renewal.pk]))
    assert response.status_code == 200
    assert renewal.invoice.number in response.content.decode()


def test_staff_issue_the_current_renewal_for_selected_credentials(
    staff_client, django_capture_on_commit_callbacks
):
    holder = HolderFactory()
    holding(holder, "CAPS")
    holding(HolderFactory(), "CAM")  # not selected: not issued
    credential = holder.credentials.get()
    url = reverse("admin:credentials_credential_changelist")
    data = {"action": "issue_current_renewal", "_selected_action": [credential.pk]}
    confirm = staff_client.post(url, data)
    assert confirm.status_code == 200
    assert "1 holder will be issued their 2027 renewal" in confirm.content.decode()
    assert not Renewal.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    run = IssueRun.objects.get()
    assert response["Location"] == reverse("admin:credentials_issuerun_change", args=[run.pk])
    assert run.holders_total == 1
    renewal = Renewal.objects.get(holder=holder, year=2027)
    assert Renewal.objects.count() == 1
    assert renewal.invoice.total_cents == 10000  # CAPS dues are $100 a year
