# One module per topic; importing them registers their ModelAdmins.
from . import (  # noqa: F401
    accounts,
    catalog,
    claims,
    content,
    exports,
    imports,
    issuing,
    outbox,
    renewals,
    schedules,
)
