"""The outbox: every email is a row with a unique key first, so a retried or duplicated
task sends nothing twice; a mail failure is recorded with its error and retried."""

import datetime as dt
from smtplib import SMTPServerDisconnected

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credentials import tasks
from credentials.models import OutboxMessage
from credentials.notifications import queue_message
from credentials.services import outbox

pytestmark = pytest.mark.django_db


def queue(holder, key="test:1"):
    return queue_message(
        holder=holder,
        kind="reminder",
        dedupe_key=key,
        context={"open_steps": [], "progress": None, "days_to_due": 30},
        renewal=None,
    )


@pytest.fixture
def message(holder):
    return queue(holder)


@pytest.fixture
def failing_mail(monkeypatch):
    """The mail server refuses the next `failures["left"]` messages."""
    failures = {"left": 10_000}
    real_send = EmailBackend.send_messages

    def send_messages(self, messages):
        if failures["left"] > 0:
            failures["left"] -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return failures


@pytest.fixture
def retries_in_process():
    """Eager tasks run their retries at once, as a worker would minus the waits (Celery
    re-applies an eager retry only when eager errors are not propagated)."""
    from renewal_portal.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_queueing_the_same_message_twice_records_it_once(holder):
    first = queue(holder)
    second = queue(holder)
    assert first is not None
    assert second is None
    assert OutboxMessage.objects.filter(dedupe_key="test:1").count() == 1


def test_a_queued_message_is_sent_after_its_transaction_commits(
    holder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(holder)
        assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert [email.to for email in mail.outbox] == [[holder.email]]


def test_a_message_rolled_back_with_its_transaction_is_never_sent(
    holder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            queue(holder)
            raise RuntimeError("the state change failed")
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_a_duplicated_send_task_sends_the_email_once(message):
    assert tasks.send_outbox_message.delay(message.pk).get() is True
    assert tasks.send_outbox_message.delay(message.pk).get() is False
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_task_for_a_message_that_is_gone_does_nothing(db):
    assert tasks.send_outbox_message.delay(999_999).get() is False
    assert mail.outbox == []


def test_a_mail_failure_is_recorded_on_the_message_with_its_error(message, failing_mail):
    with pytest.raises(SMTPServerDisconnected):
        outbox.send_outbox_message(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert message.attempts == 1
    assert message.sent_at is None


def test_a_failed_send_is_retried_and_then_sent_once(message, failing_mail, retries_in_process):
    failing_mail["left"] = 2
    result = tasks.send_outbox_message.delay(message.pk)
    assert result.get() is True
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 3
    assert message.last_error == ""
    assert len(mail.outbox) == 1


def test_a_message_that_keeps_failing_stays_failed_after_its_retries(
    message, failing_mail, retries_in_process
):
    result = tasks.send_outbox_message.delay(message.pk)
    assert result.failed()
    assert isinstance(result.result, SMTPServerDisconnected)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == tasks.send_outbox_message.max_retries + 1
    assert mail.outbox == []


def test_the_send_task_retries_with_backoff_and_acks_late():
    task = tasks.send_outbox_message
    assert task.acks_late is True
    assert task.retry_backoff == 30
    assert task.max_retries >= 3


def test_the_sweep_sends_pending_messages_nobody_picked_up(holder):
    stale = queue(holder, key="test:stale")
    fresh = queue(holder, key="test:fresh")
    OutboxMessage.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - outbox.STALE_AFTER - dt.timedelta(minutes=1)
    )
    assert tasks.send_pending_outbox.delay().get() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == OutboxMessage.Status.SENT
    assert fresh.status == OutboxMessage.Status.PENDING


def test_the_sweep_leaves_sent_and_failed_messages_alone(holder):
    old = timezone.now() - dt.timedelta(hours=1)
    sent = queue(holder, key="test:sent")
    failed = queue(holder, key="test:failed")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent", created_at=old)
    OutboxMessage.objects.filter(pk=failed.pk).update(status="failed", created_at=old)
    assert outbox.send_pending() == 0
    assert mail.outbox == []


def changelist():
    return reverse("admin:credentials_outboxmessage_changelist")


def test_staff_see_failed_messages_with_their_error_in_admin(staff_client, message, failing_mail):
    with pytest.raises(SMTPServerDisconnected):
        outbox.send_outbox_message(message.pk)
    response = staff_client.get(changelist(), {"status__exact": "failed"})
    assert response.status_code == 200
    assert message.to_email in response.content.decode()
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in response.content.decode()


def test_the_outbox_status_filter_hides_other_messages(staff_client, holder, other_holder):
    queue(holder, key="test:pending")
    sent = queue(other_holder, key="test:sent")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent")
    response = staff_client.get(changelist(), {"status__exact": "pending"})
    body = response.content.decode()
    assert holder.email in body
    assert other_holder.email not in body


def test_staff_retry_failed_messages_from_admin(
    staff_client, message, failing_mail, django_capture_on_commit_callbacks
):
    with pytest.raises(SMTPServerDisconnected):
        outbox.send_outbox_message(message.pk)
    failing_mail["left"] = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            changelist(), {"action": "retry_failed", "_selected_action": [message.pk]}
        )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


def test_retry_leaves_sent_messages_alone(
    staff_client, message, django_capture_on_commit_callbacks
):
    outbox.send_outbox_message(message.pk)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            changelist(), {"action": "retry_failed", "_selected_action": [message.pk]}
        )
    assert len(mail.outbox) == 1


def test_outbox_messages_cannot_be_edited_or_deleted_in_admin(staff_client, message):
    change = reverse("admin:credentials_outboxmessage_change", args=[message.pk])
    response = staff_client.post(change, {"subject": "changed", "status": "sent"})
    message.refresh_from_db()
    assert message.subject != "changed"
    assert message.status == OutboxMessage.Status.PENDING
    delete = reverse("admin:credentials_outboxmessage_delete", args=[message.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert OutboxMessage.objects.filter(pk=message.pk).exists()
    assert response.status_code in (302, 403, 200)


def test_holders_and_reviewers_cannot_see_the_outbox(holder_client, reviewer_client, message):
    assert holder_client.get(changelist()).status_code == 302  # to the admin sign-in
    assert reviewer_client.get(changelist()).status_code in (302, 403)


def test_a_message_sent_again_after_a_crash_carries_the_same_message_id(message, other_holder):
    """A worker killed after the mail server took the message but before the send was
    recorded sends it again (no mail server and database commit together): the copy
    has the same Message-ID, which mail clients use to show it once."""
    first = outbox.build_email(message).message()["Message-ID"]
    again = outbox.build_email(OutboxMessage.objects.get(pk=message.pk)).message()["Message-ID"]
    another = outbox.build_email(queue(other_holder, key="test:2")).message()["Message-ID"]
    assert first and first == again
    assert another != first
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[1].rstrip(">")
    assert first.startswith("<") and first.endswith(f"@{domain}>")
