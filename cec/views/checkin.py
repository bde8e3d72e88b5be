"""Expo check-in pages.

/me/checkin/ shows the signed-in person their own daily code. /checkin/... is for AASC
staff only (holders and reviewers get 403): today's event sessions, a session's phone
scanner page, the JSON endpoint each scan posts to, and the session's attendance CSV.
"""

import json
from functools import wraps

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cec.models import CheckInMethod, ClassSession, Event
from cec.selectors import checkin as selectors
from cec.services import checkin as services
from renewal_portal.infra.downloads import download

# A scan is a code of at most a few hundred bytes; anything bigger is not a scan.
MAX_SCAN_BYTES = 2048


def staff_only(view):
    """Signed-in AASC staff only: everyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        services.require_checkin_staff(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def qr_svg(text: str) -> str:
    """The QR code as inline SVG markup (no data: URI, no script), scaled by CSS."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(text)
    svg = qr.make_image().to_string(encoding="unicode")
    svg = svg[svg.index("<svg") :]
    label = '<svg class="checkin-qr" role="img" aria-label="Your check-in QR code" '
    return svg.replace("<svg ", label, 1)


@never_cache
@login_required
@require_GET
def my_code(request):
    """The holder's code for each event on today, to show at the door."""
    today = timezone.localdate()
    codes = [services.code_for(request.user, event, today) for event in services.events_on(today)]
    upcoming = Event.objects.filter(starts_on__gt=today).order_by("starts_on")[:5]
    context = {
        "today": today,
        "codes": [{"code": code, "svg": mark_safe(qr_svg(code.qr_text))} for code in codes],
        "upcoming": upcoming,
    }
    response = render(request, "cec/checkin/my_code.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@staff_only
@require_GET
def sessions_today(request):
    today = timezone.localdate()
    return render(
        request,
        "cec/checkin/sessions.html",
        {"today": today, "sessions": selectors.event_sessions_on(today)},
    )


def _session_or_404(pk):
    return get_object_or_404(
        ClassSession.objects.select_related("course", "event").filter(event__isnull=False), pk=pk
    )


@never_cache
@staff_only
@require_http_methods(["GET", "POST"])
def scanner(request, pk):
    """The phone page: camera scanner and typed-code form. Without JavaScript the typed
    form posts here and the result comes back as a message."""
    session = _session_or_404(pk)
    if request.method == "POST":
        try:
            result = services.check_in(
                session, request.POST.get("code", ""), by=request.user, method=CheckInMethod.TYPED
            )
        except services.CheckInRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, result.message)
        return redirect("checkin:scanner", pk=session.pk)
    try:
        services.check_session_open(session)
        closed_reason = ""
    except services.CheckInRefused as refused:
        closed_reason = refused.message
    attendances = list(selectors.session_attendances(session))
    return render(
        request,
        "cec/checkin/scanner.html",
        {
            "session": session,
            "closed_reason": closed_reason,
            "attendances": attendances[:50],
            "attendance_count": len(attendances),
        },
    )


def _json(status, outcome, message, **extra):
    return JsonResponse({"outcome": outcome, "message": message, **extra}, status=status)


@never_cache
@staff_only
@require_POST
def scan(request, pk):
    """One scan: {"code": "...", "method": "camera"|"typed"} in, the outcome out. Safe to
    send again: a holder already checked in is reported as such, nothing changes."""
    session = _session_or_404(pk)
    if len(request.body) > MAX_SCAN_BYTES:
        return _json(400, "refused", "This is not a check-in code.", reason="too_big")
    try:
        data = json.loads(request.body or b"{}")
        code = data.get("code", "") if isinstance(data, dict) else ""
        method = data.get("method", CheckInMethod.CAMERA) if isinstance(data, dict) else ""
    except (ValueError, UnicodeDecodeError):
        message = "The scan could not be read: send it again."
        return _json(400, "refused", message, reason="bad_request")
    if not isinstance(code, str) or not isinstance(method, str):
        return _json(400, "refused", "This is not a check-in code.", reason="bad_request")
    try:
        result = services.check_in(session, code, by=request.user, method=method)
    except services.CheckInRefused as refused:
        status = 429 if refused.reason == "throttled" else 422
        return _json(status, "refused", refused.message, reason=refused.reason)
    except PermissionDenied:
        raise
    return _json(
        200 if result.already else 201,
        "already" if result.already else "checked_in",
        result.message,
        name=result.holder_name,
        hours=str(result.entry.hours),
        count=session.attendances.count(),
    )


@staff_only
@require_GET
def attendance_csv(request, pk):
    session = _session_or_404(pk)
    return download(
        selectors.session_attendance_csv(session),
        filename=selectors.csv_filename(session),
        content_type="text/csv",
    )
