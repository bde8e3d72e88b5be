"""Admin for forms."""
