"""Issuing a renewal year in the background: chunks of holders, progress in admin, and
a chunk that runs twice issues nothing twice (tasks run eagerly here; the real worker
and Redis are in tests/integration/)."""

import datetime as dt

import pytest
from django.urls import reverse

from credentials import tasks
from credentials.models import IssueRun, OutboxMessage, Renewal
from credentials.services import issue_runs
from tests.factories import CredentialFactory, HolderFactory, credential_type

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 1, 6)]


@pytest.fixture
def members(db):
    holders = HolderFactory.create_batch(5)
    for holder in holders:
        CredentialFactory(
            holder=holder,
            credential_type=credential_type("CAM"),
            valid_through=dt.date(2026, 12, 31),
        )
    lifetime = HolderFactory()
    CredentialFactory(holder=lifetime, credential_type=credential_type("CAMT"), valid_through=None)
    return holders


def invoice_emails():
    return OutboxMessage.objects.filter(kind="renewal_invoice")


def test_a_run_splits_the_holders_due_into_chunks(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = issue_runs.start_issue_run(2027, chunk_size=2)
    run.refresh_from_db()
    assert run.holders_total == 5  # the CAMT holder owes no renewal
    assert [len(chunk.holder_ids) for chunk in run.chunks.all()] == [2, 2, 1]


def test_a_run_issues_each_holder_one_renewal_and_one_invoice_email(
    members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = issue_runs.start_issue_run(2027, chunk_size=2)
    run.refresh_from_db()
    assert run.status == IssueRun.Status.DONE
    assert run.finished_at is not None
    assert Renewal.objects.filter(year=2027).count() == 5
    assert invoice_emails().count() == 5
    assert not invoice_emails().exclude(status="sent").exists()
    progress = issue_runs.progress(run)
    assert {key: progress[key] for key in ("chunks_total", "chunks_done", "percent")} == {
        "chunks_total": 3,
        "chunks_done": 3,
        "percent": 100,
    }
    assert (progress["new"], progress["already_issued"], progress["failing"]) == (5, 0, 0)


def test_a_chunk_run_twice_issues_nothing_twice(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = issue_runs.start_issue_run(2027, chunk_size=2)
    chunk = run.chunks.first()
    # A worker died after the work but before the chunk was marked done: it runs again.
    chunk.done_at = None
    chunk.save()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.issue_renewals_chunk.delay(chunk.pk)
        tasks.run_issue_run.delay(run.pk)
    assert Renewal.objects.filter(year=2027).count() == 5
    assert invoice_emails().count() == 5
    chunk.refresh_from_db()
    assert chunk.done_at is not None
    assert chunk.renewals_issued == 2


def test_planning_a_run_twice_keeps_its_chunks(members):
    run = IssueRun.objects.create(year=2027, chunk_size=2)
    first = issue_runs.plan_chunks(run)
    second = issue_runs.plan_chunks(run)
    assert [c.pk for c in first] == [c.pk for c in second]


def test_a_failing_chunk_records_its_error_and_the_run_stays_open(members, monkeypatch):
    run = IssueRun.objects.create(year=2027, chunk_size=10)
    [chunk] = issue_runs.plan_chunks(run)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(issue_runs.renewals, "issue_renewals", broken)
    with pytest.raises(RuntimeError):
        issue_runs.run_chunk(chunk)
    chunk.refresh_from_db()
    run.refresh_from_db()
    assert chunk.last_error == "RuntimeError: database went away"
    assert chunk.done_at is None
    assert run.finished_at is None
    assert issue_runs.progress(run)["failing"] == 1


def test_the_season_task_issues_next_years_renewals_on_1_november(
    members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.issue_renewals_for_season.delay().get()
    assert IssueRun.objects.get(pk=run_id).year == 2027
    assert Renewal.objects.filter(year=2027).count() == 5


def test_the_season_task_does_not_start_a_year_twice(members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.issue_renewals_for_season.delay()
        assert tasks.issue_renewals_for_season.delay().get() is None
    assert IssueRun.objects.count() == 1


def test_staff_start_a_run_from_admin_and_see_its_progress(
    staff, staff_client, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:credentials_renewal_issue"),
            {"year": 2027, "chunk_size": 2, "confirm": "1"},
        )
    assert response.status_code == 302
    run = IssueRun.objects.get()
    assert response["Location"] == reverse("admin:credentials_issuerun_change", args=[run.pk])
    assert run.requested_by == staff
    assert Renewal.objects.filter(year=2027).count() == 5
    page = staff_client.get(reverse("admin:credentials_issuerun_changelist")).content.decode()
    assert "3 of 3 chunks" in page
    detail = staff_client.get(reverse("admin:credentials_issuerun_change", args=[run.pk]))
    assert detail.status_code == 200
    assert "Issued 5 new 2027 renewals" in detail.content.decode()


def test_the_add_page_of_issue_runs_leads_to_the_one_way_to_issue(staff_client):
    response = staff_client.get(reverse("admin:credentials_issuerun_add"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:credentials_renewal_issue")


def test_admin_refuses_a_year_far_from_the_current_one(staff_client, members):
    response = staff_client.post(
        reverse("admin:credentials_renewal_issue"), {"year": 2035, "chunk_size": 2, "confirm": "1"}
    )
    assert response.status_code == 200
    assert "Renewals for 2035 can be issued from November 1, 2034" in response.content.decode()
    assert not IssueRun.objects.exists()


def test_admin_refuses_a_chunk_size_out_of_range(staff_client, members):
    response = staff_client.post(
        reverse("admin:credentials_renewal_issue"), {"year": 2027, "chunk_size": 0, "confirm": "1"}
    )
    assert "Choose between 1 and 1000 holders per task." in response.content.decode()
    assert not IssueRun.objects.exists()


def test_staff_resume_the_unfinished_chunks_of_a_run(
    staff_client, members, django_capture_on_commit_callbacks
):
    run = IssueRun.objects.create(year=2027, chunk_size=2)
    issue_runs.plan_chunks(run)  # planned, but the worker died before any chunk ran
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:credentials_issuerun_changelist"),
            {"action": "resume", "_selected_action": [run.pk]},
        )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == IssueRun.Status.DONE
    assert Renewal.objects.filter(year=2027).count() == 5


def test_holders_and_reviewers_cannot_see_issue_runs(holder_client, reviewer_client):
    url = reverse("admin:credentials_issuerun_changelist")
    assert holder_client.get(url).status_code == 302
    assert reviewer_client.get(url).status_code in (302, 403)
