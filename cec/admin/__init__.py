# One module per topic; importing them registers their ModelAdmins.
from . import classes, forms, ledger, submissions  # noqa: F401
