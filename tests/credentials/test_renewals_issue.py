"""Issuing renewals: which credentials, what is owed, the invoice and its email."""

import datetime as dt
import gc
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials import signals
from credentials.models import OutboxMessage, Renewal, RequirementSet
from credentials.services.outbox import build_email, send_outbox_message
from credentials.services.renewals import issue_renewal_for, issue_renewals
from payments.models import Invoice, LineKind
from tests.factories import CredentialFactory, HolderFactory, credential_type

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]


def holding(holder, *codes, valid_through=dt.date(2026, 12, 31)):
    return [
        CredentialFactory(holder=holder, credential_type=credential_type(code), valid_through=vt)
        for code in codes
        for vt in [None if code == "CAMT" else valid_through]
    ]


def test_a_cam_and_calp_holder_owes_eight_cecs_not_thirteen(holder):
    holding(holder, "CAM", "CALP")
    renewal = issue_renewal_for(holder, 2027)
    assert renewal.cecs_owed == Decimal("8")
    assert renewal.in_network_min == Decimal("5")
    assert renewal.participation_cap == Decimal("2")
    assert renewal.governing_type.code == "CAM"


def test_the_renewal_copies_each_credentials_requirement_and_fee(holder):
    holding(holder, "CAM", "CALP")
    renewal = issue_renewal_for(holder, 2027)
    items = {item.credential.credential_type.code: item for item in renewal.items.all()}
    assert items["CAM"].cecs_owed == Decimal("8")
    assert items["CAM"].fee_cents == 15000
    assert items["CALP"].cecs_owed == Decimal("5")
    assert items["CALP"].in_network_min == Decimal("3")
    assert items["CALP"].fee_cents == 7500


def test_the_renewal_is_due_1_january_with_grace_until_31_march(holder):
    holding(holder, "CAM")
    renewal = issue_renewal_for(holder, 2027)
    assert renewal.due_on == dt.date(2027, 1, 1)
    assert renewal.grace_ends_on == dt.date(2027, 3, 31)


def test_the_invoice_has_one_line_per_credential_fee_and_the_total(holder):
    holding(holder, "CAM", "CALP")
    invoice = issue_renewal_for(holder, 2027).invoice
    lines = list(invoice.lines.all())
    assert [line.kind for line in lines] == [LineKind.RENEWAL_FEE, LineKind.RENEWAL_FEE]
    assert [line.amount_cents for line in lines] == [7500, 15000]  # CALP, CAM by code
    assert invoice.total_cents == 22500
    assert invoice.status == "open"
    assert invoice.issued_on == dt.date(2026, 11, 25)


def test_a_holder_with_only_camt_gets_no_renewal(holder):
    holding(holder, "CAMT")
    assert issue_renewal_for(holder, 2027) is None
    assert not Renewal.objects.filter(holder=holder).exists()


def test_camt_is_left_off_a_renewal_of_other_credentials(holder):
    holding(holder, "CAMT", "AIME")
    renewal = issue_renewal_for(holder, 2027)
    assert [i.credential.credential_type.code for i in renewal.items.all()] == ["AIME"]
    assert renewal.cecs_owed == Decimal("5")


def test_a_credential_already_renewed_through_the_year_is_not_included(holder):
    holding(holder, "CAM")
    holding(holder, "CALP", valid_through=dt.date(2027, 12, 31))
    renewal = issue_renewal_for(holder, 2027)
    assert [i.credential.credential_type.code for i in renewal.items.all()] == ["CAM"]


def test_a_lapsed_credential_adds_the_reinstatement_fee_line(holder):
    holding(holder, "CALP", valid_through=dt.date(2024, 12, 31))
    renewal = issue_renewal_for(holder, 2027)
    assert renewal.reinstatement
    invoice = renewal.invoice
    kinds = [(line.kind, line.amount_cents) for line in invoice.lines.all()]
    assert kinds == [(LineKind.RENEWAL_FEE, 7500), (LineKind.REINSTATEMENT_FEE, 5000)]
    assert invoice.total_cents == 12500


def test_a_credential_in_grace_is_renewed_without_a_reinstatement_fee(clock, holder):
    holding(holder, "CAM", valid_through=dt.date(2026, 12, 31))
    clock.move_to(2027, 3, 31, 12)
    renewal = issue_renewal_for(holder, 2027)
    assert not renewal.reinstatement
    assert renewal.invoice.total_cents == 15000


def test_the_reinstatement_fee_applies_from_the_day_after_grace_ends(clock, holder):
    holding(holder, "CAM", valid_through=dt.date(2026, 12, 31))
    clock.move_to(2027, 4, 1, 12)
    renewal = issue_renewal_for(holder, 2027)
    assert renewal.reinstatement
    assert renewal.invoice.total_cents == 15000 + 5000


@pytest.mark.postgres  # locking and unique constraints: run on PostgreSQL too
def test_issuing_twice_creates_nothing_new(holder):
    holding(holder, "CAM", "CALP")
    first = issue_renewals(2027)
    second = issue_renewals(2027)
    assert (first.issued, second.issued) == (1, 0)
    assert second.already_issued == 1
    assert Renewal.objects.count() == 1
    assert Invoice.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="renewal_invoice").count() == 1


def test_changing_the_catalog_next_year_does_not_change_last_years_invoice(holder):
    holding(holder, "CAM")
    renewal = issue_renewal_for(holder, 2027)
    RequirementSet.objects.filter(credential_type__code="CAM", last_year__isnull=True).update(
        cecs_owed=Decimal("12"), in_network_min=Decimal("6"), annual_fee_cents=20000
    )
    renewal.refresh_from_db()
    assert renewal.cecs_owed == Decimal("8")
    assert renewal.invoice.total_cents == 15000
    assert renewal.invoice.lines.get().cecs_owed == Decimal("8")


def test_the_2021_renewal_is_judged_by_the_old_requirement_set(clock, holder):
    holding(holder, "CAM", "CALP", valid_through=dt.date(2020, 12, 31))
    clock.move_to(2020, 11, 2, 12)
    renewal = issue_renewal_for(holder, 2021)
    assert renewal.cecs_owed == Decimal("6")  # CAM + NALP owes 6, not 9


def test_the_invoice_email_is_queued_with_the_invoice_pdf(holder):
    holding(holder, "CAM", "CALP")
    renewal = issue_renewal_for(holder, 2027)
    message = OutboxMessage.objects.get(kind="renewal_invoice")
    assert message.dedupe_key == f"renewal_invoice:{renewal.pk}"
    assert message.attachments == [{"document": "invoice_pdf", "id": renewal.invoice.pk}]
    email = build_email(message)  # the text is rendered when the email is sent
    assert renewal.invoice.number in email.subject
    assert "CECs owed for the 2027 renewal: 8" in email.body
    assert "January 1, 2026 to December 31, 2026" in email.body


def test_issuing_renders_no_email_text_and_the_send_records_what_was_sent(holder):
    holding(holder, "CAM")
    renewal = issue_renewal_for(holder, 2027)
    message = OutboxMessage.objects.get(kind="renewal_invoice")
    assert (message.subject, message.body_text) == ("", "")
    assert send_outbox_message(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.subject == mail.outbox[0].subject
    assert renewal.invoice.number in message.subject
    assert message.body_text == mail.outbox[0].body
    assert "Total: $150.00" in message.body_text


def test_the_invoice_email_is_sent_after_commit_with_the_pdf_attached(
    holder, django_capture_on_commit_callbacks
):
    holding(holder, "CAM")
    with django_capture_on_commit_callbacks(execute=True):
        renewal = issue_renewal_for(holder, 2027)
    assert len(mail.outbox) == 1
    filename, content, mimetype = mail.outbox[0].attachments[0]
    assert filename == f"AASC-invoice-{renewal.invoice.number}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_an_inactive_holder_is_not_issued_a_renewal(holder):
    holding(holder, "CAM")
    holder.is_active = False
    holder.save()
    assert issue_renewals(2027).issued == 0


def test_the_summary_counts_what_was_issued_and_skipped():
    with_cam, only_camt, renewed = HolderFactory(), HolderFactory(), HolderFactory()
    holding(with_cam, "CAM")
    holding(only_camt, "CAMT")
    holding(renewed, "CALP", valid_through=dt.date(2027, 12, 31))
    summary = issue_renewals(2027, holder_ids=[with_cam.pk, only_camt.pk, renewed.pk])
    assert (summary.holders, summary.issued, summary.nothing_due) == (3, 1, 2)
    assert summary.invoiced_cents == 15000
    assert "1 issued" in str(summary)


def test_issuing_for_many_holders_takes_the_same_queries_as_for_a_few():
    holders = HolderFactory.create_batch(36)
    for person in holders:
        holding(person, "CAM", "CALP")
    ids = [person.pk for person in holders]
    issue_renewals(2027, holder_ids=ids[:3])  # first run of the year creates its sequence
    with CaptureQueriesContext(connection) as few:
        issue_renewals(2027, holder_ids=ids[3:6])
    with CaptureQueriesContext(connection) as many:
        summary = issue_renewals(2027, holder_ids=ids[6:])
    assert summary.issued == 30
    assert len(many) == len(few) <= 25
    assert Invoice.objects.count() == 36


def test_a_batch_is_issued_without_automatic_garbage_collection_and_it_resumes_after():
    # Issue 19: collections walking a batch's rows cost a fifth of the invoice run's CPU.
    holders = HolderFactory.create_batch(3)
    for person in holders:
        holding(person, "CAM")
    seen = []

    def receiver(sender, renewals, **kwargs):
        seen.append(gc.isenabled())

    signals.renewals_issued.connect(receiver)
    try:
        summary = issue_renewals(2027, holder_ids=[p.pk for p in holders], batch_size=2)
    finally:
        signals.renewals_issued.disconnect(receiver)
    assert summary.issued == 3
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_failing_batch_leaves_garbage_collection_on(holder):
    holding(holder, "CAM")

    def receiver(sender, renewals, **kwargs):
        raise RuntimeError("payments is down")

    signals.renewals_issued.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            issue_renewals(2027, holder_ids=[holder.pk])
    finally:
        signals.renewals_issued.disconnect(receiver)
    assert gc.isenabled()
    assert not Renewal.objects.filter(holder=holder).exists()


def test_issue_renewals_command_is_idempotent_and_prints_a_summary(holder):
    holding(holder, "CAM")
    out, err = StringIO(), StringIO()
    call_command("issue_renewals", "--year", "2027", "--noinput", stdout=out, stderr=err)
    assert "1 holder will be issued their 2027 renewal" in out.getvalue()
    assert "Issued 1 new 2027 renewal" in out.getvalue()
    assert "holder" in err.getvalue()  # the progress bar
    out = StringIO()
    call_command("issue_renewals", "--year", "2027", "--noinput", stdout=out, stderr=StringIO())
    assert "Issued 0 new 2027 renewals" in out.getvalue()
    assert "1 already issued" in out.getvalue()
    assert Renewal.objects.count() == 1
