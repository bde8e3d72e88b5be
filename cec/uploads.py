"""Evidence files for Reporting Forms: checked by content and size before anything is
stored (SPEC: bad input), stored under a name the portal chooses, outside static, and
served only through a view that checks who is asking."""

import datetime as dt
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from cec.evidence_types import ALLOWED_TYPES, extension_for  # noqa: F401 (re-exported)
from cec.models import Evidence

# What the content says -> the extension the stored file gets.
HEADER_BYTES = 8192


@dataclass(frozen=True)
class CheckedUpload:
    file: object  # the UploadedFile, rewound
    original_name: str
    content_type: str
    size_bytes: int


def max_megabytes() -> int:
    return settings.EVIDENCE_MAX_BYTES // (1024 * 1024)


def check_evidence(upload) -> CheckedUpload:
    """Accept a PDF, JPEG or PNG (judged by its bytes, not its name) of at most
    EVIDENCE_MAX_BYTES; anything else raises ValidationError with a plain message."""
    name = _display_name(getattr(upload, "name", "") or "file")
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError(f"“{name}” is empty. Choose the file again.", code="empty")
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            f"“{name}” is larger than {max_megabytes()} MB. "
            "Scan or export it at a lower resolution and try again.",
            code="too_large",
        )
    upload.seek(0)
    header = upload.read(HEADER_BYTES)
    upload.seek(0)
    kind = filetype.guess(header)
    mime = kind.mime if kind else ""
    if mime not in ALLOWED_TYPES:
        raise ValidationError(
            f"“{name}” is not a PDF, JPEG or PNG file. Evidence must be one of those "
            "(a renamed file of another kind is refused).",
            code="wrong_type",
        )
    return CheckedUpload(file=upload, original_name=name, content_type=mime, size_bytes=size)


# --- What one holder may store (issue 15 item 7) -----------------------------------------


def max_files_per_form() -> int:
    return settings.EVIDENCE_MAX_FILES_PER_FORM


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")


def evidence_bytes_in_year(holder_id, year: int) -> int:
    """How many bytes of evidence the holder has stored that were uploaded in `year`."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    total = Evidence.objects.filter(
        form__holder_id=holder_id, uploaded_at__gte=start, uploaded_at__lt=end
    ).aggregate(total=Sum("size_bytes"))["total"]
    return total or 0


def check_room_for(holder_id, form, uploads) -> None:
    """Refuse, with what to do instead, evidence that would carry a form past
    EVIDENCE_MAX_FILES_PER_FORM files or the holder's uploads of this year past
    EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR bytes."""
    uploads = list(uploads)
    if not uploads:
        return
    limit = max_files_per_form()
    already = form.evidence.count() if form is not None and form.pk else 0
    if already + len(uploads) > limit:
        room = max(0, limit - already)
        more = (
            f"it has {already}, so choose at most {room} more"
            if room
            else f"it has {already}: remove one before adding another"
        )
        raise ValidationError(
            f"A form can carry at most {limit} evidence files; {more}.", code="too_many_files"
        )
    year = timezone.localdate().year
    allowance = settings.EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR
    stored = evidence_bytes_in_year(holder_id, year)
    adding = sum(upload.size_bytes for upload in uploads)
    if stored + adding > allowance:
        raise ValidationError(
            f"Your evidence files uploaded in {year} take {_megabytes(stored)} of the "
            f"{_megabytes(allowance)} a holder can store in a year, and these files "
            f"({_megabytes(adding)}) do not fit. Remove files you no longer need from your "
            "draft forms, or attach smaller scans.",
            code="year_allowance",
        )


def _display_name(name: str) -> str:
    # Only the last path part, printable, at most 200 characters: it is shown, never used
    # as a path.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "file")[:200]
