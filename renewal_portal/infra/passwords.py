"""The portal's password hasher: Argon2id with OWASP's parameters.

Django's Argon2 defaults (RFC 9106's second option: 100 MiB, 2 passes, 8 lanes) take
about a second on a 2-core machine, no faster than the PBKDF2 it replaces. OWASP's
first Argon2id option (19 MiB, 2 passes, 1 lane) takes about 50 ms there and keeps
GPU guessing expensive. A hash made with other parameters is re-made with these at the
next sign-in (Django's must_update)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
