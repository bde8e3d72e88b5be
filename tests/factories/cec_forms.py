import datetime as dt
import struct
import zlib
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from cec.models import ActivityType, Evidence, FormState, ReportingForm, Submission

from .credentials import HolderFactory, RenewalFactory

__all__ = [
    "EvidenceFactory",
    "ReportingFormFactory",
    "SubmissionFactory",
    "jpeg_bytes",
    "pdf_bytes",
    "png_bytes",
    "sent_form",
    "verified_form",
]


def pdf_bytes(text="Certificate of attendance") -> bytes:
    """A small, valid one-page PDF."""
    stream = f"BT /F1 18 Tf 20 50 Td ({text}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 400 100]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(width=2, height=2) -> bytes:
    """A small, valid PNG (grey pixels)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """Enough of a JPEG (JFIF header) for a content check."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


class ReportingFormFactory(factory.django.DjangoModelFactory):
    """A draft form for two hours of committee service in 2026; `sent=True` or
    `returned=True` set the state directly (use cec.services.forms for real moves)."""

    class Meta:
        model = ReportingForm

    class Params:
        sent = factory.Trait(state=FormState.SENT, sent_at=factory.LazyFunction(timezone.now))
        returned = factory.Trait(
            state=FormState.RETURNED,
            sent_at=factory.LazyFunction(timezone.now),
            return_reason="Attach the attendance letter.",
        )

    holder = factory.SubFactory(HolderFactory)
    activity_type = ActivityType.COMMITTEE
    title = factory.Sequence(lambda n: f"AASC Education Committee meeting {n}")
    organiser = "AASC"
    started_on = dt.date(2026, 6, 10)
    hours_claimed = Decimal("2.00")
    description = "Monthly committee meeting."
    state = FormState.DRAFT


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A stored PDF evidence file of a form."""

    class Meta:
        model = Evidence

    form = factory.SubFactory(ReportingFormFactory)
    original_name = "attendance-letter.pdf"
    content_type = "application/pdf"
    file = factory.LazyAttribute(lambda o: ContentFile(pdf_bytes(), name=o.original_name))
    size_bytes = factory.LazyAttribute(lambda o: o.file.size)


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A bare submission row waiting for review; pass entries=[...] to attach entries
    (use cec.services.submissions.submit_cecs for a real one)."""

    class Meta:
        model = Submission
        skip_postgeneration_save = True

    renewal = factory.SubFactory(RenewalFactory)
    total_hours = Decimal("8.00")
    in_network_hours = Decimal("6.00")

    @factory.post_generation
    def entries(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.entries.set(extracted)


def sent_form(**kwargs) -> ReportingForm:
    """A form sent to AASC with a PDF evidence file, through the holder's service."""
    from cec.services.forms import send_form

    form = ReportingFormFactory(**kwargs)
    EvidenceFactory(form=form)
    return send_form(form, by=form.holder)


def verified_form(staff, *, in_network=False, note="", **kwargs) -> ReportingForm:
    """A form verified and signed by `staff` through the services (with its ledger entry)."""
    from cec.services.forms import verify_form

    return verify_form(sent_form(**kwargs), by=staff, note=note, in_network=in_network)
