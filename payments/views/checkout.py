"""Card payment pages."""
