"""A holder downloads a credential as a digital badge from /credentials/ and an employer
verifies it on the public page, at desktop and phone width (screenshots in
test-artifacts/m/)."""

from pathlib import Path

import pytest

from credentials.badges import keys
from tests.support.portal_world import HOLDER, build_world, sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "m"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page, width):
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_holder_downloads_a_badge_and_an_employer_verifies_it(
    new_page, live_server, settings, tmp_path, size
):
    settings.BADGE_KEY_DIR = str(tmp_path / "badge-keys")
    keys.generate()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    viewport = WIDTHS[size]
    world = build_world()

    holder_page = new_page(viewport=viewport, accept_downloads=True)
    sign_in_by_session(holder_page.context, live_server, world["users"][HOLDER])
    holder_page.goto(live_server.url + "/credentials/")
    links = holder_page.get_by_test_id("badge-links").first
    assert "Add to LinkedIn profile" in links.inner_text()
    holder_page.screenshot(path=str(ARTIFACTS / f"credentials-{size}.png"), full_page=True)
    assert fits(holder_page, viewport["width"])
    with holder_page.expect_download() as download_info:
        links.get_by_role("link", name="Download (JSON)").click()
    badge_path = tmp_path / "badge.json"
    download_info.value.save_as(badge_path)
    with holder_page.expect_download() as svg_info:
        links.get_by_role("link", name="Download badge image (SVG)").click()
    svg_path = tmp_path / "badge.svg"
    svg_info.value.save_as(svg_path)
    if size == "desktop":
        image = new_page(viewport={"width": 420, "height": 420})
        image.set_content(svg_path.read_text().split("?>", 1)[1])
        image.screenshot(path=str(ARTIFACTS / "badge-svg.png"))

    employer = new_page(viewport=viewport)
    employer.goto(live_server.url + "/badges/verify/")
    employer.get_by_label("Paste the credential (JSON)").fill(badge_path.read_text())
    employer.get_by_role("button", name="Verify").click()
    verdict = employer.get_by_test_id("verdict")
    assert verdict.get_attribute("data-status") == "valid"
    assert "Valid: issued by the office" in verdict.inner_text()
    employer.screenshot(path=str(ARTIFACTS / f"verify-{size}.png"), full_page=True)
    assert fits(employer, viewport["width"])
