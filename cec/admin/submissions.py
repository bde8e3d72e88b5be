"""Admin for submissions."""
