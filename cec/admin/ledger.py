"""Admin for ledger."""
