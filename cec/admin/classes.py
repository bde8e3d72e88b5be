"""Admin for classes."""
