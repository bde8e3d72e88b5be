"""Grace and lapse (SPEC rule 9) as the renewal service records them, and the status
filter staff use, which must agree with the rule on every date."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from credentials import rules, selectors
from credentials.models import Credential
from credentials.services.renewals import issue_renewal_for, lapse_overdue_credentials
from payments.models import InvoiceStatus, LineKind
from tests.factories import CredentialFactory, HolderFactory, credential_type
from tests.factories import renewal_states as states

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


def issue_2027_renewal(holder, code="CAM"):
    CredentialFactory(
        holder=holder, credential_type=credential_type(code), valid_through=dt.date(2026, 12, 31)
    )
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=DENVER), tick=False):
        return issue_renewal_for(holder, 2027)


def test_a_lapse_records_the_day_and_the_reason(holder):
    issue_2027_renewal(holder)
    assert lapse_overdue_credentials(on=dt.date(2027, 4, 1)) == 1
    credential = Credential.objects.get(holder=holder)
    assert credential.lapsed_on == dt.date(2027, 4, 1)
    assert "grace period ended March 31, 2027" in credential.lapse_reason
    assert "Lapsed" in credential.history.latest().history_change_reason


def test_nothing_lapses_on_the_last_day_of_grace(holder):
    issue_2027_renewal(holder)
    assert lapse_overdue_credentials(on=dt.date(2027, 3, 31)) == 0


def test_lapsing_twice_lapses_nothing_new(holder):
    issue_2027_renewal(holder)
    lapse_overdue_credentials(on=dt.date(2027, 4, 1))
    assert lapse_overdue_credentials(on=dt.date(2027, 4, 2)) == 0


def test_a_lapse_adds_the_reinstatement_fee_to_the_open_invoice(holder):
    renewal = issue_2027_renewal(holder)
    lapse_overdue_credentials(on=dt.date(2027, 4, 1))
    renewal.refresh_from_db()
    invoice = renewal.invoice
    assert renewal.reinstatement
    assert invoice.total_cents == 15000 + 5000
    assert invoice.lines.filter(kind=LineKind.REINSTATEMENT_FEE).get().amount_cents == 5000
    assert renewal.items.get().reinstatement_fee_cents == 5000


def test_a_paid_invoice_is_not_changed_by_a_lapse(holder, staff):
    renewal = issue_2027_renewal(holder)
    states.pay_by_cheque(renewal, staff)
    renewal.invoice.refresh_from_db()
    assert renewal.invoice.status == InvoiceStatus.PAID
    lapse_overdue_credentials(on=dt.date(2027, 4, 1))
    renewal.invoice.refresh_from_db()
    assert renewal.invoice.total_cents == 15000
    assert not renewal.invoice.lines.filter(kind=LineKind.REINSTATEMENT_FEE).exists()


@pytest.mark.parametrize(
    "on",
    [
        dt.date(2026, 10, 31),
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 1),
        dt.date(2027, 3, 31),
        dt.date(2027, 4, 1),
        dt.date(2027, 11, 15),
    ],
)
def test_the_status_filter_agrees_with_the_rule_on_every_boundary(on):
    holder = HolderFactory()
    for code, valid_through in [
        ("CAM", dt.date(2026, 12, 31)),
        ("CALP", dt.date(2025, 12, 31)),
        ("CAS", dt.date(2027, 12, 31)),
        ("CAMT", None),
    ]:
        CredentialFactory(
            holder=holder, credential_type=credential_type(code), valid_through=valid_through
        )
    book = selectors.RequirementBook()
    for status in (rules.ACTIVE, rules.RENEWAL_DUE, rules.IN_GRACE, rules.LAPSED):
        filtered = set(
            Credential.objects.filter(selectors.credential_status_q(status, on, book)).values_list(
                "number", flat=True
            )
        )
        by_rule = {c.number for c in Credential.objects.all() if book.status_of(c, on) == status}
        assert filtered == by_rule, status
