"""The background schedules, as django-celery-beat rows that staff see and edit in admin
(Periodic tasks). Created once: a later migrate never overwrites what staff changed."""

import json

from django.db import migrations

TIMEZONE = "America/Denver"

SCHEDULES = [
    # name, task, crontab (minute, hour, day_of_month, month_of_year), description
    (
        "Issue renewals",
        "credentials.tasks.issue_renewals_for_season",
        ("0", "6", "1", "11"),
        "On 1 November: issue next year's renewals with their invoices and emails.",
    ),
    (
        "Send reminders",
        "credentials.tasks.send_due_reminders",
        ("0", "8", "*", "*"),
        "Daily: remind holders before the due date and during grace (each reminder once).",
    ),
    (
        "Lapse overdue credentials",
        "credentials.tasks.lapse_overdue_credentials",
        ("30", "0", "*", "*"),
        "Daily: lapse credentials whose grace ended and tell their holders.",
    ),
    (
        "Send pending outbox",
        "credentials.tasks.send_pending_outbox",
        ("*/15", "*", "*", "*"),
        "Every 15 minutes: send outbox messages that were queued but never picked up.",
    ),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, (minute, hour, day, month), description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day,
            month_of_year=month,
            day_of_week="*",
            timezone=TIMEZONE,
        )
        PeriodicTask.objects.create(
            name=name,
            task=task,
            crontab=crontab,
            args=json.dumps([]),
            kwargs=json.dumps({}),
            description=description,
            enabled=True,
        )
    # Tell a running beat that the schedule changed (what PeriodicTask.save() does).
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0004_issue_runs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
