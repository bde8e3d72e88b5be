# One module per topic; importing them registers their ModelAdmins.
from . import (  # noqa: F401
    accounts,
    catalog,
    claims,
    content,
    imports,
    issuing,
    outbox,
    packets,
    schedules,
)
