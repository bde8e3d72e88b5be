"""Building the audit packets of a year in the background (issue 11): staff filter the
renewals in admin and start a build; one task per renewal writes its packet, the last
puts them into one archive, progress shows in admin, and a task run twice builds nothing
twice (Celery runs eagerly here)."""

import io
import zipfile

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.storage import default_storage
from django.urls import reverse

from credentials.models import PacketBuild, Renewal
from renewal_portal.composition.packets import services as packets
from tests.factories import HolderFactory, LedgerEntryFactory, RenewalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 12, 1)]


@pytest.fixture
def renewals_2027(db):
    renewals = []
    for name in ("Avery", "Blake", "Casey"):
        holder = HolderFactory(first_name=name)
        LedgerEntryFactory(holder=holder, title=f"{name}'s fair housing class")
        renewals.append(RenewalFactory(holder=holder, year=2027))
    return renewals


@pytest.fixture
def renewal_2026(db):
    return RenewalFactory(holder=HolderFactory(first_name="Dana"), year=2026)


def archive_of(build) -> zipfile.ZipFile:
    build.refresh_from_db()
    with default_storage.open(build.archive, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def folders(archive) -> set[str]:
    return {name.split("/", 1)[0] for name in archive.namelist()}


def test_a_build_makes_one_archive_with_every_packet_of_the_year(
    renewals_2027, renewal_2026, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        build = packets.start_packet_build(Renewal.objects.filter(year=2027))
    build.refresh_from_db()
    assert build.status == PacketBuild.Status.DONE
    assert build.year == 2027 and build.title == "Audit packets of 2027 renewals"
    archive = archive_of(build)
    assert folders(archive) == {f"AASC-audit-packet-2027-R{r.pk}" for r in renewals_2027}
    for renewal in renewals_2027:
        base = f"AASC-audit-packet-2027-R{renewal.pk}"
        assert f"{base}/{base}.pdf" in archive.namelist()
        assert f"{base}/cec-entries.csv" in archive.namelist()
    first = f"AASC-audit-packet-2027-R{renewals_2027[0].pk}/cec-entries.csv"
    assert "Avery's fair housing class" in archive.read(first).decode()


def test_a_build_reports_its_progress(renewals_2027, django_capture_on_commit_callbacks):
    build = packets.start_packet_build(Renewal.objects.filter(year=2027))
    assert packets.progress(build) == {"total": 3, "done": 0, "percent": 0, "failing": 0}
    first = build.items.order_by("pk").first()
    packets.build_item(first)
    assert packets.progress(build)["done"] == 1
    assert packets.progress(build)["percent"] == 33
    packets.run_packet_build(build.pk)
    assert packets.progress(build)["percent"] == 100


def test_a_packet_task_run_twice_builds_nothing_twice(renewals_2027):
    build = packets.start_packet_build(Renewal.objects.filter(year=2027))
    item = build.items.order_by("pk").first()
    assert packets.build_audit_packet(item.pk) is True
    assert packets.build_audit_packet(item.pk) is False
    item.refresh_from_db()
    assert item.attempts == 1
    _, files = default_storage.listdir(f"audit-packets/build-{build.pk}")
    assert len(files) == 1


def test_the_archive_is_assembled_once_however_often_the_build_finishes(renewals_2027):
    build = packets.start_packet_build(Renewal.objects.filter(year=2027))
    packets.run_packet_build(build.pk)
    build.refresh_from_db()
    finished_at = build.finished_at
    assert packets.finish_if_done(build) is False
    packets.run_packet_build(build.pk)
    build.refresh_from_db()
    assert build.finished_at == finished_at


def test_a_build_resumed_after_a_failure_builds_only_what_is_left(
    renewals_2027, monkeypatch, django_capture_on_commit_callbacks
):
    build = packets.start_packet_build(Renewal.objects.filter(year=2027))
    items = list(build.items.order_by("pk"))
    packets.build_item(items[0])
    real = packets.write_packet_zip

    def broken(packet, target, pdf=None):
        raise OSError("disk full")

    monkeypatch.setattr(packets, "write_packet_zip", broken)
    with pytest.raises(OSError):
        packets.build_item(items[1])
    assert packets.progress(build)["failing"] == 1
    monkeypatch.setattr(packets, "write_packet_zip", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert packets.resume(build) == 2
    build.refresh_from_db()
    assert build.status == PacketBuild.Status.DONE
    items[0].refresh_from_db()
    assert items[0].attempts == 1


# --- In admin ----------------------------------------------------------------------------


def test_staff_build_a_years_packets_from_the_filtered_renewals_list(
    staff_client, renewals_2027, renewal_2026, django_capture_on_commit_callbacks
):
    changelist = reverse("admin:credentials_renewal_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"{changelist}?year__exact=2027",
            {
                "action": "build_audit_packets",
                "select_across": "1",
                "index": "0",
                ACTION_CHECKBOX_NAME: [str(renewals_2027[0].pk)],
            },
        )
    build = PacketBuild.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:credentials_packetbuild_change", args=[build.pk])
    assert build.renewals_total == 3
    assert build.status == PacketBuild.Status.DONE  # eager Celery, after the commit

    page = staff_client.get(response["Location"]).content.decode()
    assert '<progress max="100" value="100"></progress>' in page
    assert "3 of 3 packets built; the archive is ready to download." in page
    download = reverse("admin:credentials_packetbuild_archive", args=[build.pk])
    assert download in page
    response = staff_client.get(download)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(folders(archive)) == 3


def test_a_running_builds_page_polls_its_progress_by_itself(staff_client, renewals_2027):
    build = packets.start_packet_build(Renewal.objects.filter(year=2027))  # not dispatched
    page = staff_client.get(reverse("admin:credentials_packetbuild_change", args=[build.pk]))
    progress_url = reverse("admin:credentials_packetbuild_progress", args=[build.pk])
    assert f'data-progress-url="{progress_url}"' in page.content.decode()
    assert "js/admin-progress.js" in page.content.decode()
    assert "0 of 3 packets" in page.content.decode()
    data = staff_client.get(progress_url).json()
    assert data["count"] == "0 of 3 packets"
    assert data["finished"] is False
    assert data["summary"] == "0 of 3 packets built."


def test_holders_cannot_read_a_builds_progress(holder_client, renewals_2027):
    build = packets.start_packet_build(Renewal.objects.filter(year=2027))
    response = holder_client.get(reverse("admin:credentials_packetbuild_progress", args=[build.pk]))
    assert response.status_code == 302


def test_the_renewal_admin_page_links_to_its_packet(staff_client, renewals_2027):
    renewal = renewals_2027[0]
    page = staff_client.get(reverse("admin:credentials_renewal_change", args=[renewal.pk]))
    assert reverse("credentials:packet_pdf", args=[renewal.pk]) in page.content.decode()


@pytest.mark.parametrize("person", ["reviewer_client", "holder_client"])
def test_only_the_office_can_start_or_download_builds(request, person, renewals_2027):
    client = request.getfixturevalue(person)
    build = packets.start_packet_build(Renewal.objects.filter(year=2027))
    packets.run_packet_build(build.pk)
    response = client.get(reverse("admin:credentials_packetbuild_archive", args=[build.pk]))
    assert response.status_code in (302, 403)
    assert "Content-Disposition" not in response
    response = client.post(
        reverse("admin:credentials_renewal_changelist"),
        {"action": "build_audit_packets", ACTION_CHECKBOX_NAME: [str(renewals_2027[0].pk)]},
    )
    assert response.status_code in (302, 403)
    assert PacketBuild.objects.count() == 1
