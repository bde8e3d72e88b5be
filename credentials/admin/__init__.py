# One module per topic; importing them registers their ModelAdmins.
from . import accounts, content  # noqa: F401
