"""Admin for invoices."""
