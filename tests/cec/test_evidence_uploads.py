"""Evidence files: PDF, JPEG or PNG judged by content, at most 10 MB, never empty;
anything else refused with a clear message and nothing stored; stored under our name,
outside static, and served only to the holder, AASC staff and NAAEI reviewers."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cec.models import Evidence, FormState, ReportingForm
from cec.uploads import check_evidence
from tests.factories import (
    EvidenceFactory,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("cec_forms:create")


def form_data(**files):
    return {
        "activity_type": "expo_class",
        "title": "Expo: Smart leasing",
        "organiser": "AASC Expo",
        "started_on": "2026-04-22",
        "ended_on": "",
        "hours_claimed": "1.5",
        "description": "",
        "save": "1",
        **files,
    }


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "name,content,mime",
    [
        ("letter.pdf", pdf_bytes(), "application/pdf"),
        ("photo.jpg", jpeg_bytes(), "image/jpeg"),
        ("badge.png", png_bytes(), "image/png"),
    ],
)
def test_pdf_jpeg_and_png_evidence_are_accepted(holder_client, holder, name, content, mime):
    response = holder_client.post(
        CREATE, form_data(evidence=SimpleUploadedFile(name, content, "application/octet-stream"))
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(form__holder=holder)
    assert evidence.content_type == mime
    assert evidence.original_name == name
    assert evidence.size_bytes == len(content)
    assert evidence.file.read() == content


def test_several_evidence_files_are_accepted_at_once(holder_client, holder):
    response = holder_client.post(
        CREATE,
        form_data(
            evidence=[
                SimpleUploadedFile("a.pdf", pdf_bytes()),
                SimpleUploadedFile("b.png", png_bytes()),
            ]
        ),
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(form__holder=holder).count() == 2


@pytest.mark.parametrize(
    "name,content",
    [
        ("certificate.pdf", b"This is plain text pretending to be a PDF.\n" * 20),
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("scan.png", b"PK\x03\x04" + b"\x00" * 200),  # a ZIP archive
        ("minutes.pdf", b"GIF89a" + b"\x00" * 200),  # a GIF, not one of the three
    ],
)
def test_a_file_of_another_type_with_a_right_extension_is_refused(holder_client, name, content):
    response = holder_client.post(
        CREATE, form_data(evidence=SimpleUploadedFile(name, content, "application/pdf"))
    )
    assert response.status_code == 200
    assert "is not a PDF, JPEG or PNG file" in response.content.decode()
    assert not ReportingForm.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_a_file_over_10_mb_is_refused(holder_client):
    content = pdf_bytes() + b"\x00" * (settings.EVIDENCE_MAX_BYTES + 1 - len(pdf_bytes()))
    assert len(content) == 10 * 1024 * 1024 + 1
    response = holder_client.post(
        CREATE, form_data(evidence=SimpleUploadedFile("big.pdf", content))
    )
    assert response.status_code == 200
    assert "is larger than 10 MB" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_a_file_of_exactly_10_mb_is_accepted():
    content = pdf_bytes() + b"\x00" * (settings.EVIDENCE_MAX_BYTES - len(pdf_bytes()))
    checked = check_evidence(SimpleUploadedFile("big.pdf", content))
    assert checked.size_bytes == settings.EVIDENCE_MAX_BYTES


def test_an_empty_file_is_refused(holder_client):
    response = holder_client.post(CREATE, form_data(evidence=SimpleUploadedFile("empty.pdf", b"")))
    assert response.status_code == 200
    assert "“empty.pdf” is empty" in response.content.decode()
    assert not ReportingForm.objects.exists()
    assert stored_files() == []


def test_one_bad_file_among_good_ones_stores_none(holder_client):
    response = holder_client.post(
        CREATE,
        form_data(
            evidence=[
                SimpleUploadedFile("good.pdf", pdf_bytes()),
                SimpleUploadedFile("bad.pdf", b"not a pdf at all, really"),
            ]
        ),
    )
    assert "“bad.pdf” is not a PDF, JPEG or PNG file" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_the_form_keeps_what_was_typed_when_the_file_is_refused(holder_client):
    response = holder_client.post(
        CREATE, form_data(evidence=SimpleUploadedFile("x.pdf", b"nonsense bytes here"))
    )
    assert 'value="Expo: Smart leasing"' in response.content.decode()


def test_check_evidence_judges_by_content_not_by_name():
    with pytest.raises(ValidationError) as error:
        check_evidence(SimpleUploadedFile("report.pdf", b"%%PDX not really"))
    assert error.value.code == "wrong_type"


def test_the_stored_name_is_not_the_one_the_user_chose(holder_client, holder):
    holder_client.post(
        CREATE,
        form_data(evidence=SimpleUploadedFile("../../static/evil.png", pdf_bytes())),
    )
    evidence = Evidence.objects.get()
    stored = Path(evidence.file.path)
    assert evidence.original_name == "evil.png"
    assert "evil" not in stored.name
    assert stored.suffix == ".pdf"  # from the content, not the name
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT) / "evidence" / str(holder.pk))
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT))


# --- who may download ------------------------------------------------------------------


def test_the_holder_downloads_their_evidence(holder_client, holder):
    evidence = EvidenceFactory(form__holder=holder)
    response = holder_client.get(reverse("cec_forms:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_another_holder_cannot_download_the_evidence(other_holder_client, holder):
    evidence = EvidenceFactory(form__holder=holder)
    response = other_holder_client.get(reverse("cec_forms:evidence", args=[evidence.pk]))
    assert response.status_code == 404


def test_aasc_staff_download_evidence_of_any_form(staff_client, holder):
    evidence = EvidenceFactory(form__holder=holder, form__state=FormState.SENT)
    response = staff_client.get(reverse("cec_forms:evidence", args=[evidence.pk]))
    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in_for_evidence(client, holder):
    evidence = EvidenceFactory(form__holder=holder)
    response = client.get(reverse("cec_forms:evidence", args=[evidence.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_evidence_is_not_served_from_media_url(client, holder):
    evidence = EvidenceFactory(form__holder=holder)
    response = client.get(f"{settings.MEDIA_URL}{evidence.file.name}")
    assert response.status_code == 404
