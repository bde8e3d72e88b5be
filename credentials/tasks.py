from celery import shared_task

from credentials.services import outbox


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_outbox_message(message_id):
    return outbox.send_outbox_message(message_id)
