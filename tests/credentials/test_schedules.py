"""The background schedules are django-celery-beat rows that staff see and edit."""

import json

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from renewal_portal.celery import app

pytestmark = pytest.mark.django_db


def schedule(name):
    return PeriodicTask.objects.select_related("crontab").get(name=name)


def test_renewals_are_issued_on_1_november():
    task = schedule("Issue renewals")
    assert task.task == "credentials.tasks.issue_renewals_for_season"
    assert (task.crontab.day_of_month, task.crontab.month_of_year) == ("1", "11")
    assert task.enabled


@pytest.mark.parametrize(
    ("name", "task_name"),
    [
        ("Send reminders", "credentials.tasks.send_due_reminders"),
        ("Lapse overdue credentials", "credentials.tasks.lapse_overdue_credentials"),
    ],
)
def test_reminders_and_lapses_run_daily(name, task_name):
    task = schedule(name)
    assert task.task == task_name
    assert task.crontab.day_of_month == "*" and task.crontab.month_of_year == "*"
    assert task.crontab.hour.isdigit()
    assert str(task.crontab.timezone) == "America/Denver"


def test_every_scheduled_task_exists_in_the_celery_app():
    app.loader.import_default_modules()
    for task in PeriodicTask.objects.exclude(task__startswith="celery."):
        assert task.task in app.tasks, task.task
        assert json.loads(task.args) == []


def test_staff_can_change_a_schedule_in_admin(staff_client):
    task = schedule("Send reminders")
    url = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    assert staff_client.get(url).status_code == 200


def test_holders_cannot_see_the_schedules(holder_client):
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    assert holder_client.get(url).status_code == 302
