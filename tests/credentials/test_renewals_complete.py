"""Completing a renewal (SPEC rule 8): all four steps done renews each credential
through 31 December of the renewal year and confirms it to the holder, once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cec.services.submissions import approve_submission, submit_cecs
from credentials.models import Credential, OutboxMessage
from credentials.services.profiles import confirm_contact_details
from credentials.services.renewals import complete_if_done, issue_renewal_for, mark_cec_status_seen
from payments.services.payments import record_offline_payment
from renewal_portal.composition.renewal_steps import renewal_steps
from tests.factories import (
    ContactProfileFactory,
    CredentialFactory,
    LedgerEntryFactory,
    ReviewerFactory,
    StaffFactory,
    credential_type,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]


@pytest.fixture
def renewal(holder):
    for code in ("CAM", "CALP"):
        CredentialFactory(
            holder=holder,
            credential_type=credential_type(code),
            valid_through=dt.date(2026, 12, 31),
        )
    return issue_renewal_for(holder, 2027)


def confirm_contact(renewal):
    ContactProfileFactory(user=renewal.holder)
    confirm_contact_details(renewal, by=renewal.holder)
    renewal.refresh_from_db()


def pay(renewal):
    invoice = renewal.invoice
    record_offline_payment(
        invoice, invoice.total_cents, "1042", timezone.localdate(), by=StaffFactory()
    )
    invoice.refresh_from_db()
    renewal.refresh_from_db()


def see_cec_status(renewal):
    mark_cec_status_seen(renewal, by=renewal.holder)
    renewal.refresh_from_db()


def approve_cecs(renewal):
    entries = [
        LedgerEntryFactory(holder=renewal.holder, hours=Decimal("4"), earned_on=dt.date(2026, 4, 2))
        for _ in range(2)
    ]
    submission = submit_cecs(renewal, entries, by=renewal.holder)
    approve_submission(submission, by=ReviewerFactory())
    renewal.refresh_from_db()


STEPS = {
    "contact": confirm_contact,
    "payment": pay,
    "cec_status": see_cec_status,
    "cec_approval": approve_cecs,
}


def test_a_new_renewal_has_four_steps_none_done(renewal):
    steps = renewal_steps(renewal)
    assert [step.key for step in steps] == list(STEPS)
    assert steps.done_count == 0


@pytest.mark.parametrize("done_step", list(STEPS))
def test_each_step_is_derived_from_its_record(renewal, done_step):
    STEPS[done_step](renewal)
    steps = renewal_steps(renewal)
    assert [step.key for step in steps if step.done] == [done_step]


def test_a_waiting_submission_does_not_count_as_cecs_approved(renewal):
    entries = [LedgerEntryFactory(holder=renewal.holder, hours=Decimal("8"))]
    submit_cecs(renewal, entries, by=renewal.holder)
    step = renewal_steps(renewal)["cec_approval"]
    assert not step.done
    assert "waiting for NAAEI review" in step.detail


def test_all_four_steps_done_renews_each_credential_through_31_december(renewal, holder):
    for step in STEPS.values():
        step(renewal)
    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    assert set(
        Credential.objects.filter(holder=holder).values_list("valid_through", flat=True)
    ) == {dt.date(2027, 12, 31)}


@pytest.mark.parametrize("missing_step", list(STEPS))
def test_a_renewal_missing_any_step_is_not_completed(renewal, holder, missing_step):
    for key, step in STEPS.items():
        if key != missing_step:
            step(renewal)
    assert complete_if_done(renewal) is False
    renewal.refresh_from_db()
    assert renewal.completed_at is None
    assert not Credential.objects.filter(
        holder=holder, valid_through=dt.date(2027, 12, 31)
    ).exists()


def test_completing_queues_one_confirmation_email_however_often_it_is_called(renewal):
    for step in STEPS.values():
        step(renewal)
    assert complete_if_done(renewal) is False
    assert complete_if_done(renewal) is False
    messages = OutboxMessage.objects.filter(kind="renewal_complete")
    assert messages.count() == 1
    assert "renewed through December 31, 2027" in messages.get().body_text


def test_completing_leaves_a_history_record_with_the_reason(renewal, holder):
    for step in STEPS.values():
        step(renewal)
    renewal.refresh_from_db()
    latest = renewal.history.latest()
    assert latest.history_change_reason == "All four steps done: renewal complete"
    cam = Credential.objects.get(holder=holder, credential_type__code="CAM")
    assert "Renewed through December 31, 2027" in cam.history.latest().history_change_reason


def test_completing_a_lapsed_credentials_renewal_reinstates_it(holder):
    calp = CredentialFactory(
        holder=holder,
        credential_type=credential_type("CALP"),
        valid_through=dt.date(2024, 12, 31),
        lapsed_on=dt.date(2025, 4, 1),
        lapse_reason="Not renewed for 2025.",
    )
    renewal = issue_renewal_for(holder, 2027)
    for step in STEPS.values():
        step(renewal)
    calp.refresh_from_db()
    assert (calp.valid_through, calp.lapsed_on, calp.lapse_reason) == (
        dt.date(2027, 12, 31),
        None,
        "",
    )


def test_checking_cec_status_records_step_three_once(renewal, holder):
    mark_cec_status_seen(renewal, by=holder)
    renewal.refresh_from_db()
    first_seen = renewal.cec_status_seen_at
    assert first_seen is not None
    mark_cec_status_seen(renewal, by=holder)
    renewal.refresh_from_db()
    assert renewal.cec_status_seen_at == first_seen


@pytest.mark.parametrize("last_step", list(STEPS))
def test_doing_any_step_last_through_its_service_completes_the_renewal(renewal, holder, last_step):
    for key, step in STEPS.items():
        if key != last_step:
            step(renewal)
    renewal.refresh_from_db()
    assert renewal.completed_at is None

    STEPS[last_step](renewal)

    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    assert set(
        Credential.objects.filter(holder=holder).values_list("valid_through", flat=True)
    ) == {dt.date(2027, 12, 31)}
    assert OutboxMessage.objects.filter(kind="renewal_complete", renewal=renewal).count() == 1


def test_only_the_holder_can_check_their_cec_status(renewal, other_holder):
    with pytest.raises(ValidationError):
        mark_cec_status_seen(renewal, by=other_holder)
    renewal.refresh_from_db()
    assert renewal.cec_status_seen_at is None
