"""factory-boy factories, one module per app; import them from here."""

from .cec import *  # noqa: F401,F403
from .cec_forms import *  # noqa: F401,F403
from .credentials import *  # noqa: F401,F403
from .payments import *  # noqa: F401,F403
