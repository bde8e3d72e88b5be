"""One selector per model scopes its rows to the person asking (issue 16 item 7): a holder
sees their own invoices, payments, credentials, renewals and evidence, never another
holder's; the office sees what its permissions allow. Views and admin pages use these
selectors and never filter by the viewer themselves."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from cec.selectors.forms import evidence_of, evidence_visible_to
from credentials import roles
from credentials.models import ContactProfile, User
from credentials.selectors import credentials_held_by, renewals_of
from payments.selectors import (
    invoice_visible_to,
    invoices_of,
    invoices_visible_to,
    payments_of,
    payments_visible_to,
)
from payments.services.payments import record_offline_payment
from tests.factories import EvidenceFactory, ReportingFormFactory, SuperuserFactory
from tests.factories.renewal_states import renewal_due

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def late_november_2026():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=DENVER), tick=False):
        yield


@pytest.fixture
def two_renewals(holder, other_holder, staff):
    mine, theirs = renewal_due(holder), renewal_due(other_holder)
    for renewal in (mine, theirs):
        invoice = renewal.invoice
        record_offline_payment(invoice, invoice.total_cents, "1042", timezone.localdate(), by=staff)
    return mine, theirs


def test_a_holder_sees_only_their_own_invoices_and_payments(holder, staff, two_renewals):
    mine, theirs = two_renewals
    assert list(invoices_visible_to(holder)) == list(invoices_of(holder)) == [mine.invoice]
    assert {p.invoice_id for p in payments_visible_to(holder)} == {mine.invoice.pk}
    assert {p.invoice_id for p in payments_of(holder)} == {mine.invoice.pk}
    assert set(invoices_visible_to(staff)) == {mine.invoice, theirs.invoice}
    assert {p.invoice_id for p in payments_visible_to(staff)} == {
        mine.invoice.pk,
        theirs.invoice.pk,
    }


def test_a_holder_sees_only_their_own_credentials_and_renewals(holder, two_renewals):
    mine, _ = two_renewals
    assert {c.holder_id for c in credentials_held_by(holder)} == {holder.pk}
    assert list(renewals_of(holder)) == [mine]


def test_a_holder_changes_only_their_own_evidence(holder, other_holder, staff):
    own = EvidenceFactory(form=ReportingFormFactory(holder=holder))
    EvidenceFactory(form=ReportingFormFactory(holder=other_holder))
    assert list(evidence_of(holder)) == list(evidence_visible_to(holder)) == [own]
    assert evidence_visible_to(staff).count() == 2
    assert evidence_of(staff).count() == 0


def test_staff_see_holders_accounts_and_a_superuser_every_account(holder, staff):
    superuser = SuperuserFactory()
    ContactProfile.objects.get_or_create(user=holder)
    ContactProfile.objects.get_or_create(user=staff)
    accounts = User.objects.all()
    assert set(roles.accounts_visible_to(staff, accounts)) == {holder}
    assert set(roles.accounts_visible_to(superuser, accounts)) == {holder, staff, superuser}
    profiles = ContactProfile.objects.all()
    assert {p.user for p in roles.profiles_visible_to(staff, profiles)} == {holder}
    assert {p.user for p in roles.profiles_visible_to(superuser, profiles)} == {holder, staff}


# A query of the viewer's own rows written in a page: filter(holder=request.user),
# get_object_or_404(..., renewal__holder=request.user) and the like.
VIEWER_FILTER = re.compile(
    r"(filter|exclude|get|get_object_or_404)\((?:(?!\n\n).){0,300}?holder(_id)?=request\.user",
    re.DOTALL,
)


def test_views_and_admin_scope_through_the_selectors_not_a_filter_of_their_own():
    pages = [
        path
        for app in ("credentials", "cec", "payments", "renewal_portal")
        for path in (ROOT / app).rglob("*.py")
        if "views" in path.name or "views" in path.parts or "admin" in path.parts
    ]
    assert pages
    assert [str(p.relative_to(ROOT)) for p in pages if VIEWER_FILTER.search(p.read_text())] == []


def test_one_invoice_by_number_is_the_holders_own_or_none(holder, staff, two_renewals):
    """invoice_visible_to: the invoice page's read (compiled once per process, issue 19)."""
    mine, theirs = two_renewals
    assert invoice_visible_to(holder, mine.invoice.number) == mine.invoice
    assert invoice_visible_to(holder, mine.invoice.number).renewal.holder == holder
    assert invoice_visible_to(holder, theirs.invoice.number) is None
    assert invoice_visible_to(holder, "no-such-number") is None
    assert invoice_visible_to(staff, theirs.invoice.number) == theirs.invoice
