"""Events such as the AASC Expo, and checking holders in at their sessions by QR code.

An event groups class sessions (ordinary ClassSessions with `event` set, so each one's
CEC value is computed like any class). A holder shows a daily check-in code; staff scan
it at a session, which records the attendance and a pre-verified ledger entry.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q


class Event(models.Model):
    """An event with several class sessions, such as the AASC Education Conference & Expo."""

    name = models.CharField(max_length=200)
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    checkin_margin_minutes = models.PositiveSmallIntegerField(
        "check-in margin (minutes)",
        default=30,
        validators=[MaxValueValidator(720)],
        help_text="A code checks a holder in to a session from this many minutes before it "
        "starts until this many minutes after it ends.",
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="event_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.starts_on:%b %-d, %Y})"

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The event cannot end before it starts."})

    def is_on(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class CheckInKey(models.Model):
    """The holder's secret behind their daily check-in codes. The token is random and
    never shown as such: codes are signed from it, the day and the event."""

    holder = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_key"
    )
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "check-in key"

    def __str__(self):
        return f"Check-in key of {self.holder}"


class CheckInCode(models.Model):
    """Where a holder's typed code for one event on one day is found: a keyed digest of
    the code (never the code itself), so a typed code is looked up by index instead of
    being compared with every holder's code. Written when the holder's code is shown."""

    key = models.ForeignKey(CheckInKey, on_delete=models.CASCADE, related_name="codes")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    lookup = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = "check-in code lookup"
        constraints = [
            models.UniqueConstraint(
                fields=["key", "event", "day"], name="one_code_per_key_event_day"
            )
        ]

    def __str__(self):
        return f"Check-in code of {self.key.holder_id} for {self.event_id} on {self.day}"


class CheckInMethod(models.TextChoices):
    CAMERA = "camera", "Camera scan"
    TYPED = "typed", "Typed code"


class CheckIn(models.Model):
    """How an attendance was recorded at the door: who scanned whom, when, and how."""

    attendance = models.OneToOneField(
        "cec.Attendance", on_delete=models.CASCADE, related_name="checkin"
    )
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scanned_at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(max_length=10, choices=CheckInMethod.choices)

    class Meta:
        ordering = ["-scanned_at"]
        verbose_name = "check-in"

    def __str__(self):
        return f"Check-in: {self.attendance}"
