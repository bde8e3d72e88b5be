"""Admin for payments."""
