"""Every write to what a page shows moves its content version, kept by the database
(issue 19): a holder's rows move that holder's version and nobody else's, whichever way
they are written (a service, admin, a bulk insert, QuerySet.update(), raw SQL, a
delete); a merge moves both holders'; the catalog moves the catalog's; what the reviewer
queue shows moves the review version. Also run on PostgreSQL (marker `postgres`), whose
triggers are statement-level."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse

from cec.models import Course, Evidence, LedgerEntry
from cec.services.ledger import record_attendance
from cec.services.submissions import approve_submission
from credentials.content_versions import CATALOG, GLOBAL_KEY, HOLDER, REVIEW
from credentials.models import ContentVersion, Credential, CredentialType
from credentials.services import merges
from credentials.services.renewals import issue_renewals
from payments.models import InvoiceLine
from tests.factories import (
    ClassSessionFactory,
    ContactProfileFactory,
    CourseFactory,
    CredentialFactory,
    EvidenceFactory,
    HolderFactory,
    LedgerEntryFactory,
    ReportingFormFactory,
    credential_type,
)
from tests.factories.renewal_states import confirm, pay_by_cheque, renewal_due, submit
from tests.support.admin_forms import admin_post_data

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(2026, 11, 25)]

CATALOG_KEY = (CATALOG, GLOBAL_KEY)
REVIEW_KEY = (REVIEW, GLOBAL_KEY)


def counters() -> dict:
    return {
        (scope, key): version
        for scope, key, version in ContentVersion.objects.values_list("scope", "key", "version")
    }


class Moved:
    """The counters a block of writes moved: `with Moved() as moved: ...; moved.keys`."""

    def __enter__(self):
        self.before = counters()
        return self

    def __exit__(self, error_type, *exc):
        if error_type is not None:
            return
        after = counters()
        self.keys = {key for key, version in after.items() if version != self.before.get(key)}


def holder_key(user):
    return (HOLDER, user.pk)


@pytest.fixture
def due(holder, other_holder):
    """Two holders with their 2027 renewal issued (invoice and lines included)."""
    return renewal_due(holder), renewal_due(other_holder)


# --- services --------------------------------------------------------------------------


def test_confirming_contact_details_moves_the_holders_version_only(holder, due):
    with Moved() as moved:
        confirm(due[0])
    assert moved.keys == {holder_key(holder)}


def test_paying_moves_the_payers_version_only(holder, staff, due):
    with Moved() as moved:
        pay_by_cheque(due[0], staff)
    assert moved.keys == {holder_key(holder)}


def test_recording_attendance_moves_the_attendees_version_only(holder, staff, due):
    session = ClassSessionFactory(date=dt.date(2026, 11, 20))
    with Moved() as moved:
        record_attendance(session, holder, staff)
    assert moved.keys == {holder_key(holder)}


def test_submitting_and_a_reviewer_decision_move_the_holder_and_the_review_queue(
    holder, reviewer, due
):
    with Moved() as moved:
        submission = submit(due[0])
    assert moved.keys == {holder_key(holder), REVIEW_KEY}
    with Moved() as moved:
        approve_submission(submission, by=reviewer)
    assert moved.keys == {holder_key(holder), REVIEW_KEY}


# --- other ways of writing ---------------------------------------------------------------


def test_an_admin_change_of_a_holders_account_moves_that_holders_version(
    holder, staff, staff_client, due
):
    url = reverse("admin:credentials_user_change", args=[holder.pk])
    data = admin_post_data(staff_client.get(url))
    data["profile-0-phone"] = "(719) 555-0199"
    with Moved() as moved:
        response = staff_client.post(url, data)
    assert response.status_code == 302
    assert moved.keys == {holder_key(holder)}


def test_an_admin_change_of_the_faq_moves_the_catalog_only(staff_client, due):
    with Moved() as moved:
        response = staff_client.post(
            reverse("admin:credentials_faqentry_add"),
            {"question": "When is the deadline?", "answer": "January 31.", "position": 9},
        )
    assert response.status_code == 302
    assert moved.keys == {CATALOG_KEY}


def test_a_catalog_change_moves_the_catalog_and_no_holder(due):
    course = CourseFactory()
    with Moved() as moved:
        Course.objects.filter(pk=course.pk).update(title="Fair Housing, revised")
    assert moved.keys == {CATALOG_KEY}


def test_a_credential_type_change_moves_the_catalog_and_the_review_queue(due):
    with Moved() as moved:
        CredentialType.objects.filter(code="CAM").update(name=F("name"))
    assert moved.keys == {CATALOG_KEY, REVIEW_KEY}


def test_the_invoice_run_moves_each_new_renewals_holder_in_bulk(holder, other_holder):
    holders = [HolderFactory() for _ in range(5)]
    for person in holders:
        CredentialFactory(
            holder=person,
            credential_type=credential_type("CAM"),
            valid_through=dt.date(2026, 12, 31),
        )
        ContactProfileFactory(user=person)
    with Moved() as moved:
        summary = issue_renewals(2027, holder_ids=[person.pk for person in holders])
    assert summary.issued == len(holders)
    # Not the review queue: nobody submitted anything for these renewals yet.
    assert moved.keys == {holder_key(person) for person in holders}


def test_queryset_update_moves_every_holder_whose_rows_it_changed(holder, other_holder, due):
    third = HolderFactory()
    CredentialFactory(holder=third)
    with Moved() as moved:
        Credential.objects.filter(holder__in=[holder, other_holder]).update(lapse_reason="Changed")
    assert moved.keys == {holder_key(holder), holder_key(other_holder)}


def test_raw_sql_moves_the_holders_version(holder, due):
    entry = ReportingFormFactory(holder=holder)
    with Moved() as moved, connection.cursor() as cursor:
        cursor.execute("UPDATE cec_reportingform SET title = %s WHERE id = %s", ["Raw", entry.pk])
    assert moved.keys == {holder_key(holder)}


def test_a_delete_moves_the_version_of_the_holder_whose_row_went(holder, other_holder, due):
    form = ReportingFormFactory(holder=holder)
    evidence = EvidenceFactory(form=form)
    with Moved() as moved:
        Evidence.objects.filter(pk=evidence.pk).delete()
    assert moved.keys == {holder_key(holder)}


def test_an_invoice_line_moves_the_holder_of_its_invoice(holder, due):
    with Moved() as moved:
        InvoiceLine.objects.filter(invoice__renewal=due[0]).update(description="Renamed line")
    assert moved.keys == {holder_key(holder)}


def test_a_merge_moves_both_holders(holder, staff):
    record = HolderFactory(email="old-address@example.org")
    CredentialFactory(holder=record, credential_type=credential_type("CAS"))
    LedgerEntryFactory(holder=record)
    with Moved() as moved:
        merges.merge_holders(record, holder, by=staff, reason="Same person, two emails")
    assert moved.keys == {holder_key(record), holder_key(holder)}


def test_moving_a_row_to_another_holder_moves_both_versions(holder, other_holder, due):
    LedgerEntryFactory(holder=holder)
    with Moved() as moved:
        LedgerEntry.objects.filter(holder=holder).update(holder=other_holder)
    assert moved.keys == {holder_key(holder), holder_key(other_holder)}


# --- the review queue --------------------------------------------------------------------


def test_a_renamed_holder_moves_the_review_queue_only_while_they_are_in_it(
    holder, other_holder, due
):
    submit(due[0])
    with Moved() as moved:
        type(holder).objects.filter(pk=holder.pk).update(first_name="Queued")
        type(holder).objects.filter(pk=other_holder.pk).update(first_name="Not queued")
    assert moved.keys == {holder_key(holder), holder_key(other_holder), REVIEW_KEY}
    with Moved() as moved:
        type(holder).objects.filter(pk=other_holder.pk).update(first_name="Still not queued")
    assert moved.keys == {holder_key(other_holder)}


# --- the signed-in user --------------------------------------------------------------------


def test_the_signed_in_users_holder_version_moves_at_the_next_request(holder, holder_client, due):
    def seen():
        user = holder_client.get(reverse("credentials:faq")).wsgi_request.user
        return user.holder_version, user.catalog_version, user.review_version

    holder_version, catalog_version, review_version = seen()
    assert holder_version > 0  # the renewal was issued
    confirm(due[0])
    assert seen() == (
        counters()[holder_key(holder)],
        catalog_version,
        review_version,
    )
    assert seen()[0] > holder_version
