"""Background runs in admin (issue 16.5): a packet build and an issue run, both kinds of
the one framework, show the same page: progress that updates by itself, who started the
run and why, each unit's status, attempts and error, at 1280 and 390 px. Screenshots
land in test-artifacts/b/."""

import datetime as dt

import pytest
from django.utils import timezone

from credentials import rules
from credentials.models import Renewal
from credentials.services import issue_runs
from renewal_portal.composition.packets import services as packets
from tests.browser.conftest import SCREENSHOTS
from tests.factories import (
    CredentialFactory,
    HolderFactory,
    RenewalFactory,
    StaffFactory,
    credential_type,
)
from tests.support.portal_world import sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = SCREENSHOTS.parent / "b"
WIDTHS = (1280, 390)


def test_a_packet_build_page_follows_its_build_by_itself(new_page, live_server, monkeypatch):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # No worker: the test builds the packets itself while the page is open.
    monkeypatch.setattr(packets.runs, "dispatch", lambda kind, run: None)
    staff = StaffFactory()
    year = rules.renewal_year_on(timezone.localdate())
    for _ in range(3):
        RenewalFactory(year=year)
    build = packets.start_packet_build(Renewal.objects.filter(year=year), by=staff)
    first, second, third = build.items.order_by("pk")
    packets.build_item(first)
    real = packets.write_packet_zip

    def broken(packet, target, pdf=None):
        raise OSError("disk full")

    monkeypatch.setattr(packets, "write_packet_zip", broken)
    with pytest.raises(OSError):
        packets.build_item(second)
    monkeypatch.setattr(packets, "write_packet_zip", real)

    url = f"{live_server.url}/admin/credentials/packetbuild/{build.pk}/change/"
    pages = {}
    for width in WIDTHS:
        page = new_page(viewport={"width": width, "height": 900})
        sign_in_by_session(page.context, live_server, staff)
        page.goto(url)
        text = " ".join(page.inner_text("body").split())
        assert "1 of 3 packets built; 1 failing" in text
        assert f"Audit packets of {year} renewals, started by staff." in text
        assert "OSError: disk full" in text
        page.screenshot(path=str(ARTIFACTS / f"packet-build-running-{width}.png"), full_page=True)
        # The packets' table is wider than a phone: it scrolls in its box, the page does not.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator(".inline-group .tabular fieldset.module")
        assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        pages[width] = page

    # The open pages catch up by themselves once the rest is built.
    packets.build_item(second)
    packets.build_item(third)
    for width, page in pages.items():
        page.get_by_text("the archive is ready to download").first.wait_for(timeout=15_000)
        page.get_by_role("link", name="Download ZIP").wait_for()
        page.screenshot(path=str(ARTIFACTS / f"packet-build-done-{width}.png"), full_page=True)


def test_an_issue_run_page_and_list_at_both_widths(new_page, live_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    staff = StaffFactory()
    year = rules.renewal_year_on(timezone.localdate())
    for holder in HolderFactory.create_batch(3):
        CredentialFactory(
            holder=holder,
            credential_type=credential_type("CAM"),
            valid_through=dt.date(year - 1, 12, 31),
        )
    run = issue_runs.start_issue_run(year, by=staff, chunk_size=2, background=False)
    issue_runs.run_in_foreground(run)
    for width in WIDTHS:
        page = new_page(viewport={"width": width, "height": 900})
        sign_in_by_session(page.context, live_server, staff)
        page.goto(f"{live_server.url}/admin/credentials/issuerun/{run.pk}/change/")
        text = " ".join(page.inner_text("body").split())
        assert f"Issued 3 new {year} renewals" in text
        assert f"The {year} renewals of every holder due, started by staff." in text
        page.screenshot(path=str(ARTIFACTS / f"issue-run-done-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/admin/credentials/issuerun/")
        assert "2 of 2 chunks" in page.inner_text("#changelist")
        page.screenshot(path=str(ARTIFACTS / f"issue-run-list-{width}.png"), full_page=True)
