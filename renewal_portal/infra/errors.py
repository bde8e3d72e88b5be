"""The portal's own error pages: 403, 404, 500 and a failed CSRF check in the portal's
layout, and the page an unknown or forged verification link opens.

Django renders templates/403.html, 404.html and 500.html itself; the CSRF failure view
is CSRF_FAILURE_VIEW. A public verification link (a certificate's or an audit packet's
QR code) that matches nothing answers 404 with a page that says so in plain words, for
the employer or auditor who scanned it.
"""

import uuid

from django.shortcuts import render


def parse_token(token) -> uuid.UUID | None:
    """A verification token as a UUID, or None when it is not one (a forged link)."""
    if isinstance(token, uuid.UUID):
        return token
    try:
        return uuid.UUID(str(token))
    except ValueError:
        return None


def not_verified(request, document: str):
    """404: the certificate or audit packet a verification link points to is not on record."""
    response = render(request, "verification_failed.html", {"document": document}, status=404)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# What each restricted area is for, when the refusal itself gives no reason.
AREA_NOTES = (
    ("/admin/", "The office admin is for AASC staff."),
    ("/review/", "The review queue is for NAAEI reviewers."),
    ("/checkin/", "Expo check-in is for AASC staff."),
)


def permission_denied(request, exception=None):
    """403 in the portal's layout, with the reason (every PermissionDenied in the portal
    is a plain sentence meant for the person refused) or what the area is for."""
    reason = str(exception or "")
    if not reason:
        reason = next((note for prefix, note in AREA_NOTES if request.path.startswith(prefix)), "")
    return render(request, "403.html", {"reason": reason}, status=403)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token, usually from a page left open too long."""
    return render(request, "403_csrf.html", status=403)
