"""Issuing a renewal year for the membership on a real Celery worker and Redis: every
holder gets exactly one invoice email, even when the worker is killed mid-run."""

import datetime as dt
import time

import pytest
from django.contrib.auth.hashers import make_password

from credentials import rules, selectors
from credentials.models import (
    ContactProfile,
    Credential,
    IssueRun,
    OutboxMessage,
    Renewal,
    User,
)
from credentials.services.issue_runs import start_issue_run
from payments.models import Invoice
from tests.factories import credential_type
from tests.support.processes import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOLDERS = 200
CHUNK_SIZE = 20
TIMEOUT = 420  # seconds: 200 invoice PDFs rendered on a 2-core machine, with a restart


@pytest.fixture
def year():
    return rules.renewal_year_on(selectors.today())


@pytest.fixture
def membership(year):
    """HOLDERS holders, each with a CAM that the renewal for `year` renews."""
    password = make_password(None)  # unusable: these holders never sign in
    users = User.objects.bulk_create(
        User(email=f"member{n:03d}@example.org", first_name="Member", last_name=f"{n:03d}",
             password=password)
        for n in range(HOLDERS)
    )  # fmt: skip
    ContactProfile.objects.bulk_create(
        ContactProfile(
            user=user, phone="(719) 555-0100", address_line1=f"{n} Main St",
            city="Colorado Springs", state="CO", postal_code="80903",
        )
        for n, user in enumerate(users)
    )  # fmt: skip
    cam = credential_type("CAM")
    Credential.objects.bulk_create(
        Credential(
            holder=user,
            credential_type=cam,
            number=f"CAM-{n:05d}",
            earned_on=dt.date(2019, 5, 1),
            valid_through=dt.date(year - 1, 12, 31),
        )
        for n, user in enumerate(users)
    )
    return users


def invoice_emails(year):
    return OutboxMessage.objects.filter(kind="renewal_invoice", renewal__year=year)


def all_sent(year):
    emails = invoice_emails(year)
    return emails.count() == HOLDERS and not emails.exclude(status="sent").exists()


def wait_until_all_sent(year, workers):
    try:
        wait_for(
            lambda: all_sent(year), timeout=TIMEOUT, interval=0.25, message="200 invoice emails"
        )
    except TimeoutError as exc:
        counts = {
            status: invoice_emails(year).filter(status=status).count()
            for status in ("pending", "sent", "failed")
        }
        pytest.fail(f"{exc}; invoice emails by status: {counts}\n{workers.logs()}")


def assert_exactly_one_invoice_email_per_holder(year, membership):
    emails = invoice_emails(year)
    assert emails.count() == HOLDERS
    assert emails.values("holder").distinct().count() == HOLDERS
    assert set(emails.values_list("holder_id", flat=True)) == {user.pk for user in membership}
    assert Renewal.objects.filter(year=year).count() == HOLDERS
    invoices = Invoice.objects.filter(renewal__year=year)
    assert invoices.count() == HOLDERS
    assert invoices.values("number").distinct().count() == HOLDERS
    assert all(message.attachments[0]["document"] == "invoice_pdf" for message in emails)


def test_issuing_renewals_for_200_holders_sends_200_invoice_emails(
    membership, year, celery_workers
):
    workers = celery_workers
    workers.start()
    run = start_issue_run(year, chunk_size=CHUNK_SIZE)
    wait_until_all_sent(year, workers)

    assert_exactly_one_invoice_email_per_holder(year, membership)
    run.refresh_from_db()
    wait_for(lambda: IssueRun.objects.get(pk=run.pk).finished_at, timeout=30, message="run done")
    run.refresh_from_db()
    assert run.status == IssueRun.Status.DONE
    assert run.holders_total == HOLDERS
    assert run.chunks.count() == HOLDERS // CHUNK_SIZE
    assert sum(run.chunks.values_list("renewals_issued", flat=True)) == HOLDERS
    delivered = workers.sent_mail()
    assert len(delivered) == HOLDERS
    assert all("application/pdf" in message for message in delivered)


def test_a_worker_killed_mid_run_and_restarted_still_sends_exactly_200(
    membership, year, celery_workers
):
    workers = celery_workers
    first = workers.start()
    start_issue_run(year, chunk_size=CHUNK_SIZE)
    # Kill it while it is busy: some renewals issued, most emails not yet sent.
    wait_for(
        lambda: Renewal.objects.filter(year=year).exists(),
        timeout=120,
        interval=0.2,
        message="the first renewals",
    )
    time.sleep(1.5)
    first.kill()
    sent_before_the_crash = invoice_emails(year).filter(status="sent").count()
    assert sent_before_the_crash < HOLDERS, "the worker finished before it could be killed"

    workers.start()
    wait_until_all_sent(year, workers)

    assert_exactly_one_invoice_email_per_holder(year, membership)
    # A crash between the mail server accepting a message and the outbox recording it can
    # repeat that one message; never more than the two the killed worker had in hand.
    delivered = workers.sent_mail()
    assert HOLDERS <= len(delivered) <= HOLDERS + 2
