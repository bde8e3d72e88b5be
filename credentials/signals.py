"""Signals credentials' services send, so layers above them (credentials.badges) can
follow a change without the services importing them."""

from django.dispatch import Signal

# A credential lapsed, was reinstated or renewed, or had a completion undone, inside the
# sender's transaction: `credential_ids` lists them. Receivers run in that transaction.
credential_standing_changed = Signal()
