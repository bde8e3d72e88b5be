"""What the holder's credentials page offers for each credential: the badge download and
LinkedIn's "add a certification" link, which points employers at our verification page."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from credentials import sites
from credentials.models import Credential, OfficeContact

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class BadgeLinks:
    download_url: str
    svg_url: str
    linkedin_url: str


def verify_page_url() -> str:
    return settings.SITE_URL + reverse("badges:verify")


def linkedin_url(credential: Credential, organisation: str | None = None) -> str:
    """LinkedIn's add-certification form, filled in: name, organisation, issue and expiry
    month, credential id and the verification URL."""
    credential_type = credential.credential_type
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{credential_type.name} ({credential_type.code})",
        "organizationName": organisation or sites.office_name(OfficeContact),
        "issueYear": credential.earned_on.year,
        "issueMonth": credential.earned_on.month,
        "certId": credential.number,
        "certUrl": verify_page_url(),
    }
    if credential.valid_through is not None:
        params["expirationYear"] = credential.valid_through.year
        params["expirationMonth"] = credential.valid_through.month
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def links_for(credentials, organisation: str | None = None) -> list[BadgeLinks]:
    """The links of each credential, in order (the office's name looked up once, unless
    given)."""
    organisation = organisation or sites.office_name(OfficeContact)
    return [
        BadgeLinks(
            download_url=reverse("badges:download", args=[credential.badge_id]),
            svg_url=reverse("badges:download_svg", args=[credential.badge_id]),
            linkedin_url=linkedin_url(credential, organisation),
        )
        for credential in credentials
    ]


def verify_page_qr_svg() -> SafeString:
    """A QR code of the verification page's address, as inline SVG (no script, no data
    URI), for holders to show an employer."""
    return _qr_svg_of(verify_page_url())


# Drawing the code cost more than half of the credentials page (issue 19); it depends on
# the address alone, which changes with a deploy, so each process draws it once.
@functools.lru_cache(maxsize=8)
def _qr_svg_of(url: str) -> SafeString:
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(url)
    svg = qr.make_image().to_string(encoding="unicode")
    svg = svg[svg.index("<svg") :]
    label = (
        '<svg style="width: 100%; height: auto; display: block" role="img" '
        'aria-label="QR code of the verification page" '
    )
    return mark_safe(svg.replace("<svg ", label, 1))  # made by qrcode from our own URL
