"""Holder-facing invoice pages."""
