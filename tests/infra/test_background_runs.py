"""The background-run framework (renewal_portal.infra.runs) as its two kinds use it:
a unit gives up after its kind's attempts until staff resume the run, a failing
finishing step leaves the run open with its error, and every run says who started it
and why (Celery runs eagerly here)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse

from credentials import tasks
from credentials.models import IssueRun, PacketBuild, Renewal
from credentials.services import issue_runs
from renewal_portal.composition.packets import services as packets
from renewal_portal.infra.runs import services as runs
from renewal_portal.infra.runs.admin import RunAdmin
from tests.factories import CredentialFactory, HolderFactory, RenewalFactory, credential_type

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


@pytest.fixture(autouse=True)
def season_opening():
    with time_machine.travel(dt.datetime(2026, 11, 1, 6, 0, tzinfo=DENVER), tick=False):
        yield


@pytest.fixture
def members(db):
    for holder in HolderFactory.create_batch(3):
        CredentialFactory(
            holder=holder,
            credential_type=credential_type("CAM"),
            valid_through=dt.date(2026, 12, 31),
        )


def test_a_chunk_stops_after_its_attempts_until_staff_resume_the_run(
    members, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(issue_runs.ISSUE_RUNS, "max_attempts", 2)
    run = IssueRun.objects.create(year=2027, chunk_size=10)
    [chunk] = issue_runs.plan_chunks(run)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("database went away")

    real = issue_runs.renewals.issue_renewals
    monkeypatch.setattr(issue_runs.renewals, "issue_renewals", broken)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            issue_runs.run_chunk(chunk)
    assert issue_runs.run_chunk(chunk) is False  # out of attempts: not tried a third time
    assert len(calls) == 2
    chunk.refresh_from_db()
    assert (chunk.attempts, chunk.status, chunk.last_error) == (
        2,
        "failing",
        "RuntimeError: database went away",
    )

    monkeypatch.setattr(issue_runs.renewals, "issue_renewals", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_runs.resume(run) == 1
    run.refresh_from_db()
    chunk.refresh_from_db()
    assert run.status == IssueRun.Status.DONE
    assert (chunk.attempts, chunk.status, chunk.last_error) == (1, "done", "")
    assert Renewal.objects.filter(year=2027).count() == 3


def test_a_failing_archive_leaves_the_build_open_with_its_error_until_resumed(
    monkeypatch, django_capture_on_commit_callbacks
):
    renewals = [RenewalFactory(year=2027), RenewalFactory(year=2027)]
    real = packets.assemble_archive

    def broken(build):
        raise OSError("disk full")

    monkeypatch.setattr(packets, "assemble_archive", broken)
    build = packets.start_packet_build(Renewal.objects.filter(pk__in=[r.pk for r in renewals]))
    first, second = build.items.order_by("pk")
    assert packets.build_item(first) is True
    with pytest.raises(OSError):
        packets.build_item(second)  # the last packet, then the archive fails
    build = PacketBuild.objects.get()
    assert build.status == PacketBuild.Status.RUNNING
    assert build.finished_at is None
    assert build.last_error == "OSError: disk full"
    snapshot = runs.snapshot(packets.PACKET_BUILDS, build)
    assert snapshot["done"] == 2 and snapshot["finished"] is False
    assert "the archive failed (OSError: disk full)" in snapshot["summary"]

    monkeypatch.setattr(packets, "assemble_archive", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert packets.resume(build) == 0  # every packet is built; only the archive is left
    build.refresh_from_db()
    assert build.status == PacketBuild.Status.DONE
    assert build.archive and build.last_error == ""


def test_a_run_records_who_started_it_and_why(
    staff, staff_client, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:credentials_renewal_issue"),
            {"year": 2027, "chunk_size": 2, "confirm": "1"},
        )
        tasks.issue_renewals_for_season.delay(year=2027)  # a year with a run is not redone
    run = IssueRun.objects.get()
    assert run.requested_by == staff
    assert run.reason == "The 2027 renewals of every holder due, started by staff."
    page = staff_client.get(reverse("admin:credentials_issuerun_change", args=[run.pk]))
    assert run.reason in page.content.decode()

    IssueRun.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.issue_renewals_for_season.delay()
    run = IssueRun.objects.get()
    assert run.requested_by is None
    assert run.reason == "The season's schedule: the 2027 renewal season opened."


def test_every_kind_of_run_in_admin_uses_the_one_mixin():
    kinds = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, RunAdmin)
    ]
    assert {type(model_admin).__name__ for model_admin in kinds} == {
        "IssueRunAdmin",
        "PacketBuildAdmin",
    }
    for model_admin in kinds:
        assert list(model_admin.resume.allowed_permissions) == ["resume"]
