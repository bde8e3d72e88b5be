"""Issue 16.1: the credential core issues renewals and records lapses without importing
payments. It sends `renewals_issued` (once per batch, with each renewal's fees) and
`reinstatement_fee_due`; payments' receivers invoice, email and charge the fee, in the
same transaction. Issue 19: the rows the bulk path writes carry their history with who
and why, as the ORM's bulk_create_with_history wrote them."""

import ast
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from credentials import signals
from credentials.models import OutboxMessage, Renewal
from credentials.services.renewals import issue_renewals, lapse_overdue_credentials
from payments.models import Invoice, InvoiceStatus, LineKind
from tests.factories import CredentialFactory, HolderFactory, StaffFactory, credential_type
from tests.factories.renewal_states import pay_by_cheque

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def early_november_2026():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=DENVER), tick=False):
        yield


def holder_of(*codes, valid_through=dt.date(2026, 12, 31)):
    holder = HolderFactory()
    for code in codes:
        CredentialFactory(
            holder=holder, credential_type=credential_type(code), valid_through=valid_through
        )
    return holder


def test_the_renewal_service_imports_nothing_from_payments():
    tree = ast.parse((ROOT / "credentials/services/renewals.py").read_text())
    modules = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [m for m in modules if m and m.split(".")[0] == "payments"]


def test_issuing_sends_renewals_issued_once_per_batch_with_each_renewals_fees():
    holders = [holder_of("CAM"), holder_of("CAM", "CALP")]
    calls = []

    def receiver(sender, renewals, by=None, **kwargs):
        calls.append(renewals)

    signals.renewals_issued.connect(receiver)
    try:
        issue_renewals(2027, holder_ids=[h.pk for h in holders])
    finally:
        signals.renewals_issued.disconnect(receiver)
    assert len(calls) == 1
    issued = {r.holder_id: r for r in calls[0]}
    assert {r.renewal_id for r in calls[0]} == set(Renewal.objects.values_list("pk", flat=True))
    assert [i.type_code for i in issued[holders[1].pk].items] == ["CALP", "CAM"]
    assert issued[holders[0].pk].holder_email == holders[0].email
    invoice = Invoice.objects.get(renewal_id=issued[holders[1].pk].renewal_id)
    assert invoice.total_cents == issued[holders[1].pk].fees_cents


def test_a_receiver_that_fails_rolls_the_whole_batch_back():
    holder = holder_of("CAM")

    def broken(sender, **kwargs):
        raise RuntimeError("payments is down")

    signals.renewals_issued.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            issue_renewals(2027, holder_ids=[holder.pk])
    finally:
        signals.renewals_issued.disconnect(broken)
    assert not Renewal.objects.exists()
    assert not Invoice.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_issued_renewals_and_invoices_have_history_with_who_and_why(staff):
    holder = holder_of("CAM")
    issue_renewals(2027, holder_ids=[holder.pk], by=staff)
    renewal = Renewal.objects.get()
    record = renewal.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        staff,
        "2027 renewal issued",
    )
    assert record.issued_at == renewal.issued_at and renewal.issued_at is not None
    assert record.due_on == renewal.due_on and record.cecs_owed == renewal.cecs_owed
    invoice = renewal.invoice
    record = invoice.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        staff,
        "Renewal invoice issued",
    )
    assert (record.number, record.total_cents, record.status) == (
        invoice.number,
        invoice.total_cents,
        InvoiceStatus.OPEN,
    )
    message = OutboxMessage.objects.get()
    assert (message.holder, message.renewal, message.to_email) == (holder, renewal, holder.email)
    assert message.attachments == [{"document": "invoice_pdf", "id": invoice.pk}]


def test_a_lapse_with_the_invoice_paid_records_no_reinstatement_fee_anywhere():
    holder = holder_of("CAM")
    issue_renewals(2027, holder_ids=[holder.pk])
    renewal = Renewal.objects.get()
    pay_by_cheque(renewal, StaffFactory())
    lapse_overdue_credentials(on=dt.date(2027, 4, 1))
    renewal.refresh_from_db()
    assert not renewal.reinstatement
    assert renewal.items.get().reinstatement_fee_cents == 0
    assert not renewal.invoice.lines.filter(kind=LineKind.REINSTATEMENT_FEE).exists()


def test_a_lapse_with_the_invoice_open_charges_the_fee_through_payments():
    holder = holder_of("CAM")
    issue_renewals(2027, holder_ids=[holder.pk])
    calls = []

    def spy(sender, renewal, credential, fee_cents, by=None, **kwargs):
        calls.append((renewal.pk, credential.pk, fee_cents))

    signals.reinstatement_fee_due.connect(spy)
    try:
        lapse_overdue_credentials(on=dt.date(2027, 4, 1))
    finally:
        signals.reinstatement_fee_due.disconnect(spy)
    renewal = Renewal.objects.get()
    assert calls == [(renewal.pk, renewal.items.get().credential_id, 5000)]
    assert renewal.reinstatement and renewal.items.get().reinstatement_fee_cents == 5000
    line = renewal.invoice.lines.get(kind=LineKind.REINSTATEMENT_FEE)
    assert line.amount_cents == 5000 and renewal.invoice.total_cents == 15000 + 5000
