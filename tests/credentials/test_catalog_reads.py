"""The catalog's rows a page shows (the office's address, the requirement sets, the
credential types) are read once per process and catalog version (credentials.
catalog_reads, issue 19): a repeat view reads none of them, and any change to them shows
at the next request, whoever makes it and however."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credentials import catalog_reads, content_versions
from credentials.models import OfficeContact, User
from tests.factories import CredentialTypeFactory, HolderFactory
from tests.factories.renewal_states import renewal_due

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]


def sql_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, " ".join(query["sql"] for query in queries)


@pytest.fixture
def invoice_url(holder):
    return reverse("payments:invoice", args=[renewal_due(holder).invoice.number])


def test_a_repeat_view_of_the_invoice_reads_the_office_address_once(holder_client, invoice_url):
    _, first = sql_of(holder_client, invoice_url)
    assert "credentials_officecontact" in first
    _, again = sql_of(holder_client, invoice_url)
    assert "credentials_officecontact" not in again


def test_the_office_address_changed_shows_on_the_invoice_at_the_next_request(
    holder_client, invoice_url
):
    holder_client.get(invoice_url)
    OfficeContact.objects.update(street="99 New Office Road")  # no signal, no save()
    response, _ = sql_of(holder_client, invoice_url)
    assert "99 New Office Road" in response.content.decode()


def test_a_credential_type_added_shows_in_the_review_queue_filter_at_the_next_request(
    reviewer_client,
):
    queue = reverse("review:queue")
    _, first = sql_of(reviewer_client, queue)
    types = 'FROM "credentials_credentialtype"'  # the filter's choices
    assert types in first
    _, again = sql_of(reviewer_client, queue)
    assert types not in again
    CredentialTypeFactory(code="ZZQ", name="Zone Quality Specialist")
    response, _ = sql_of(reviewer_client, queue)
    assert "ZZQ – Zone Quality Specialist" in response.content.decode()


def test_the_credentials_page_reads_the_requirement_sets_and_office_name_once(
    holder, holder_client
):
    renewal_due(holder)
    url = reverse("credentials:credentials")
    _, first = sql_of(holder_client, url)
    assert "credentials_requirementset" in first and "credentials_officecontact" in first
    _, again = sql_of(holder_client, url)
    assert "credentials_requirementset" not in again
    assert "credentials_officecontact" not in again


def test_without_a_catalog_version_the_database_is_read_each_time():
    with CaptureQueriesContext(connection) as queries:
        catalog_reads.office_contact(None)
        catalog_reads.office_contact(None)
    assert len(queries) == 2


def test_a_read_is_kept_only_for_the_version_it_was_made_at():
    HolderFactory()
    with CaptureQueriesContext(connection) as queries:
        catalog_reads.credential_type_names(41)
        catalog_reads.credential_type_names(41)
        catalog_reads.credential_type_names(42)
    assert len(queries) == 2


class _RolledBack(Exception):
    pass


def test_a_catalog_read_made_in_a_transaction_that_rolls_back_is_not_kept(holder):
    """A rollback moves the catalog's counter back too: a later, different change moves
    it to the same number, and must not find the rolled-back rows kept under it."""

    def version():
        users = content_versions.with_content_versions(User.objects.filter(pk=holder.pk))
        return users.get().catalog_version

    OfficeContact.objects.update(street="1 First Street")
    with pytest.raises(_RolledBack), transaction.atomic():
        OfficeContact.objects.update(street="2 Rolled Back Road")
        rolled_back_version = version()
        kept = catalog_reads.office_contact(rolled_back_version)
        assert kept.street == "2 Rolled Back Road"
        raise _RolledBack
    OfficeContact.objects.update(street="3 Committed Avenue")
    assert version() == rolled_back_version
    assert catalog_reads.office_contact(version()).street == "3 Committed Avenue"
