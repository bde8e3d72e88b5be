# The admin pages that read credentials, cec and payments together; importing the modules
# registers their ModelAdmins (after the apps below registered theirs).
from . import exports, renewals  # noqa: F401
