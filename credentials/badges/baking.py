"""Baked badges (Open Badges 3.0, section "Baking"): an SVG image that carries the signed
credential in an <openbadges:credential> element, and getting it back out."""

from __future__ import annotations

import json
import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from credentials.models import Credential

_BAKED = re.compile(
    r"<openbadges:credential[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</openbadges:credential>", re.S
)


def bake_svg(credential: Credential, badge: dict) -> str:
    text = json.dumps(badge, ensure_ascii=False).replace("]]>", "]]]]><![CDATA[>")
    through = credential.valid_through
    return render_to_string(
        "badges/badge.svg",
        {
            "baked": mark_safe(text),  # inside CDATA; "]]>" split above
            "code": credential.credential_type.code,
            "name": credential.credential_type.name,
            "number": credential.number,
            "valid_line": f"Valid through {through:%b %-d, %Y}" if through else "Lifetime",
        },
    )


def unbake(text: str) -> str | None:
    """The credential JSON baked in an SVG, or None if `text` is not a baked SVG."""
    match = _BAKED.search(text)
    return match.group(1).replace("]]]]><![CDATA[>", "]]>") if match else None
