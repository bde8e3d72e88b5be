"""The top layer: what reads cec and payments together with the credential core (the
audit packets, and more as they move here). No models of its own; nothing imports it
but the root urls and settings."""
