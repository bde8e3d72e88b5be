from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from credentials import rules


class Category(models.TextChoices):
    AASC_CLASS = "aasc_class", "AASC class"
    EXPO_CLASS = "expo_class", "Expo class"
    NAAEI_COURSE = "naaei_course", "NAAEI-approved course"
    CONFERENCE = "conference", "National conference"
    OTHER = "other", "Other"


class Course(models.Model):
    """A class AASC runs (or an Expo class, NAAEI course…); it is held in sessions."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.AASC_CLASS
    )
    in_network = models.BooleanField(
        default=True,
        help_text="AASC classes, NAAEI-approved courses and the national conference "
        "are in-network.",
    )

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class ClassSession(models.Model):
    """One sitting of a course. Its CEC value is instructional minutes / 60, floored to
    two decimals (SPEC rule 2), kept in `cec_hours` so lists and sums need no Python."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    event = models.ForeignKey(
        "cec.Event",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text="The event (such as the Expo) this session is part of, if any.",
    )
    instructor = models.CharField(max_length=200, blank=True)
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    break_minutes = models.PositiveSmallIntegerField(
        "meals and breaks (minutes)", default=0, help_text="Excluded from the CEC value."
    )
    location = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    cec_hours = models.DecimalField("CEC value", max_digits=5, decimal_places=2, editable=False)

    class Meta:
        ordering = ["-date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.course.title} ({self.date:%b %-d, %Y})"

    def save(self, *args, **kwargs):
        self.cec_hours = rules.class_cec_value(self.start_time, self.end_time, self.break_minutes)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.start_time and self.end_time:
            if self.end_time <= self.start_time:
                raise ValidationError({"end_time": "The class must end after it starts."})
            minutes = rules.minutes_between(self.start_time, self.end_time)
            if self.break_minutes is not None and self.break_minutes >= minutes:
                raise ValidationError(
                    {"break_minutes": "Meals and breaks must be shorter than the class."}
                )


class Attendance(models.Model):
    """A holder attended a session; recording it credits a ledger entry at once."""

    session = models.ForeignKey(ClassSession, on_delete=models.PROTECT, related_name="attendances")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "holder"]
        constraints = [
            models.UniqueConstraint(fields=["session", "holder"], name="attend_a_session_once")
        ]

    def __str__(self):
        return f"{self.holder} at {self.session}"
