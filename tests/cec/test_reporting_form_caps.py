"""What one holder can make the portal store is bounded (issue 15 item 7): draft Reporting
Forms, the length of what they type, evidence files per form and evidence bytes per year.
Each limit is a setting; reaching it answers a clear message next to the field (or at the
top of the form) and stores nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cec.models import Evidence, FormState, ReportingForm
from cec.services.forms import create_form, return_form, update_form, verify_form
from cec.uploads import check_evidence
from tests.factories import pdf_bytes, sent_form

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.clock(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)),
]

CREATE = reverse("cec_forms:create")
FIELDS = {
    "activity_type": "expo_class",
    "title": "Expo: Smart leasing",
    "organiser": "AASC Expo",
    "started_on": dt.date(2026, 4, 22),
    "ended_on": None,
    "hours_claimed": Decimal("1.50"),
    "description": "",
}


def page_data(**overrides):
    data = {
        "activity_type": "expo_class",
        "title": "Expo: Smart leasing",
        "organiser": "AASC Expo",
        "started_on": "2026-04-22",
        "ended_on": "",
        "hours_claimed": "1.5",
        "description": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def upload(name="letter.pdf", padding=0):
    content = pdf_bytes() + b"%" + b"x" * padding + b"\n"
    return SimpleUploadedFile(name, content, "application/pdf")


def checked(name="letter.pdf", padding=0):
    return check_evidence(upload(name, padding))


# --- Drafts ------------------------------------------------------------------------------


def test_a_holder_keeps_at_most_the_set_number_of_drafts(holder, settings):
    settings.REPORTING_FORM_MAX_DRAFTS = 3
    for _ in range(3):
        create_form(holder=holder, fields=FIELDS)
    with pytest.raises(ValidationError, match="You have 3 draft forms"):
        create_form(holder=holder, fields=FIELDS)
    assert ReportingForm.objects.filter(holder=holder).count() == 3


def test_the_draft_limit_is_twenty_by_default(settings):
    from django.conf import settings as live

    assert live.REPORTING_FORM_MAX_DRAFTS == 20


def test_the_form_page_says_the_draft_limit_is_reached_and_saves_nothing(
    holder, holder_client, settings
):
    settings.REPORTING_FORM_MAX_DRAFTS = 2
    for _ in range(2):
        create_form(holder=holder, fields=FIELDS)
    response = holder_client.post(CREATE, page_data(title="One draft too many"))
    assert response.status_code == 200
    assert "You have 2 draft forms, the most one person can keep." in response.content.decode()
    assert not ReportingForm.objects.filter(title="One draft too many").exists()


def test_a_sent_form_frees_a_draft_place(holder, settings):
    settings.REPORTING_FORM_MAX_DRAFTS = 1
    sent_form(holder=holder)
    create_form(holder=holder, fields=FIELDS)
    assert ReportingForm.objects.filter(holder=holder, state=FormState.DRAFT).count() == 1


def test_one_holders_drafts_do_not_count_for_another(holder, other_holder, settings):
    settings.REPORTING_FORM_MAX_DRAFTS = 1
    create_form(holder=holder, fields=FIELDS)
    assert create_form(holder=other_holder, fields=FIELDS).pk


# --- Text lengths ------------------------------------------------------------------------


def test_the_description_is_capped_next_to_the_field(holder, holder_client):
    response = holder_client.post(CREATE, page_data(description="x" * 2001))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "description" in errors
    assert "at most 2,000 characters (it has 2,001)" in errors["description"][0]
    assert not ReportingForm.objects.filter(holder=holder).exists()


def test_a_description_at_the_limit_is_kept(holder, holder_client):
    response = holder_client.post(CREATE, page_data(description="x" * 2000))
    assert response.status_code == 302
    assert len(ReportingForm.objects.get(holder=holder).description) == 2000


def test_the_description_box_tells_the_browser_its_limit(holder_client):
    page = holder_client.get(CREATE).content.decode()
    assert 'maxlength="2000"' in page
    assert "At most 2,000 characters" in page


def test_the_description_limit_is_a_setting(holder, holder_client, settings):
    settings.REPORTING_FORM_TEXT_MAX_CHARS = 50
    response = holder_client.post(CREATE, page_data(description="x" * 51))
    assert "at most 50 characters" in response.context["form"].errors["description"][0]


def test_the_services_refuse_an_overlong_description(holder):
    with pytest.raises(ValidationError, match="at most 2,000 characters"):
        create_form(holder=holder, fields={**FIELDS, "description": "x" * 800_000})
    form = create_form(holder=holder, fields=FIELDS)
    with pytest.raises(ValidationError, match="at most 2,000 characters"):
        update_form(form, by=holder, fields={"description": "x" * 2001})
    form.refresh_from_db()
    assert form.description == ""


def test_the_services_refuse_an_overlong_title(holder):
    with pytest.raises(ValidationError):
        create_form(holder=holder, fields={**FIELDS, "title": "x" * 201})


def test_the_signing_note_and_the_return_reason_are_capped(holder, staff):
    form = sent_form(holder=holder)
    with pytest.raises(ValidationError, match="at most 2,000 characters"):
        verify_form(form, by=staff, note="n" * 2001)
    with pytest.raises(ValidationError, match="at most 2,000 characters"):
        return_form(form, by=staff, reason="r" * 2001)
    form.refresh_from_db()
    assert form.state == FormState.SENT


def test_the_model_refuses_an_overlong_description(holder):
    form = ReportingForm(holder=holder, state=FormState.DRAFT, **FIELDS)
    form.description = "x" * 2001
    with pytest.raises(ValidationError) as refused:
        form.full_clean()
    assert "description" in refused.value.message_dict


# --- Evidence files per form -------------------------------------------------------------


def test_a_form_carries_at_most_five_evidence_files(holder):
    form = create_form(holder=holder, fields=FIELDS, evidence=[checked() for _ in range(5)])
    with pytest.raises(ValidationError, match="at most 5 evidence files"):
        update_form(form, by=holder, fields={}, evidence=[checked()])
    assert form.evidence.count() == 5


def test_the_page_says_how_many_more_files_fit_next_to_the_field(holder, holder_client):
    form = create_form(holder=holder, fields=FIELDS, evidence=[checked() for _ in range(3)])
    response = holder_client.post(
        reverse("cec_forms:edit", args=[form.pk]),
        page_data(evidence=[upload("a.pdf"), upload("b.pdf"), upload("c.pdf")]),
    )
    assert response.status_code == 200
    message = response.context["form"].errors["evidence"][0]
    assert "at most 5 evidence files; it has 3, so choose at most 2 more" in message
    assert form.evidence.count() == 3


def test_six_files_at_once_are_refused_next_to_the_field(holder, holder_client):
    response = holder_client.post(CREATE, page_data(evidence=[upload() for _ in range(6)]))
    assert response.status_code == 200
    assert "at most 5 evidence files" in response.context["form"].errors["evidence"][0]
    assert not Evidence.objects.exists()


def test_the_files_per_form_limit_is_a_setting(holder, settings):
    settings.EVIDENCE_MAX_FILES_PER_FORM = 1
    form = create_form(holder=holder, fields=FIELDS, evidence=[checked()])
    with pytest.raises(ValidationError, match="at most 1 evidence files"):
        update_form(form, by=holder, fields={}, evidence=[checked()])


# --- Evidence bytes per holder and year --------------------------------------------------


def test_a_holders_evidence_of_a_year_is_capped(holder, settings):
    settings.EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR = 3000
    form = create_form(holder=holder, fields=FIELDS, evidence=[checked(padding=1000)])
    other = create_form(holder=holder, fields=FIELDS, evidence=[checked(padding=500)])
    stored = sum(Evidence.objects.values_list("size_bytes", flat=True))
    with pytest.raises(ValidationError, match="do not fit"):
        update_form(other, by=holder, fields={}, evidence=[checked(padding=3000 - stored)])
    assert Evidence.objects.count() == 2
    assert form.evidence.count() == 1


def test_the_page_says_the_years_evidence_allowance_is_used_next_to_the_field(
    holder, holder_client, settings
):
    settings.EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR = 2 * 1024 * 1024
    create_form(holder=holder, fields=FIELDS, evidence=[checked(padding=1024 * 1024)])
    response = holder_client.post(
        CREATE, page_data(title="Too big", evidence=upload(padding=1024 * 1024 + 10))
    )
    assert response.status_code == 200
    message = response.context["form"].errors["evidence"][0]
    assert "Your evidence files uploaded in 2026 take 1 MB of the 2 MB" in message
    assert "Remove files you no longer need" in message
    assert not ReportingForm.objects.filter(title="Too big").exists()
    assert Evidence.objects.count() == 1


def test_last_years_evidence_does_not_count_for_this_year(clock, holder, settings):
    settings.EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR = 2000
    clock.move_to(dt.datetime(2025, 12, 30, 12, tzinfo=dt.UTC))
    create_form(holder=holder, fields=FIELDS, evidence=[checked(padding=1000)])
    clock.move_to(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC))
    assert timezone.localdate().year == 2026
    form = create_form(holder=holder, fields=FIELDS, evidence=[checked(padding=1000)])
    assert form.evidence.count() == 1


def test_removed_evidence_frees_its_bytes(holder, settings):
    from cec.services.forms import remove_evidence

    settings.EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR = 2000
    form = create_form(holder=holder, fields=FIELDS, evidence=[checked(padding=1000)])
    remove_evidence(form.evidence.get(), by=holder)
    update_form(form, by=holder, fields={}, evidence=[checked(padding=1000)])
    assert form.evidence.count() == 1


def test_the_defaults_are_five_files_and_100_mb_a_year():
    from django.conf import settings as live

    assert live.EVIDENCE_MAX_FILES_PER_FORM == 5
    assert live.EVIDENCE_MAX_BYTES_PER_HOLDER_YEAR == 100 * 1024 * 1024
    assert live.REPORTING_FORM_TEXT_MAX_CHARS == 2000
