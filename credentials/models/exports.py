from django.conf import settings
from django.db import models


class ExportKind(models.TextChoices):
    RENEWALS = "renewals", "Renewals with phase and CECs owed and earned"
    PAYMENTS = "payments", "Invoices and payments for the bookkeeper"
    CEC_LEDGER = "cec_ledger", "CEC ledger of the year for NAAEI"
    BEHIND = "behind", "Who is behind (in grace or CECs short), with contact details"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class SeasonExport(models.Model):
    """A report of one renewal year that staff asked for, built by Celery in the
    background (with progress) and kept as a file to download."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    year = models.PositiveSmallIntegerField("renewal year")
    file_format = models.CharField("format", max_length=5, choices=ExportFormat.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=300, blank=True, help_text="Name in the media storage.")
    last_error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "season export"
        permissions = [("view_season_dashboard", "Can see the season dashboard")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} ({self.get_file_format_display()})"

    @property
    def download_name(self) -> str:
        return f"aasc-{self.kind.replace('_', '-')}-{self.year}.{self.file_format}"
