"""Hostile input to the holder's CEC forms (the Reporting Form and the submission) never
gives a server error and never half-saves."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cec.models import Evidence, ReportingForm, Submission
from tests.factories import HolderFactory
from tests.factories.cec_forms import pdf_bytes

pytestmark = pytest.mark.django_db

VALID = {
    "activity_type": "committee",
    "title": "AASC Education Committee",
    "organiser": "AASC",
    "started_on": "2026-06-10",
    "ended_on": "",
    "hours_claimed": "2",
    "description": "Monthly meeting.",
}

hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "-1",
            "1e309",
            "99999999999999999999",
            "NaN",
            "0.001",
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "\x00",
            "‮",
            "' OR 1=1 --",
        ]
    ),
)

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(field=st.sampled_from(sorted(VALID)), value=hostile, send=st.booleans())
def test_hostile_reporting_form_input_never_errors_and_stores_all_or_nothing(field, value, send):
    holder = HolderFactory()
    client = Client()
    client.force_login(holder)
    data = {**VALID, field: value}
    if send:
        data["send"] = "1"
    data["evidence"] = SimpleUploadedFile("letter.pdf", pdf_bytes(), "application/pdf")

    response = client.post(reverse("cec_forms:create"), data)

    assert response.status_code in (200, 302)
    forms = ReportingForm.objects.filter(holder=holder)
    if response.status_code == 200:
        # Refused: a message beside the field, nothing stored.
        assert "is-invalid" in response.content.decode() or "alert" in response.content.decode()
        assert not forms.exists()
        assert not Evidence.objects.filter(form__holder=holder).exists()
    else:
        assert forms.count() == 1
        assert forms.get().evidence.count() == 1


@FUZZ
@given(entries=st.lists(hostile, max_size=5))
def test_hostile_submission_input_never_errors(entries):
    holder = HolderFactory()
    client = Client()
    client.force_login(holder)
    response = client.post(reverse("cec_submission:start"), {"entries": entries})
    assert response.status_code in (200, 302)
    assert not Submission.objects.filter(renewal__holder=holder).exists()
