"""The holder downloads each credential as a badge and adds it to LinkedIn from
/credentials/; anyone verifies a pasted or uploaded badge on the public page."""

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credentials.badges import links, verify
from tests.factories import CredentialFactory, credential_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def cam(holder):
    return CredentialFactory(
        holder=holder,
        credential_type=credential_type("CAM"),
        number="CAM-550101",
        earned_on=dt.date(2019, 5, 1),
        valid_through=dt.date(2026, 12, 31),
    )


def download(client, credential):
    return client.get(reverse("badges:download", args=[credential.badge_id]))


def test_the_credentials_page_offers_the_badge_and_linkedin(holder_client, cam):
    page = holder_client.get(reverse("credentials:credentials")).content.decode()
    assert reverse("badges:download", args=[cam.badge_id]) in page
    assert "Add to LinkedIn profile" in page
    assert 'aria-label="QR code of the verification page"' in page


def test_the_linkedin_link_carries_name_office_dates_id_and_verification_url(holder_client, cam):
    response = holder_client.get(reverse("credentials:credentials"))
    link = next(
        badge.linkedin_url
        for _, badge in response.context["rows_with_badges"]
        if badge.download_url.endswith(f"{cam.badge_id}/badge.json")
    )
    parts = urlsplit(link)
    assert parts.netloc == "www.linkedin.com" and parts.path == "/profile/add"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["startTask"] == "CERTIFICATION_NAME"
    assert "(CAM)" in query["name"]
    assert query["certId"] == "CAM-550101"
    assert (query["issueYear"], query["issueMonth"]) == ("2019", "5")
    assert (query["expirationYear"], query["expirationMonth"]) == ("2026", "12")
    assert query["certUrl"].endswith("/badges/verify/")
    assert query["organizationName"]


def test_the_holder_downloads_their_badge_as_json(holder_client, cam, issuer_key):
    response = download(holder_client, cam)
    assert response.status_code == 200
    assert 'attachment; filename="CAM-CAM-550101.json"' == response["Content-Disposition"]
    badge = json.loads(response.content)
    assert badge["credentialSubject"]["id"] == f"urn:uuid:{cam.badge_id}"
    assert verify.verify(badge).status in (verify.VALID, verify.EXPIRED)


def test_nobody_else_downloads_a_holders_badge(other_holder_client, staff_client, cam, issuer_key):
    assert download(other_holder_client, cam).status_code == 404
    assert download(staff_client, cam).status_code == 404


def test_the_verify_page_says_a_pasted_badge_is_valid(client, cam, issuer_key, holder_client):
    text = download(holder_client, cam).content.decode()
    with_clock = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(with_clock, tick=False):
        response = client.post(reverse("badges:verify"), {"credential": text})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in page
    assert "Valid: issued by the office, unchanged, current and not suspended." in page
    assert "valid through December 31, 2026" in page


def test_the_verify_page_says_a_changed_badge_is_tampered(client, cam, issuer_key, holder_client):
    text = download(holder_client, cam).content.decode().replace("CAM-550101", "CAM-550109")
    upload = SimpleUploadedFile("badge.json", text.encode(), content_type="application/json")
    page = client.post(reverse("badges:verify"), {"upload": upload}).content.decode()
    assert 'data-status="tampered"' in page
    assert "Tampered: the contents do not match the issuer" in page


def test_the_verify_page_explains_empty_or_garbled_input(client):
    page = client.post(reverse("badges:verify"), {}).content.decode()
    assert "Paste a credential or choose its file." in page
    page = client.post(reverse("badges:verify"), {"credential": "{oops"}).content.decode()
    assert "Not a credential this page can read." in page


def test_the_holder_downloads_a_baked_svg_badge_that_verifies_when_uploaded(
    client, holder_client, other_holder_client, cam, issuer_key
):
    url = reverse("badges:download_svg", args=[cam.badge_id])
    assert other_holder_client.get(url).status_code == 404
    response = holder_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "<openbadges:credential><![CDATA[" in svg
    assert "Valid through Dec 31, 2026" in svg
    upload = SimpleUploadedFile("badge.svg", svg.encode(), content_type="image/svg+xml")
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        page = client.post(reverse("badges:verify"), {"upload": upload}).content.decode()
    assert 'data-status="valid"' in page


def test_the_qr_code_is_drawn_from_the_verification_address_of_the_deploy(
    holder_client, cam, settings
):
    """Drawn once per process and address (issue 19): another SITE_URL, another code."""
    first = links.verify_page_qr_svg()
    assert first in holder_client.get(reverse("credentials:credentials")).content.decode()
    settings.SITE_URL = "https://renewals.example.net"
    assert links.verify_page_qr_svg() != first
    assert links.verify_page_qr_svg() == links._qr_svg_of(links.verify_page_url())
