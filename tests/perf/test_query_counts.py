"""Each page costs the same number of queries however much data is behind it (issue 9):
a holder with 5 credentials and 500 ledger entries, a reviewer with 10,000 submissions
waiting, against a holder with one of each. The pins are what the pages need today, so a
new query per row (an N+1) or per page shows up here first."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cec.models import EntryState, LedgerEntry, Source, Submission
from credentials.models import Credential, Renewal, RenewalCredential, User
from credentials.services.renewals import issue_renewal_for
from tests.factories import CredentialFactory, HolderFactory, credential_type

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]

FIVE_CODES = ["CAM", "CAPS", "CALP", "CAS", "AIME"]

# Queries per page, of which 3 are the framework's on every signed-in request (session,
# user, the user's roles), as on the bare view of bench/urls.py.
RENEWAL_PAGE = 8
# The ledger's close-the-gap list leaves out courses taken this earning year (one query).
LEDGER_PAGE = 10
# The credentials page names the office once for the badges' LinkedIn links.
CREDENTIALS_PAGE = 6
# The invoice names the office's address from its contact details (one query).
INVOICE_PAGE = 8
REVIEW_QUEUE = 11


def holder_with(codes, entries):
    """A holder with a credential of each code, their 2027 renewal and invoice, and
    `entries` ledger entries (AASC classes with certificates, in and out of the window,
    and some participation), bulk-created."""
    holder = HolderFactory()
    for code in codes:
        CredentialFactory(
            holder=holder,
            credential_type=credential_type(code),
            valid_through=dt.date(2026, 12, 31),
        )
    renewal = issue_renewal_for(holder, 2027)
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            holder=holder,
            # One entry in the 2027 renewal's earning window, the rest in the three years
            # before: the renewal stays short of CECs, so the page lists classes to close
            # the gap, however many entries the holder has.
            earned_on=dt.date(2026 if n == 0 else 2025 - n % 3, 1 + n % 12, 1 + n % 28),
            hours=Decimal("1.50"),
            title=f"Class {n}",
            source=Source.COMMITTEE if n % 10 == 9 else Source.AASC_CLASS,
            participation=n % 10 == 9,
            in_network=n % 10 != 9,
            state=EntryState.WITHDRAWN if n % 50 == 7 else EntryState.CREDITED,
            certificate_number=None if n % 10 == 9 else f"Q{holder.pk}-{n}",
            verification_token=uuid.uuid4(),
        )
        for n in range(entries)
    )
    return holder, renewal


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def big(client):
    holder, renewal = holder_with(FIVE_CODES, 500)
    return client_for(client, holder), renewal


@pytest.fixture
def small(client):
    holder, renewal = holder_with(["CAM"], 1)
    return client_for(client, holder), renewal


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", ["small", "big"])
@pytest.mark.parametrize(
    ("url", "pinned"),
    [
        (reverse("credentials:renewal"), RENEWAL_PAGE),
        (reverse("cec:ledger"), LEDGER_PAGE),
        (reverse("credentials:credentials"), CREDENTIALS_PAGE),
    ],
)
def test_holder_pages_cost_the_same_queries_whatever_the_ledger_size(
    request, django_assert_max_num_queries, django_assert_num_queries, size, url, pinned
):
    client, _ = request.getfixturevalue(size)
    get_ok(client, url)  # the first ledger visit records step 3 (a write)
    with django_assert_max_num_queries(pinned):
        get_ok(client, url)
    with django_assert_num_queries(pinned):
        get_ok(client, url)


@pytest.mark.parametrize("size", ["small", "big"])
def test_the_invoice_page_costs_the_same_queries_for_one_or_five_credentials(
    request, django_assert_num_queries, size
):
    client, renewal = request.getfixturevalue(size)
    url = reverse("payments:invoice", args=[renewal.invoice.number])
    with django_assert_num_queries(INVOICE_PAGE):
        response = get_ok(client, url)
    assert response.context["lines"]


def waiting_submissions(count):
    """`count` holders, each with a 2027 renewal of a CAM and a submission waiting for
    review, bulk-created."""
    cam = credential_type("CAM")
    holders = User.objects.bulk_create(
        User(email=f"waiting{n}@example.org", first_name="Wai", last_name=f"Ting {n}")
        for n in range(count)
    )
    credentials = Credential.objects.bulk_create(
        Credential(
            holder=holder,
            credential_type=cam,
            number=f"W{n}",
            earned_on=dt.date(2019, 5, 1),
            valid_through=dt.date(2026, 12, 31),
        )
        for n, holder in enumerate(holders)
    )
    renewals = Renewal.objects.bulk_create(
        Renewal(
            holder=holder,
            year=2027,
            cecs_owed=Decimal("8"),
            in_network_min=Decimal("5"),
            governing_type=cam,
            due_on=dt.date(2027, 1, 1),
            grace_ends_on=dt.date(2027, 3, 31),
        )
        for holder in holders
    )
    RenewalCredential.objects.bulk_create(
        RenewalCredential(
            renewal=renewal,
            credential=credential,
            cecs_owed=Decimal("8"),
            in_network_min=Decimal("5"),
            fee_cents=15000,
        )
        for renewal, credential in zip(renewals, credentials, strict=True)
    )
    start = timezone.now() - dt.timedelta(days=30)
    Submission.objects.bulk_create(
        Submission(
            renewal=renewal,
            total_hours=Decimal("8"),
            in_network_hours=Decimal("5"),
            submitted_at=start + dt.timedelta(seconds=n),
        )
        for n, renewal in enumerate(renewals)
    )


@pytest.mark.parametrize("count", [1, 10_000])
def test_the_review_queue_costs_the_same_queries_with_ten_thousand_waiting(
    client, reviewer, django_assert_num_queries, count
):
    waiting_submissions(count)
    client_for(client, reviewer)
    with django_assert_num_queries(REVIEW_QUEUE):
        response = get_ok(client, reverse("review:queue"))
    assert response.context["page"].paginator.count == count
    assert len(response.context["submissions"]) == min(count, 50)
