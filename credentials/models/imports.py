from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportBatch(models.Model):
    """One spreadsheet the office imported (holders, credentials or CEC history): checked
    first (a dry run that writes nothing but this record), then confirmed and written in
    the background, and undone in one step while nothing has happened to its rows since.
    Each row it created or updated is an ImportedRow, with the values it replaced."""

    class Kind(models.TextChoices):
        HOLDERS = "holders", "Holders"
        CREDENTIALS = "credentials", "Credentials"
        CEC_HISTORY = "cec_history", "CEC history"

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, waiting for confirmation"
        REFUSED = "refused", "Not imported: the file has errors"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Stopped with errors"
        UNDONE = "undone", "Undone"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    file_data = models.BinaryField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField("created", default=0)
    updated_count = models.PositiveIntegerField("updated", default=0)
    unchanged_count = models.PositiveIntegerField("unchanged", default=0)
    error_count = models.PositiveIntegerField("errors", default=0)
    # [{"row": 3, "column": "E-mail", "message": "..."}], the first few hundred.
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "import"
        verbose_name_plural = "imports"
        permissions = [
            ("import_records", "Can import holders, credentials and CEC history"),
            ("invite_holders", "Can invite imported holders to set a password"),
        ]

    def __str__(self):
        uploaded = timezone.localtime(self.uploaded_at) if self.uploaded_at else None
        when = f" ({uploaded:%Y-%m-%d %H:%M})" if uploaded else ""
        return f"{self.get_kind_display()} from {self.file_name}{when}"


class ImportedRow(models.Model):
    """A record an import created or updated; `previous` holds the field values it
    replaced (empty for a creation), so undoing the import can put them back."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    model = models.CharField(max_length=30)  # "user", "contactprofile", "credential", "ledgerentry"
    object_id = models.PositiveBigIntegerField()
    created = models.BooleanField()
    previous = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self):
        return f"{'created' if self.created else 'updated'} {self.model} {self.object_id}"
