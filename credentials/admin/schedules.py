"""The beat schedules (django-celery-beat's periodic tasks) with least privilege.

AASC staff pause, resume and run a schedule now; what a schedule runs (task, arguments,
timing, queue) is the superuser's to change (credentials.roles). Every pause, resume,
run and change is in the admin log with who did it; a superuser's change names each
field's value before and after.
"""

from django import forms
from django.contrib import admin, messages
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from credentials import roles

admin.site.unregister(PeriodicTask)


class ScheduleSwitchForm(forms.ModelForm):
    """What staff may change on a schedule's page: whether it runs."""

    class Meta:
        model = PeriodicTask
        fields = ["enabled"]


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    actions = ["pause_schedules", "resume_schedules", "run_schedules_now"]
    staff_fieldsets = (
        (None, {"fields": ("name", "task", "enabled", "description")}),
        (
            "Schedule",
            {
                "fields": (
                    "interval",
                    "crontab",
                    "crontab_translation",
                    "solar",
                    "clocked",
                    "start_time",
                    "last_run_at",
                    "one_off",
                )
            },
        ),
        ("Arguments", {"fields": ("args", "kwargs")}),
        (
            "Execution options",
            {"fields": ("expires", "expire_seconds", "queue", "exchange", "routing_key")},
        ),
    )

    def get_fieldsets(self, request, obj=None):
        if roles.changes_schedule_arguments(request.user):
            return super().get_fieldsets(request, obj)
        return self.staff_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if roles.changes_schedule_arguments(request.user):
            return super().get_readonly_fields(request, obj)
        shown = [name for _, options in self.staff_fieldsets for name in options["fields"]]
        return [name for name in shown if name != "enabled"]

    def get_form(self, request, obj=None, **kwargs):
        if not roles.changes_schedule_arguments(request.user):
            kwargs["form"] = ScheduleSwitchForm
        return super().get_form(request, obj, **kwargs)

    def construct_change_message(self, request, form, formsets, add=False):
        if add or not form.changed_data:
            return super().construct_change_message(request, form, formsets, add)
        changes = [
            f"{name}: {form.initial.get(name)!r} → {form.cleaned_data.get(name)!r}"
            for name in form.changed_data
            if name != "regtask"
        ]
        return "Changed " + "; ".join(changes) + "."

    def _switch(self, request, queryset, enabled, verb):
        tasks = list(queryset)
        queryset.update(enabled=enabled)
        PeriodicTasks.update_changed()
        for task in tasks:
            self.log_change(request, task, f"{verb} the schedule.")
        self.message_user(request, f"{verb} {len(tasks)} schedule(s).", messages.SUCCESS)

    @admin.action(description="Pause the selected schedules", permissions=["change"])
    def pause_schedules(self, request, queryset):
        self._switch(request, queryset, False, "Paused")

    @admin.action(description="Resume the selected schedules", permissions=["change"])
    def resume_schedules(self, request, queryset):
        self._switch(request, queryset, True, "Resumed")

    @admin.action(description="Run the selected schedules now", permissions=["change"])
    def run_schedules_now(self, request, queryset):
        tasks = list(queryset)
        self.run_tasks(request, queryset)
        for task in tasks:
            self.log_change(request, task, "Ran the schedule now.")
