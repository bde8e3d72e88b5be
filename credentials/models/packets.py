import uuid

from django.db import models

from renewal_portal.infra.runs.models import BackgroundRun, RunStatus, RunUnit


class PacketToken(models.Model):
    """The unguessable token an audit packet prints (URL and QR code) so anyone holding
    the packet can confirm its renewal on a public page. One per renewal, made the first
    time a packet is built, so every packet of the renewal carries the same address."""

    renewal = models.OneToOneField(
        "credentials.Renewal", on_delete=models.CASCADE, related_name="packet_token"
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Packet verification of {self.renewal}"


class PacketBuild(BackgroundRun):
    """Staff's background build of the audit packets of many renewals (typically a year,
    filtered in admin), a background run (renewal_portal.infra.runs; the work lives with
    the packets, renewal_portal/composition/packets/services.py): one task per renewal,
    then one ZIP of them all.

    Each renewal is a PacketBuildItem, so progress is the share of items done, and a
    worker that dies mid-build re-runs only the items it had not finished.
    """

    class Status(models.TextChoices):
        QUEUED = RunStatus.QUEUED.value, RunStatus.QUEUED.label
        RUNNING = RunStatus.RUNNING.value, RunStatus.RUNNING.label
        ASSEMBLING = "assembling", "Putting the archive together"
        DONE = RunStatus.DONE.value, RunStatus.DONE.label

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    title = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(
        "renewal year", null=True, blank=True, help_text="Blank when the renewals span years."
    )
    renewals_total = models.PositiveIntegerField(default=0)
    archive = models.CharField(
        "archive file", max_length=300, blank=True, help_text="Name in the media storage."
    )

    class Meta(BackgroundRun.Meta):
        verbose_name = "audit packet build"

    def __str__(self):
        return f"{self.title} ({self.get_status_display().lower()})"


class PacketBuildItem(RunUnit):
    """One renewal's packet (PDF, evidence, CSV as a ZIP) within a build."""

    run_field = "build"

    build = models.ForeignKey(PacketBuild, on_delete=models.CASCADE, related_name="items")
    renewal = models.ForeignKey("credentials.Renewal", on_delete=models.CASCADE, related_name="+")
    file = models.CharField(max_length=300, blank=True, help_text="Name in the media storage.")

    class Meta:
        ordering = ["build", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["build", "renewal"], name="renewal_once_per_build")
        ]

    def __str__(self):
        return f"Packet of {self.renewal} in build {self.build_id}"
