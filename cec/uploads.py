"""Evidence files for Reporting Forms: checked by content and size before anything is
stored (SPEC: bad input), stored under a name the portal chooses, outside static, and
served only through a view that checks who is asking."""

from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

# What the content says -> the extension the stored file gets.
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
HEADER_BYTES = 8192
MAX_FILES_PER_FORM = 10


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


def extension_for(content_type: str) -> str:
    return ALLOWED_TYPES.get(content_type, "")


def _display_name(name: str) -> str:
    # Only the last path part, printable, at most 200 characters: it is shown, never used
    # as a path.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "file")[:200]
