"""A cached page is never served once anything it shows has changed (issue 19): every
step of the renewal done through its service, an office edit in admin, a write that
bypasses the services, the catalog, the date. The database's content versions move
(credentials.content_versions' triggers) and the page is rendered anew."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cec.models import ReportingForm
from cec.services.forms import return_form
from cec.services.ledger import record_attendance
from cec.services.submissions import approve_submission
from credentials.models import CredentialType, FaqEntry, OfficeContact, User
from payments.services.reversals import record_cheque_refund
from tests.factories import ClassSessionFactory, CourseFactory, ReviewerFactory
from tests.factories.cec_forms import sent_form
from tests.factories.renewal_states import (
    check_cecs,
    confirm,
    pay_by_cheque,
    reject,
    renewal_due,
    submit,
)
from tests.support.admin_forms import admin_post_data
from tests.support.page_cache import cached, fresh

# Also run on PostgreSQL (`make test`'s postgres stage): its triggers are other code.
pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25), pytest.mark.postgres]

RENEWAL = reverse("credentials:renewal")
LEDGER = reverse("cec:ledger")
QUEUE = reverse("review:queue")


@pytest.fixture
def renewal(holder):
    return renewal_due(holder)


@pytest.fixture
def reviewer_browser():
    client = Client()
    client.force_login(ReviewerFactory())
    return client


def test_confirming_contact_details_shows_on_the_renewal_page(holder_client, renewal):
    assert "1 of 4 steps done" not in cached(holder_client, RENEWAL)
    confirm(renewal)
    assert "1 of 4 steps done" in fresh(holder_client, RENEWAL)


def test_paying_shows_on_the_renewal_and_invoice_pages(holder_client, renewal, staff):
    invoice_url = reverse("payments:invoice", args=[renewal.invoice.number])
    cached(holder_client, RENEWAL)
    before = cached(holder_client, invoice_url)
    assert "Paid on" not in before
    pay_by_cheque(renewal, staff)
    assert "Paid on" in fresh(holder_client, invoice_url)
    assert "1 of 4 steps done" in fresh(holder_client, RENEWAL)


def test_a_refund_shows_on_the_invoice_and_renewal_pages(holder_client, renewal, staff):
    payment = pay_by_cheque(renewal, staff)
    invoice_url = reverse("payments:invoice", args=[renewal.invoice.number])
    paid = cached(holder_client, invoice_url)
    cached(holder_client, RENEWAL)
    record_cheque_refund(payment, by=staff, reason="Cheque returned by the bank")
    refunded = fresh(holder_client, invoice_url)
    assert refunded != paid and "refund" in refunded.lower()
    assert "refund" in fresh(holder_client, RENEWAL).lower()


def test_attendance_recorded_by_staff_shows_in_the_ledger(holder, holder_client, renewal, staff):
    course = CourseFactory(title="Fair Housing Today")
    session = ClassSessionFactory(course=course, date=dt.date(2026, 11, 20))
    assert "Fair Housing Today" not in cached(holder_client, LEDGER)
    record_attendance(session, holder, by=staff)
    assert "Fair Housing Today" in fresh(holder_client, LEDGER)


def test_checking_cecs_from_the_renewal_page_shows_on_it(holder_client, renewal):
    cached(holder_client, RENEWAL)
    check_cecs(renewal)
    assert "1 of 4 steps done" in fresh(holder_client, RENEWAL)


def test_a_submission_and_the_reviewers_decision_show_to_holder_and_reviewer(
    holder, holder_client, renewal, reviewer_browser
):
    cached(holder_client, RENEWAL)
    assert holder.last_name not in cached(reviewer_browser, QUEUE)

    submission = submit(renewal)
    assert "Waiting for NAAEI" in fresh(holder_client, RENEWAL)
    assert holder.last_name in fresh(reviewer_browser, QUEUE)
    cached(holder_client, RENEWAL)
    cached(reviewer_browser, QUEUE)

    reject(submission, ReviewerFactory(), reason="The June class is not on the AASC roster.")
    assert "not on the AASC roster" in fresh(holder_client, RENEWAL)
    assert holder.last_name not in fresh(reviewer_browser, QUEUE)


def test_a_submission_shows_on_the_submission_page(holder_client, renewal):
    url = reverse("cec_submission:start")
    cached(holder_client, url)
    submit(renewal)
    assert "Waiting for NAAEI review" in fresh(holder_client, url)


def test_an_approval_shows_to_the_holder(holder_client, renewal, reviewer):
    submission = submit(renewal)
    cached(holder_client, RENEWAL)
    approve_submission(submission, by=reviewer)
    page = fresh(holder_client, RENEWAL)
    assert "Waiting for NAAEI" not in page


def test_a_holders_new_name_shows_in_the_queue(holder, renewal, reviewer_browser):
    submit(renewal)
    cached(reviewer_browser, QUEUE)
    User.objects.filter(pk=holder.pk).update(last_name="Quartermaine")
    assert "Quartermaine" in fresh(reviewer_browser, QUEUE)


def test_an_office_edit_in_admin_shows_on_the_holders_pages(holder, holder_client, staff_client):
    url = reverse("admin:credentials_user_change", args=[holder.pk])
    assert "Zebulon" not in cached(holder_client, reverse("credentials:profile"))
    data = admin_post_data(staff_client.get(url))
    data.update(first_name="Zebulon")
    assert staff_client.post(url, data).status_code == 302
    assert "Zebulon" in fresh(holder_client, reverse("credentials:profile"))


def test_a_write_around_the_services_still_shows(holder, holder_client, renewal):
    cached(holder_client, RENEWAL)
    User.objects.filter(pk=holder.pk).update(first_name="Bulkupdated")
    assert "Bulkupdated" in fresh(holder_client, RENEWAL)


def test_an_edit_of_the_catalog_shows_on_every_holder_page(holder_client, renewal):
    invoice_url = reverse("payments:invoice", args=[renewal.invoice.number])
    cached(holder_client, invoice_url)
    cached(holder_client, reverse("credentials:credentials"))
    office = OfficeContact.objects.get()
    office.street = "1 Catalog Way"
    office.save()
    assert "1 Catalog Way" in fresh(holder_client, invoice_url)
    CredentialType.objects.filter(code="CAM").update(name="Certified Apartment Maestro")
    assert "Certified Apartment Maestro" in fresh(holder_client, reverse("credentials:credentials"))


def test_an_faq_edit_shows_on_the_faq_page(holder_client):
    url = reverse("credentials:faq")
    cached(holder_client, url)
    FaqEntry.objects.create(question="Can I pay by cheque?", answer="Yes.", position=99)
    assert "Can I pay by cheque?" in fresh(holder_client, url)


def test_an_office_edit_of_the_catalog_in_admin_shows(holder_client, renewal, staff_client):
    invoice_url = reverse("payments:invoice", args=[renewal.invoice.number])
    cached(holder_client, invoice_url)
    office = OfficeContact.objects.get()
    url = reverse("admin:credentials_officecontact_change", args=[office.pk])
    data = admin_post_data(staff_client.get(url))
    data.update(street="77 Admin Avenue")
    assert staff_client.post(url, data).status_code == 302
    assert "77 Admin Avenue" in fresh(holder_client, invoice_url)


@pytest.mark.clock(2026, 12, 31, 23, 55)
def test_a_new_day_renders_the_pages_anew(clock, holder_client, renewal):
    credentials_url = reverse("credentials:credentials")
    before = cached(holder_client, credentials_url)
    cached(holder_client, RENEWAL)
    clock.move_to(2027, 1, 1, 0, 5)  # ten minutes later, a new day in Colorado Springs
    after = fresh(holder_client, credentials_url)
    assert "text-bg-warning" in after and "text-bg-warning" not in before  # "In grace"
    assert "In grace" in fresh(holder_client, RENEWAL)


def test_an_upcoming_class_added_shows_in_the_close_the_gap_list(holder_client, renewal):
    cached(holder_client, LEDGER)
    course = CourseFactory(title="Budgeting for Managers")
    ClassSessionFactory(course=course, date=dt.date(2026, 12, 10))
    assert "Budgeting for Managers" in fresh(holder_client, LEDGER)


def test_another_holders_change_leaves_my_cached_page_alone(holder_client, renewal, other_holder):
    cached(holder_client, RENEWAL)
    confirm(renewal_due(other_holder, codes=("CAS",)))
    assert not holder_client.get(RENEWAL).templates


def test_a_returned_form_shows_its_reason_on_its_edit_page(holder, holder_client, staff):
    form = sent_form(holder=holder)
    url = reverse("cec_forms:edit", args=[form.pk])
    assert holder_client.get(url).status_code == 302  # a sent form cannot be edited
    return_form(form, by=staff, reason="Attach the volunteer letter, please.")
    assert "Attach the volunteer letter" in cached(holder_client, url)
    ReportingForm.objects.filter(pk=form.pk).update(title="Renamed by a bulk update")
    assert "Renamed by a bulk update" in fresh(holder_client, url)
