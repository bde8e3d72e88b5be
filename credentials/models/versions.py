from django.db import models


class ContentVersion(models.Model):
    """How many times the rows of one scope have changed: a holder's own rows (scope
    "holder", key = the holder's user id), the catalog every holder page reads ("catalog",
    key 0) and what the reviewer queue shows ("review", key 0). Kept by database triggers
    (credentials.content_versions), never written by Python code, so that every write
    path counts: services, admin, bulk inserts, QuerySet.update(), raw SQL. Pages cached
    under a version are stale as soon as it moves (issue 19)."""

    HOLDER = "holder"
    CATALOG = "catalog"
    REVIEW = "review"
    # Not a counter: a random offset added to every version a user is loaded with, set
    # anew when the database is restored from a backup (its counters go back to the
    # backup's, below numbers the page cache has already seen). The one row Python writes.
    EPOCH = "epoch"

    scope = models.CharField(max_length=16)
    key = models.BigIntegerField()
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="content_version_scope_key")
        ]

    def __str__(self):
        return f"{self.scope} {self.key}: {self.version}"
