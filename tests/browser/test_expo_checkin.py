"""Expo check-in with a real camera feed: the holder shows their check-in code, a clerk's
phone (Chromium with a fake camera playing a video of that code) scans it, and the CEC
lands in the holder's ledger, pre-verified, at once."""

import datetime as dt

import pytest
from django.utils import timezone
from PIL import Image

from cec.models import CheckIn, CheckInMethod, EntryState, LedgerEntry, Source
from cec.services.checkin import code_for
from credentials import rules
from tests.browser.conftest import CHROMIUM, sign_in
from tests.factories import HolderFactory, RenewalFactory, StaffFactory
from tests.factories.checkin import EventFactory, ExpoCourseFactory, ExpoSessionFactory
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTH, HEIGHT = 640, 480


def write_y4m(picture: Image.Image, path, frames=10):
    """A short 4:2:0 YUV4MPEG2 video of `picture` on white, for Chromium's fake camera
    (which plays the file in a loop)."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    picture = picture.convert("RGB")
    picture.thumbnail((HEIGHT - 40, HEIGHT - 40))
    frame.paste(picture, ((WIDTH - picture.width) // 2, (HEIGHT - picture.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


@pytest.fixture
def camera_browser(browser, tmp_path):
    """Opens a second Chromium whose camera plays a given picture."""
    launched = []

    def launch(picture: Image.Image):
        video = tmp_path / "camera.y4m"
        write_y4m(picture, video)
        camera = browser.browser_type.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(camera)
        return camera

    yield launch
    for camera in launched:
        camera.close()


def test_a_clerk_scans_the_holders_code_with_the_phone_camera(
    new_page, camera_browser, live_server, screenshot, tmp_path
):
    today = timezone.localdate()
    year = rules.renewal_year_on(today)
    holder = HolderFactory(email="harriet@example.org", first_name="Harriet", last_name="Holder")
    walk_in = HolderFactory(email="wally@example.org", first_name="Wally", last_name="Walkin")
    StaffFactory(email="clerk@example.org", first_name="Casey", last_name="Clerk")
    RenewalFactory(holder=holder, year=year)
    # The session's check-in window (12 hours either side) spans whatever hour this runs.
    event = EventFactory(
        name="AASC Expo", starts_on=today, ends_on=today, checkin_margin_minutes=720
    )
    ExpoSessionFactory(
        event=event,
        date=today,
        course=ExpoCourseFactory(title="Expo: Marketing Trends", in_network=False),
        start_time=dt.time(11),
        end_time=dt.time(12, 30),
    )

    # Harriet opens her check-in code on her phone.
    harriet = new_page(viewport={"width": 390, "height": 844})
    sign_in(harriet, live_server, "harriet@example.org", PASSWORD)
    harriet.goto(f"{live_server.url}/me/checkin/")
    typed = harriet.locator("[data-typed-code]").inner_text()
    assert typed == code_for(holder, event).typed
    screenshot(harriet, "checkin-holder-code")
    shown_code = tmp_path / "shown-code.png"
    harriet.locator(".checkin-qr-box").screenshot(path=str(shown_code))

    # The clerk's phone camera sees Harriet's screen.
    camera = camera_browser(Image.open(shown_code))
    context = camera.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    clerk = context.new_page()
    refused_by_csp = []
    clerk.on(
        "console",
        lambda message: (
            refused_by_csp.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    sign_in(clerk, live_server, "clerk@example.org", PASSWORD)
    clerk.goto(f"{live_server.url}/checkin/")
    clerk.get_by_role("link", name="Expo: Marketing Trends").click()
    clerk.get_by_role("button", name="Start the camera").click()

    result = clerk.locator("#scan-result")
    result.filter(has_text="Harriet Holder").wait_for()
    assert "Harriet Holder is checked in: 1.50 CEC credited, pre-verified" in result.inner_text()
    assert clerk.locator("#checked-in-count").inner_text() == "1"
    screenshot(clerk, "checkin-clerk-scanned")

    entry = LedgerEntry.objects.get(holder=holder)
    assert (entry.source, entry.state) == (Source.EXPO_CLASS, EntryState.VERIFIED)
    assert CheckIn.objects.get(attendance=entry.attendance).method == CheckInMethod.CAMERA

    # The camera keeps seeing the code: the next scan changes nothing.
    result.filter(has_text="Already checked in: Harriet Holder").wait_for()
    assert LedgerEntry.objects.filter(holder=holder).count() == 1
    clerk.get_by_role("button", name="Stop the camera").click()

    # The connection drops while the clerk types a walk-in's code: the page says so, and
    # the retry checks them in once.
    context.set_offline(True)
    clerk.get_by_label("Check-in code").fill(code_for(walk_in, event).typed)
    clerk.get_by_role("button", name="Check in").click()
    result.filter(has_text="Not sent: the scan did not reach the server").wait_for()
    assert clerk.locator("#unsent").is_visible()
    screenshot(clerk, "checkin-clerk-offline")
    assert not LedgerEntry.objects.filter(holder=walk_in).exists()
    context.set_offline(False)
    clerk.locator("#unsent-list").get_by_role("button", name="Retry").click()
    result.filter(has_text="Wally Walkin").wait_for()
    assert clerk.locator("#unsent").is_hidden()
    assert LedgerEntry.objects.filter(holder=walk_in, state=EntryState.VERIFIED).count() == 1

    # Harriet sees the pre-verified CEC in her ledger at once.
    harriet.goto(f"{live_server.url}/cec/")
    row = harriet.locator(f"tr[data-entry='{entry.pk}']")
    text = row.inner_text()
    assert "Expo: Marketing Trends" in text and "Expo class" in text
    assert "1.50" in text and "Verified" in text
    screenshot(harriet, "checkin-holder-ledger")
    assert not refused_by_csp, refused_by_csp  # the scanner page passes the CSP too
