"""factory-boy factories, one module per app; import them from here."""

from .credentials import *  # noqa: F401,F403
