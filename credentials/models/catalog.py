from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class CredentialType(models.Model):
    """An NAAEI credential (CAM, CAPS, CALP, CAS, AIME, CAMT): catalog data, editable in admin."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    formerly = models.CharField(
        max_length=100, blank=True, help_text="Former names, e.g. NALP for CALP."
    )
    renews_annually = models.BooleanField(
        default=True, help_text="Lifetime credentials (CAMT) never renew and owe no CECs."
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


def _validate_offsets(value):
    try:
        parse_day_offsets(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def parse_day_offsets(value):
    """'60, 30, 7' -> (60, 30, 7); blank -> ()."""
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    offsets = []
    for part in parts:
        if not part.isdigit() or int(part) > 366:
            raise ValueError(f"'{part}' is not a number of days between 0 and 366.")
        offsets.append(int(part))
    return tuple(sorted(set(offsets), reverse=True))


class RequirementSet(models.Model):
    """What renewing a credential requires, for a range of renewal years.

    NAAEI changes the numbers over time, so a renewal is judged by the set in force for
    its year; the renewal copies the numbers when it is issued, so later edits never
    change an issued invoice.
    """

    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="requirement_sets"
    )
    first_year = models.PositiveSmallIntegerField(help_text="First renewal year this set governs.")
    last_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last renewal year it governs; blank means until changed."
    )
    cecs_owed = models.DecimalField("CECs owed", max_digits=5, decimal_places=2, default=0)
    in_network_min = models.DecimalField(
        "minimum in-network CECs", max_digits=5, decimal_places=2, default=0
    )
    participation_cap = models.DecimalField(
        "cap on participation CECs",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Most CECs a year from committee, board, volunteering or unpaid instructing; "
        "blank means no cap.",
    )
    annual_fee_cents = models.PositiveIntegerField(
        "annual renewal fee", validators=[MinValueValidator(0)]
    )
    reinstatement_fee_cents = models.PositiveIntegerField("reinstatement fee", default=5000)
    due_month = models.PositiveSmallIntegerField(default=1)
    due_day = models.PositiveSmallIntegerField(default=1)
    grace_end_month = models.PositiveSmallIntegerField(default=3)
    grace_end_day = models.PositiveSmallIntegerField(default=31)
    reminder_days_before_due = models.CharField(
        max_length=100,
        default="60,30,7",
        validators=[_validate_offsets],
        help_text="Days before the due date on which to remind, comma separated.",
    )
    reminder_days_after_due = models.CharField(
        "grace reminders (days after due)",
        max_length=100,
        default="30,75",
        validators=[_validate_offsets],
        help_text="Days after the due date, during grace, on which to remind.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["credential_type__code", "-first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential_type", "first_year"], name="one_requirement_set_per_start"
            ),
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=models.F("first_year")),
                name="requirement_set_years_ordered",
            ),
            models.CheckConstraint(
                condition=Q(in_network_min__lte=models.F("cecs_owed")),
                name="in_network_min_within_owed",
            ),
        ]

    def __str__(self):
        until = f"–{self.last_year}" if self.last_year else " on"
        return f"{self.credential_type.code} renewals {self.first_year}{until}"

    def governs(self, year):
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def clean(self):
        super().clean()
        if not self.credential_type_id:
            return
        overlapping = RequirementSet.objects.filter(credential_type=self.credential_type_id)
        if self.pk:
            overlapping = overlapping.exclude(pk=self.pk)
        end = self.last_year or 9999
        for other in overlapping:
            other_end = other.last_year or 9999
            if self.first_year <= other_end and other.first_year <= end:
                raise ValidationError(f"These years overlap with {other}.")

    @property
    def reminder_offsets_before_due(self):
        return parse_day_offsets(self.reminder_days_before_due)

    @property
    def reminder_offsets_after_due(self):
        return parse_day_offsets(self.reminder_days_after_due)
