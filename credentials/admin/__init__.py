# One module per topic; importing them registers their ModelAdmins.
from . import accounts, catalog, content, issuing, outbox, packets, renewals, schedules  # noqa: F401
