"""Each page costs the same number of queries however much data is behind it (issues 9
and 19): a holder with 5 credentials, 500 ledger entries and 30 Reporting Forms against a
holder with one of each; office changelists with 30 rows against one; a reviewer with
10,000 submissions waiting against one. The pins are what the pages need today, so a new
query per row (an N+1) or per page shows up here first."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cec.models import EntryState, LedgerEntry, Source, Submission
from credentials.models import Credential, Renewal, RenewalCredential, User
from credentials.services.renewals import issue_renewal_for
from tests.factories import (
    ClassSessionFactory,
    ContactProfileFactory,
    CredentialFactory,
    HolderFactory,
    ReportingFormFactory,
    credential_type,
)
from tests.factories.cec_forms import sent_form
from tests.factories.renewal_states import pay_by_cheque
from tests.payments.helpers import deliver_succeeded_webhook, pay_by_card
from tests.support.localstripe import localstripe, localstripe_server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]


@pytest.fixture(autouse=True)
def _pages_rendered(settings):
    # These pins are what a page costs to render (a page cache miss); a page served from
    # the cache is pinned in tests/perf/test_cached_page_queries.py.
    settings.PAGE_CACHE = False


FIVE_CODES = ["CAM", "CAPS", "CALP", "CAS", "AIME"]
FORMS_OF_A_BIG_HOLDER = 30

# Queries per page. Every signed-in request costs 2 before the view: the session, and the
# user with its roles and two-factor set-up in the same query (credentials.backends), as
# on the bare view of bench/urls.py.
FRAMEWORK = 2
HOLDER_PAGES = {
    # Has the holder credentials on record (one query), and where the renewal stands.
    "home": ("credentials:home", FRAMEWORK + 3),
    # The renewal with its invoice, the submissions, the CECs in the window, the items,
    # the invoice's lines.
    "renewal": ("credentials:renewal", FRAMEWORK + 5),
    "contact details": ("credentials:profile", FRAMEWORK + 2),
    # The renewal, the whole ledger once (progress, close-the-gap and years from it), the
    # upcoming classes.
    "ledger": ("cec:ledger", FRAMEWORK + 3),
    "reporting forms": ("cec_forms:list", FRAMEWORK + 2),
    "new reporting form": ("cec_forms:create", FRAMEWORK + 0),
    "submission": ("cec_submission:start", FRAMEWORK + 5),
    # The credentials, and their renewals giving the due dates and grace ends they were
    # issued with (one query, however many). The requirement sets and the office's name
    # (the badges' LinkedIn links) were read by the first view and are kept while the
    # catalog's version stays (credentials.catalog_reads, issue 19): 2 queries fewer.
    "credentials": ("credentials:credentials", FRAMEWORK + 2),
    "check-in code": ("checkin:my_code", FRAMEWORK + 2),
    "faq": ("credentials:faq", FRAMEWORK + 1),
    "contact the office": ("credentials:contact", FRAMEWORK + 1),
    # Has the holder credentials, a claim waiting.
    "claim a record": ("credentials:claim", FRAMEWORK + 2),
}
# The invoice names the office's address from its contact details (one query). Asking
# whether a holder may view every invoice costs no query: a user with no group and no
# permission of its own has none (credentials.backends, issue 19; 2 queries before).
INVOICE_PAGE = FRAMEWORK + 3
PAY_PAGE = FRAMEWORK + 3
RECEIPT_PAGE = FRAMEWORK + 4
# The card frame reuses the open card payment: the invoice, then in one transaction the
# invoice locked (an UPDATE of nothing, SQLite's row lock) and read again and the open
# attempt (BEGIN and COMMIT are a savepoint's two statements inside the test's transaction).
CARD_FRAME = FRAMEWORK + 6
# The payment with its invoice, renewal and holder.
PAYMENT_STATUS_PAGE = FRAMEWORK + 1
FORM_PAGE = FRAMEWORK + 4
FORM_EDIT_PAGE = FRAMEWORK + 3
# Staff's permissions: their group's, one query; none of their own (no query since the
# user comes with that fact, issue 19).
OFFICE_CHANGELISTS = {
    # The phase filters ask the rule once per distinct (due date, grace end) of the open
    # renewals (rules.renewal_phase_on, one query), whatever the number of rows.
    "renewals": ("admin:credentials_renewal_changelist", FRAMEWORK + 10),
    "reporting forms": ("admin:cec_reportingform_changelist", FRAMEWORK + 6),
    "class sessions": ("admin:cec_classsession_changelist", FRAMEWORK + 8),
}
# 11 before the keyset queue and the roles loaded with the user; 8 before the reviewer's
# own permissions came with the user (issue 19).
REVIEW_QUEUE = 7


def holder_with(codes, entries, forms=1):
    """A holder with a credential of each code, their 2027 renewal and invoice, `entries`
    ledger entries (AASC classes with certificates, in and out of the window, and some
    participation), bulk-created, and `forms` Reporting Forms: one sent with evidence,
    the others drafts and returned ones."""
    holder = HolderFactory()
    ContactProfileFactory(user=holder)
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
    sent_form(holder=holder)
    for n in range(forms):
        ReportingFormFactory(holder=holder, returned=n % 2 == 1)
    return holder, renewal


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def big(client):
    holder, renewal = holder_with(FIVE_CODES, 500, forms=FORMS_OF_A_BIG_HOLDER)
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
@pytest.mark.parametrize("page", list(HOLDER_PAGES))
def test_holder_pages_cost_the_same_queries_whatever_the_holder_has(
    request, django_assert_num_queries, size, page
):
    name, pinned = HOLDER_PAGES[page]
    client, _ = request.getfixturevalue(size)
    url = reverse(name)
    get_ok(client, url)  # the first ledger visit records step 3 (a write)
    with django_assert_num_queries(pinned):
        get_ok(client, url)


@pytest.mark.parametrize("size", ["small", "big"])
def test_the_invoice_and_pay_pages_cost_the_same_queries_for_one_or_five_credentials(
    request, django_assert_num_queries, size
):
    client, renewal = request.getfixturevalue(size)
    number = renewal.invoice.number
    with django_assert_num_queries(INVOICE_PAGE):
        response = get_ok(client, reverse("payments:invoice", args=[number]))
    assert len(response.context["lines"]) >= 1
    with django_assert_num_queries(PAY_PAGE):
        get_ok(client, reverse("payments:pay", args=[number]))


@pytest.mark.parametrize("size", ["small", "big"])
def test_the_receipt_costs_the_same_queries_for_one_or_five_credentials(
    request, staff, django_assert_num_queries, size
):
    client, renewal = request.getfixturevalue(size)
    payment = pay_by_cheque(renewal, staff)
    url = reverse("payments:receipt", args=[renewal.invoice.number, payment.pk])
    with django_assert_num_queries(RECEIPT_PAGE):
        get_ok(client, url)


@pytest.mark.parametrize("size", ["small", "big"])
def test_the_card_frame_and_payment_status_cost_the_same_queries_for_one_or_five_credentials(
    request, django_assert_num_queries, size
):
    stripe = request.getfixturevalue("localstripe")  # a real localstripe server
    client, renewal = request.getfixturevalue(size)
    invoice = renewal.invoice
    frame = reverse("payments:card_frame", args=[invoice.number])
    get_ok(client, frame)  # the first load starts the card payment (writes, and Stripe)
    with django_assert_num_queries(CARD_FRAME):
        get_ok(client, frame)
    attempt = pay_by_card(stripe, invoice, renewal.holder)
    deliver_succeeded_webhook(Client(), stripe, attempt.payment)
    with django_assert_num_queries(PAYMENT_STATUS_PAGE):
        response = get_ok(
            client, reverse("payments:status", args=[invoice.number, attempt.payment.pk])
        )
    assert "Payment received" in response.content.decode()


@pytest.mark.parametrize("size", ["small", "big"])
def test_a_reporting_form_costs_the_same_queries_whatever_else_the_holder_has(
    request, django_assert_num_queries, size
):
    client, renewal = request.getfixturevalue(size)
    sent = renewal.holder.reporting_forms.get(state="sent")
    draft = renewal.holder.reporting_forms.filter(state="draft").first()
    with django_assert_num_queries(FORM_PAGE):
        get_ok(client, reverse("cec_forms:detail", args=[sent.pk]))
    with django_assert_num_queries(FORM_EDIT_PAGE):
        get_ok(client, reverse("cec_forms:edit", args=[draft.pk]))


def office_rows(count):
    """`count` renewals (with invoices), sent Reporting Forms and class sessions."""
    for n in range(count):
        holder, _ = holder_with(["CAM"], 0, forms=0)
        ClassSessionFactory(date=dt.date(2026, 3, 1) + dt.timedelta(days=n))


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("changelist", list(OFFICE_CHANGELISTS))
def test_the_office_changelists_cost_the_same_queries_for_one_or_thirty_rows(
    client, staff, django_assert_num_queries, count, changelist
):
    name, pinned = OFFICE_CHANGELISTS[changelist]
    office_rows(count)
    client_for(client, staff)
    url = reverse(name)
    get_ok(client, url)
    with django_assert_num_queries(pinned):
        response = get_ok(client, url)
    assert response.context["cl"].result_count == count


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
    assert response.context["page"].count == count
    assert len(response.context["submissions"]) == min(count, 50)
