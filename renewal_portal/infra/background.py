"""Handing work to Celery by task name. The outbox and the background runs enqueue tasks
whose modules import them back (a task calls the service that queued it); naming the
task, rather than importing its module, keeps every import one-way. Celery finds the
tasks modules of every installed app when its registry is first read."""

from celery import current_app


def task(name: str):
    """The registered Celery task called `name` (its module path and function name)."""
    return current_app.tasks[name]


def tasks_run_eagerly() -> bool:
    """In tests and eager mode a task runs in the caller, so a broker error is its own."""
    return bool(current_app.conf.task_always_eager)
