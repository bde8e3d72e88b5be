"""Personal documents (issue 15 items 8 and 14): each download is private (no shared or
browser cache keeps it), each rendered document is rendered once per version of its
content and streamed from storage afterwards, what goes into a render is bounded, and
each person's downloads are rate-limited in the shared cache."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import weasyprint
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from cec.services.ledger import record_attendance
from tests.factories import ClassSessionFactory, ReportingFormFactory, verified_form
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    return build_world()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def renders(monkeypatch):
    """How many PDFs WeasyPrint actually rendered."""
    calls = []
    real = weasyprint.HTML.write_pdf

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counting)
    return calls


# name -> (url from the world, who downloads it)
HOLDER_DOCUMENTS = {
    "invoice PDF": lambda w: reverse("payments:invoice_pdf", args=[w.invoice.number]),
    "receipt PDF": lambda w: reverse("payments:receipt_pdf", args=[w.invoice.number, w.payment.pk]),
    "certificate PDF": lambda w: reverse("cec:certificate", args=[w.entry.pk]),
    "transcript PDF": lambda w: reverse("cec:transcript_pdf", args=[2026]),
    "transcript CSV": lambda w: reverse("cec:transcript_csv", args=[2026]),
    "signed form PDF": lambda w: reverse("cec_forms:signed_pdf", args=[w.form.pk]),
    "evidence file": lambda w: reverse("cec_forms:evidence", args=[w.evidence.pk]),
    "evidence file (download)": lambda w: (
        reverse("cec_forms:evidence", args=[w.evidence.pk]) + "?download=1"
    ),
    "audit packet PDF": lambda w: reverse("credentials:packet_pdf", args=[w.renewal.pk]),
    "audit packet ZIP": lambda w: reverse("credentials:packet_zip", args=[w.renewal.pk]),
}

RENDERED_PDFS = [
    "invoice PDF",
    "receipt PDF",
    "certificate PDF",
    "transcript PDF",
    "signed form PDF",
    "audit packet PDF",
]


# --- Item 14: personal downloads are private ----------------------------------------------


@pytest.mark.parametrize("document", sorted(HOLDER_DOCUMENTS))
def test_every_personal_download_is_private_and_never_stored(world, document):
    response = client_for(world.holder_a).get(HOLDER_DOCUMENTS[document](world))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response)


@pytest.mark.parametrize("document", sorted(HOLDER_DOCUMENTS))
def test_the_office_copy_of_a_personal_download_is_private_too(world, document):
    if document.startswith("transcript"):
        pytest.skip("A transcript is always the signed-in person's own.")
    response = client_for(world.staff).get(HOLDER_DOCUMENTS[document](world))
    assert response.status_code == 200
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_the_session_attendance_csv_export_is_private(world):
    from tests.factories.checkin import ExpoSessionFactory

    session = ExpoSessionFactory()
    response = client_for(world.staff).get(reverse("checkin:attendance_csv", args=[session.pk]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_packet_build_archive_is_private(world, django_capture_on_commit_callbacks):
    from credentials.models import PacketBuild, Renewal
    from renewal_portal.composition.packets.services import start_packet_build

    superuser = type(world.staff).objects.create_superuser(
        email="root@example.org", password="x-long-password-1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        build = start_packet_build(Renewal.objects.filter(pk=world.renewal.pk), by=superuser)
    build.refresh_from_db()
    assert build.status == PacketBuild.Status.DONE
    response = client_for(superuser).get(
        reverse("admin:credentials_packetbuild_archive", args=[build.pk])
    )
    assert response.status_code == 200
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


# --- Item 8: a rendered document is kept until its content changes ------------------------


@pytest.mark.parametrize("document", RENDERED_PDFS)
def test_a_document_downloaded_again_is_not_rendered_again(world, renders, document):
    client = client_for(world.holder_a)
    url = HOLDER_DOCUMENTS[document](world)
    first = body(client.get(url))
    rendered = len(renders)
    assert rendered >= 1
    for _ in range(3):
        assert body(client.get(url)) == first
    assert len(renders) == rendered


def test_a_changed_name_makes_a_new_invoice_and_receipt(world, renders):
    client = client_for(world.holder_a)
    invoice_url = HOLDER_DOCUMENTS["invoice PDF"](world)
    receipt_url = HOLDER_DOCUMENTS["receipt PDF"](world)
    client.get(invoice_url)
    client.get(receipt_url)
    before = len(renders)
    holder = world.holder_a
    holder.first_name, holder.last_name = "Quincy", "Renamed"
    holder.save()
    invoice = pdf_text(body(client.get(invoice_url)))
    receipt = pdf_text(body(client.get(receipt_url)))
    assert "Quincy Renamed" in invoice
    assert "Quincy Renamed" in receipt
    assert len(renders) == before + 2


def test_a_new_entry_makes_a_new_transcript_and_a_new_name_a_new_packet(world, renders):
    client = client_for(world.holder_a)
    transcript_url = HOLDER_DOCUMENTS["transcript PDF"](world)
    packet_url = HOLDER_DOCUMENTS["audit packet ZIP"](world)
    client.get(transcript_url)
    first_zip = body(client.get(packet_url))
    session = ClassSessionFactory(date=dt.date(2026, 6, 2), course__title="Late spring class")
    record_attendance(session, world.holder_a, by=world.staff)
    assert "Late spring class" in pdf_text(body(client.get(transcript_url)))
    # The packet counts the entries of the submission, which this class is not part of.
    assert body(client.get(packet_url)) == first_zip
    world.holder_a.last_name = "Renamed-Since"
    world.holder_a.save()
    second_zip = body(client.get(packet_url))
    assert second_zip != first_zip
    packet_pdf_name = next(
        n
        for n in zipfile.ZipFile(io.BytesIO(second_zip)).namelist()
        if n.endswith(".pdf") and "evidence" not in n
    )
    pdf = zipfile.ZipFile(io.BytesIO(second_zip)).read(packet_pdf_name)
    assert "Renamed-Since" in pdf_text(pdf)


def test_the_reviewers_copy_of_a_packet_is_never_the_holders_cached_copy(world, renders):
    url = HOLDER_DOCUMENTS["audit packet PDF"](world)
    holder_copy = body(client_for(world.holder_a).get(url))
    reviewer_copy = body(client_for(world.reviewer).get(url))
    assert "pi_world" in pdf_text(holder_copy)
    assert "pi_world" not in pdf_text(reviewer_copy)
    assert body(client_for(world.holder_a).get(url)) == holder_copy


def test_each_document_keeps_only_its_newest_version_in_storage(world, renders):
    from django.core.files.storage import default_storage

    client = client_for(world.holder_a)
    url = HOLDER_DOCUMENTS["invoice PDF"](world)
    client.get(url)
    world.holder_a.first_name = "Other"
    world.holder_a.save()
    client.get(url)
    folder = f"documents/invoice/{world.invoice.pk}"
    assert len(default_storage.listdir(folder)[1]) == 1


def test_the_packet_zip_streams_from_storage_and_is_built_once(world, monkeypatch):
    from renewal_portal.composition.packets import pdf as packet_pdf

    builds = []
    real = packet_pdf.write_packet_zip

    def counting(*args, **kwargs):
        builds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(packet_pdf, "write_packet_zip", counting)
    client = client_for(world.holder_a)
    url = HOLDER_DOCUMENTS["audit packet ZIP"](world)
    responses = [client.get(url) for _ in range(3)]
    assert all(r.streaming for r in responses)
    contents = [body(r) for r in responses]
    assert len(builds) == 1
    assert contents[0] == contents[1] == contents[2]
    names = zipfile.ZipFile(io.BytesIO(contents[0])).namelist()
    assert any(name.endswith(".pdf") for name in names)


# --- Item 8: what goes into a render is bounded ------------------------------------------


def test_a_signed_form_with_a_huge_description_renders_a_short_pdf(holder, staff, settings):
    from cec.form_pdf import signed_form_pdf

    settings.DOCUMENT_TEXT_MAX_CHARS = 500
    # A form filed before descriptions were capped (issue 15 item 7).
    form = verified_form(
        staff, holder=holder, description="Lorem ipsum dolor sit. " * 2000, note="Seen. " * 300
    )
    content = signed_form_pdf(form)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) <= 2
    assert "more characters not shown" in pdf_text(content)


def _verify(form, staff):
    from cec.services.forms import send_form, verify_form
    from tests.factories import EvidenceFactory

    EvidenceFactory(form=form)
    send_form(form, by=form.holder)
    return verify_form(form, by=staff, note="Long note " * 190)


def test_a_signed_form_lists_only_the_latest_history_rows(holder, staff, settings):
    from cec.form_pdf import signed_form_pdf
    from cec.services.forms import update_form

    settings.DOCUMENT_MAX_HISTORY_ROWS = 5
    form = ReportingFormFactory(holder=holder, title="Often edited")
    for hours in range(1, 30):
        update_form(form, by=holder, fields={"hours_claimed": Decimal(hours)})
    form = _verify(form, staff)
    text = pdf_text(signed_form_pdf(form))
    assert "earlier changes not shown" in text
    assert text.count("Edited by the holder") <= 5


# --- Item 8: downloads are rate-limited per person ----------------------------------------


def test_too_many_downloads_answer_429_with_a_friendly_page(world, settings):
    settings.DOCUMENT_DOWNLOADS_PER_WINDOW = 3
    settings.DOCUMENT_DOWNLOAD_WINDOW_SECONDS = 60
    client = client_for(world.holder_a)
    url = HOLDER_DOCUMENTS["certificate PDF"](world)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(reverse("credentials:packet_pdf", args=[world.renewal.pk]))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    page = refused.content.decode()
    assert "Try again in" in page
    assert "private" in refused["Cache-Control"]


RATE_LIMITED = sorted(set(HOLDER_DOCUMENTS) - {"evidence file", "evidence file (download)"})


@pytest.mark.parametrize("document", RATE_LIMITED)
def test_every_rendered_document_counts_towards_the_limit(world, settings, document):
    settings.DOCUMENT_DOWNLOADS_PER_WINDOW = 1
    client = client_for(world.holder_a)
    url = HOLDER_DOCUMENTS[document](world)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


def test_one_persons_downloads_never_block_another(world, settings):
    settings.DOCUMENT_DOWNLOADS_PER_WINDOW = 2
    url = HOLDER_DOCUMENTS["certificate PDF"](world)
    holder = client_for(world.holder_a)
    for _ in range(3):
        holder.get(url)
    assert holder.get(url).status_code == 429
    assert client_for(world.staff).get(url).status_code == 200


def test_the_limit_is_counted_in_the_shared_cache(world, settings):
    settings.DOCUMENT_DOWNLOADS_PER_WINDOW = 2
    url = HOLDER_DOCUMENTS["certificate PDF"](world)
    # Two web workers are two clients with their own sessions; the count is shared.
    first, second = client_for(world.holder_a), client_for(world.holder_a)
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200
    assert first.get(url).status_code == 429


def test_a_changed_template_or_stylesheet_makes_a_new_version(settings, tmp_path):
    from renewal_portal.infra.documents import html_version

    css = tmp_path / "static" / "css" / "document.css"
    css.parent.mkdir(parents=True)
    css.write_text("h1 { color: black; }")
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    html = '<link rel="stylesheet" href="/static/css/document.css"><h1>Invoice</h1>'
    first = html_version(html)
    assert html_version(html) == first
    assert html_version(html.replace("Invoice", "Invoice ")) != first
    css.write_text("h1 { color: darkblue; }")
    assert html_version(html) != first


def test_the_window_starts_at_the_first_download_not_on_the_clocks_minute(world, settings):
    import datetime as dt

    import time_machine

    settings.DOCUMENT_DOWNLOADS_PER_WINDOW = 1
    settings.DOCUMENT_DOWNLOAD_WINDOW_SECONDS = 60
    client = client_for(world.holder_a)
    url = HOLDER_DOCUMENTS["certificate PDF"](world)
    first = dt.datetime(2026, 12, 4, 17, 0, 59, 900000, tzinfo=dt.UTC)
    with time_machine.travel(first, tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(first + dt.timedelta(seconds=0.3), tick=False):
        assert client.get(url).status_code == 429
    with time_machine.travel(first + dt.timedelta(seconds=61), tick=False):
        assert client.get(url).status_code == 200


FILE_RESPONSES = re.compile(r"Content-Disposition|FileResponse|StreamingHttpResponse|as_attachment")


def test_every_file_the_portal_sends_goes_through_the_one_download_helper():
    """Only renewal_portal's downloads module builds a file response (issue 16 item 7);
    the favicon is a static asset, not a personal document."""
    root = Path(__file__).resolve().parents[2]
    others = [
        str(path.relative_to(root))
        for app in ("credentials", "cec", "payments", "renewal_portal")
        for path in (root / app).rglob("*.py")
        if path.name not in ("downloads.py", "favicon.py")
        and FILE_RESPONSES.search(path.read_text())
    ]
    assert others == []
