# One module per topic; importing them registers their ModelAdmins.
from . import checkin, classes, forms, ledger, submissions  # noqa: F401
