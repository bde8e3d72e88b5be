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


# --- Least privilege (issue 15.2): staff pause, resume and run; a superuser changes -------


def _superuser_client():
    from django.test import Client

    from tests.factories import SuperuserFactory

    client = Client()
    client.force_login(SuperuserFactory(email="root@example.org"))
    return client


def _change_url(task):
    return reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])


def test_staff_may_only_switch_a_schedule_on_or_off_in_its_form(staff_client):
    from tests.support.admin_forms import editable_fields

    response = staff_client.get(_change_url(schedule("Send reminders")))
    assert editable_fields(response) == {"enabled"}


def test_a_crafted_post_by_staff_changes_no_task_arguments_or_schedule(staff_client):
    from django_celery_beat.models import CrontabSchedule

    task = schedule("Issue renewals")
    other = CrontabSchedule.objects.create(minute="*", hour="*")
    staff_client.post(
        _change_url(task),
        {
            "name": task.name,
            "regtask": "credentials.tasks.lapse_overdue_credentials",
            "task": "credentials.tasks.lapse_overdue_credentials",
            "args": '["2099"]',
            "kwargs": '{"year": 2099}',
            "crontab": other.pk,
            "enabled": "",
            "queue": "evil",
        },
    )
    task.refresh_from_db()
    assert task.task == "credentials.tasks.issue_renewals_for_season"
    assert (task.args, task.kwargs, task.queue) == ("[]", "{}", None)
    assert task.crontab.month_of_year == "11"
    assert not task.enabled  # switching it off is what staff may do


def test_staff_pause_and_resume_schedules_and_it_is_logged(staff_client, staff):
    from django.contrib.admin.models import LogEntry

    task = schedule("Send reminders")
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    staff_client.post(url, {"action": "pause_schedules", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert not task.enabled
    staff_client.post(url, {"action": "resume_schedules", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert task.enabled
    messages = list(
        LogEntry.objects.filter(object_id=str(task.pk), user=staff).values_list(
            "change_message", flat=True
        )
    )
    assert any("Paused" in m for m in messages) and any("Resumed" in m for m in messages)


def test_staff_run_a_schedule_now(staff_client, staff):
    from django.contrib.admin.models import LogEntry

    task = schedule("Send pending outbox")
    response = staff_client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "run_schedules_now", "_selected_action": [task.pk]},
        follow=True,
    )
    assert "successfully run" in response.content.decode()
    assert LogEntry.objects.filter(object_id=str(task.pk), user=staff).exists()


def test_the_schedule_actions_declare_their_permissions():
    from django.contrib import admin

    model_admin = admin.site._registry[PeriodicTask]
    for action in model_admin.actions:
        assert getattr(getattr(model_admin, action), "allowed_permissions", None), action


def test_a_superuser_changes_a_tasks_arguments_and_the_log_says_from_what_to_what():
    from django.contrib.admin.models import LogEntry

    from tests.support.admin_forms import admin_post_data

    client = _superuser_client()
    task = schedule("Send reminders")
    data = admin_post_data(client.get(_change_url(task)))
    data.update(args='["weekly"]', regtask=task.task)
    response = client.post(_change_url(task), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.args == '["weekly"]'
    entry = LogEntry.objects.filter(object_id=str(task.pk)).latest("action_time")
    assert "[]" in entry.change_message and '["weekly"]' in entry.change_message
