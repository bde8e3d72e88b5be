# One module per topic; importing them registers their ModelAdmins.
from . import invoices, payments  # noqa: F401
