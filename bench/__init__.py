"""Benchmarks of the portal (issue 9): `make bench`. Not part of `make test`."""
