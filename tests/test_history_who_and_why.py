"""Every state change leaves a history record that says who made it and why (issue 16
item 7): each service below is called as the portal calls it, and the record it leaves
names the person and a reason. The services tell django-simple-history through one
helper, renewal_portal.infra.history; no other module sets its private attributes."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cec.services import forms as form_services
from cec.services import ledger as ledger_services
from cec.services import submissions as submission_services
from credentials.forms import ContactDetailsForm
from credentials.models import ContactProfile, Credential, User
from credentials.services import claims, merges, profiles, renewals, steps, validity
from payments.services import payments, reversals
from renewal_portal.infra import history
from tests.factories import (
    ClassSessionFactory,
    CredentialFactory,
    HolderFactory,
    ReviewerFactory,
    StaffFactory,
    credential_type,
)
from tests.factories.cec_forms import sent_form
from tests.factories.renewal_states import earn_enough, renewal_due

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def late_november_2026():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=DENVER), tick=False):
        yield


class World:
    def __init__(self):
        self.holder = HolderFactory()
        self.staff = StaffFactory()
        self.reviewer = ReviewerFactory()

    def renewal(self):
        return renewal_due(self.holder)

    def paid(self):
        renewal = self.renewal()
        invoice = renewal.invoice
        payment = payments.record_offline_payment(
            invoice, invoice.total_cents, "1042", timezone.localdate(), by=self.staff
        )
        return renewal, payment

    def submission(self):
        renewal = self.renewal()
        return submission_services.submit_cecs(renewal, earn_enough(renewal), by=self.holder)


# Each case: the service as the portal calls it -> (the changed record, who should be named).


def confirm_contact(w):
    return steps.confirm_contact_details(w.renewal(), by=w.holder), w.holder


def check_cec_status(w):
    return steps.mark_cec_status_seen(w.renewal(), by=w.holder), w.holder


def update_contact_details(w):
    profile = w.renewal().holder.profile
    data = {
        "first_name": "Harriet",
        "last_name": "Holder",
        "phone": "(719) 555-0142",
        "address_line1": "1200 Pikes Peak Ave",
        "city": "Colorado Springs",
        "state": "CO",
        "postal_code": "80903",
        "employer": "Garden of the Gods Apartments",
        "job_title": "Community Manager",
    }
    form = ContactDetailsForm(data, instance=profile, user=w.holder)
    assert form.is_valid(), form.errors
    return profiles.update_contact_details(form), w.holder


def issue_renewal(w):
    CredentialFactory(
        holder=w.holder, credential_type=credential_type("CAM"), valid_through=dt.date(2026, 12, 31)
    )
    return renewals.issue_renewal_for(w.holder, 2027, by=w.staff), w.staff


def record_cheque(w):
    _, payment = w.paid()
    return payment, w.staff


def invoice_paid_by_cheque(w):
    renewal, _ = w.paid()
    return renewal.invoice, w.staff


def cheque_refund(w):
    _, payment = w.paid()
    return reversals.record_cheque_refund(payment, by=w.staff, reason="Sent twice"), w.staff


def submit_cecs(w):
    return w.submission(), w.holder


def approve(w):
    return submission_services.approve_submission(w.submission(), by=w.reviewer), w.reviewer


def reject(w):
    submission = w.submission()
    return (
        submission_services.reject_submission(submission, by=w.reviewer, reason="Not on roster"),
        w.reviewer,
    )


def create_form(w):
    fields = {
        "activity_type": "expo_class",
        "title": "Expo: Smart leasing",
        "organiser": "AASC Expo",
        "started_on": dt.date(2026, 4, 22),
        "ended_on": None,
        "hours_claimed": Decimal("1.50"),
        "description": "",
    }
    return form_services.create_form(holder=w.holder, fields=fields), w.holder


def send_form(w):
    return sent_form(holder=w.holder), w.holder


def verify_form(w):
    return form_services.verify_form(sent_form(holder=w.holder), by=w.staff), w.staff


def return_form(w):
    form = sent_form(holder=w.holder)
    return form_services.return_form(form, by=w.staff, reason="Unreadable scan"), w.staff


def record_attendance(w):
    return ledger_services.record_attendance(ClassSessionFactory(), w.holder, w.staff), w.staff


def remove_attendance(w):
    entry = ledger_services.record_attendance(ClassSessionFactory(), w.holder, w.staff)
    return ledger_services.remove_attendance(entry.attendance, w.staff), w.staff


def change_validity(w):
    credential = CredentialFactory(holder=w.holder, valid_through=dt.date(2026, 12, 31))
    return (
        validity.change_validity_dates(
            credential,
            by=w.staff,
            earned_on=credential.earned_on,
            valid_through=dt.date(2027, 12, 31),
            reason="Renewed on paper in October",
        ),
        w.staff,
    )


def submit_claim(w):
    credential = CredentialFactory(holder=HolderFactory(last_name="Reyes"))
    claim = claims.submit_claim(
        w.holder, number=credential.number, last_name="Reyes", postal_code=""
    )
    return claim, w.holder


def refuse_claim(w):
    claim, _ = submit_claim(w)
    return claims.refuse_claim(claim, by=w.staff, note="Not the same person"), w.staff


def merge_holders(w):
    record = HolderFactory(email="", password=None)
    CredentialFactory(holder=record)
    merges.merge_holders(record, w.holder, by=w.staff, reason="Same person, two emails")
    return Credential.objects.get(holder=w.holder), w.staff


CASES = [
    confirm_contact,
    check_cec_status,
    update_contact_details,
    issue_renewal,
    record_cheque,
    invoice_paid_by_cheque,
    cheque_refund,
    submit_cecs,
    approve,
    reject,
    create_form,
    send_form,
    verify_form,
    return_form,
    record_attendance,
    remove_attendance,
    change_validity,
    submit_claim,
    refuse_claim,
    merge_holders,
]


@pytest.mark.parametrize("change", CASES, ids=[case.__name__ for case in CASES])
def test_every_state_change_records_who_made_it_and_why(change):
    record, person = change(World())
    last = record.history.order_by("-history_date", "-history_id").first()
    assert last is not None
    assert last.history_user == person
    assert last.history_change_reason and last.history_change_reason.strip()


def test_a_long_reason_is_kept_to_the_width_of_the_history_column(holder):
    credential = CredentialFactory(holder=holder)
    history.save_with_history(credential, by=holder, why="x" * 300)
    assert credential.history.first().history_change_reason == "x" * 100


def test_a_record_saved_again_does_not_keep_the_last_person_or_reason(holder, staff):
    credential = CredentialFactory(holder=holder)
    history.save_with_history(credential, by=staff, why="Corrected by the office")
    history.save_with_history(credential, by=None, why="Lapsed: grace ended")
    last = credential.history.first()
    assert (last.history_user, last.history_change_reason) == (None, "Lapsed: grace ended")


def test_a_change_without_a_reason_is_refused(holder):
    with pytest.raises(ValueError):
        history.stamp(CredentialFactory(holder=holder), by=holder, why="")


PRIVATE_ATTRIBUTES = re.compile(
    r"\._change_reason\s*=|\._history_user\s*=|simple_history\.utils|update_change_reason"
)


def test_only_the_history_helper_tells_simple_history_who_and_why():
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("credentials", "cec", "payments", "renewal_portal")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and path.name != "history.py"
        and PRIVATE_ATTRIBUTES.search(path.read_text())
    ]
    assert offenders == []


def test_contact_details_edited_in_the_account_admin_record_who_and_why(staff_client, holder):
    from tests.support.admin_forms import admin_post_data

    ContactProfile.objects.get_or_create(user=holder)
    url = reverse("admin:credentials_user_change", args=[holder.pk])
    data = admin_post_data(staff_client.get(url))
    data["profile-0-phone"] = "(719) 555-0199"
    assert staff_client.post(url, data).status_code == 302
    last = holder.profile.history.order_by("-history_date", "-history_id").first()
    assert last.history_user == User.objects.get(email="clerk@example.org")
    assert last.history_change_reason == "Edited in admin: phone"
