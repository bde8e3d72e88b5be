"""One way to issue a year (issue 17.1, 16.4): only the current renewal year, after a
confirmation that says how many holders will be emailed, as a background issue run whose
progress shows by itself, from admin and from `manage.py issue_renewals` alike."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from credentials import rules
from credentials.models import IssueRun, OutboxMessage, Renewal
from credentials.services import issue_runs
from credentials.services.renewals import issue_renewal_for
from tests.factories import CredentialFactory, HolderFactory, credential_type

pytestmark = pytest.mark.clock(2026, 12, 1, 9)


# --- The rule (SPEC rule 12) -------------------------------------------------------------


@pytest.mark.parametrize(
    "on, year, allowed",
    [
        (dt.date(2026, 12, 1), 2027, True),
        (dt.date(2026, 12, 1), 2028, False),  # the defect: accepted on 1 December 2026
        (dt.date(2026, 12, 1), 2026, False),
        (dt.date(2026, 10, 31), 2027, False),  # the day before the 2027 season opens
        (dt.date(2026, 11, 1), 2027, True),
        (dt.date(2027, 3, 31), 2027, True),  # grace: still the current renewal year
        (dt.date(2027, 10, 31), 2028, False),
        (dt.date(2027, 11, 1), 2028, True),
    ],
)
def test_only_the_current_renewal_year_can_be_issued(on, year, allowed):
    assert (rules.issue_year_refusal(year, on) == "") is allowed


def test_a_later_year_is_refused_with_the_day_its_season_opens():
    assert rules.issue_year_refusal(2028, dt.date(2026, 12, 1)) == (
        "Renewals for 2028 can be issued from November 1, 2027. The current renewal year is 2027."
    )


def test_a_past_year_is_refused_with_where_its_holders_renew():
    refusal = rules.issue_year_refusal(2026, dt.date(2026, 12, 1))
    assert "The 2026 renewal season is over" in refusal
    assert "through the 2027 renewal" in refusal


# --- The run, the admin and the command --------------------------------------------------


@pytest.fixture
def members(db):
    holders = HolderFactory.create_batch(3)
    for holder in holders:
        CredentialFactory(
            holder=holder,
            credential_type=credential_type("CAM"),
            valid_through=dt.date(2026, 12, 31),
        )
    return holders


def nothing_issued():
    return (
        not IssueRun.objects.exists()
        and not Renewal.objects.exists()
        and not OutboxMessage.objects.filter(kind="renewal_invoice").exists()
    )


def test_the_service_refuses_next_years_run_and_records_nothing(members):
    with pytest.raises(ValidationError, match="Renewals for 2028 can be issued from November 1"):
        issue_runs.start_issue_run(2028)
    assert nothing_issued()


def test_admin_refuses_2028_on_1_december_2026_next_to_the_field(staff_client, members):
    url = reverse("admin:credentials_renewal_issue")
    for data in (
        {"year": 2028, "chunk_size": 50},
        {"year": 2028, "chunk_size": 50, "confirm": "1"},
    ):
        response = staff_client.post(url, data)
        assert response.status_code == 200
        assert "Renewals for 2028 can be issued from November 1, 2027" in response.content.decode()
    assert nothing_issued()


def test_the_issue_page_offers_the_current_renewal_year(staff_client):
    page = staff_client.get(reverse("admin:credentials_renewal_issue")).content.decode()
    assert 'value="2027"' in page


def test_admin_confirms_how_many_holders_will_be_emailed_before_issuing(staff_client, members):
    issue_renewal_for(members[0], 2027)
    response = staff_client.post(
        reverse("admin:credentials_renewal_issue"), {"year": 2027, "chunk_size": 50}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 holders will be issued their 2027 renewal" in page
    assert "emailed the invoice" in page
    assert "Already issued (nothing new is sent to them): 1" in page
    assert 'name="confirm"' in page
    assert Renewal.objects.count() == 1  # nothing more until confirmed
    assert not IssueRun.objects.exists()


def test_confirming_starts_a_background_run_whose_page_polls_its_progress(
    staff, staff_client, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(
            reverse("admin:credentials_renewal_issue"),
            {"year": 2027, "chunk_size": 2, "confirm": "1"},
        )
    run = IssueRun.objects.get()
    assert run.requested_by == staff
    assert len(callbacks) == 1  # handed to the workers after the commit, not run in the request
    assert not Renewal.objects.exists()
    page = staff_client.get(response["Location"]).content.decode()
    progress_url = reverse("admin:credentials_issuerun_progress", args=[run.pk])
    assert f'data-progress-url="{progress_url}"' in page
    assert "js/admin-progress.js" in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page  # a record, read only
    queued = staff_client.get(progress_url).json()
    assert queued["finished"] is False
    assert queued["summary"] == "Queued: waiting for a background worker to start issuing."

    callbacks[0]()  # the worker runs it (eagerly here)
    data = staff_client.get(progress_url).json()
    assert data["finished"] is True
    assert data["count"] == "2 of 2 chunks"
    assert (
        data["summary"]
        == "Issued 3 new 2027 renewals (each emailed its invoice); 0 already issued."
    )


def test_a_rerun_says_it_issued_nothing_new(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue_runs.start_issue_run(2027, chunk_size=2)
        again = issue_runs.start_issue_run(2027, chunk_size=2)
    again.refresh_from_db()
    assert issue_runs.progress(again)["summary"] == (
        "Issued 0 new 2027 renewals (each emailed its invoice); 3 already issued."
    )
    assert OutboxMessage.objects.filter(kind="renewal_invoice").count() == 3


def test_holders_cannot_read_a_runs_progress(holder_client, members):
    run = issue_runs.start_issue_run(2027, background=False)
    response = holder_client.get(reverse("admin:credentials_issuerun_progress", args=[run.pk]))
    assert response.status_code == 302


def test_the_command_refuses_next_year(members):
    with pytest.raises(CommandError, match="Renewals for 2028 can be issued from November 1"):
        call_command("issue_renewals", "--year", "2028", "--noinput", stdout=StringIO())
    assert nothing_issued()


def test_the_command_asks_first_and_issues_nothing_without_a_yes(members, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing issued"):
        call_command("issue_renewals", stdout=out)
    assert "3 holders will be issued their 2027 renewal and emailed the invoice" in out.getvalue()
    assert nothing_issued()


def test_the_command_runs_the_same_issue_run_staff_see_in_admin(members, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    out = StringIO()
    call_command("issue_renewals", "--chunk-size", "2", "--no-progress", stdout=out)
    run = IssueRun.objects.get()
    assert run.status == IssueRun.Status.DONE
    assert run.chunks.count() == 2
    assert Renewal.objects.filter(year=2027).count() == 3
    assert "Issued 3 new 2027 renewals" in out.getvalue()
