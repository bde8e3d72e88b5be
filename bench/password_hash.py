"""Sign-in's password check (issue 15 item 4): the portal's Argon2id beside the PBKDF2 at
1,000,000 iterations it replaced and Django's own Argon2 defaults, measured in the same
run. Medians of `runs` checks each; ratios against PBKDF2.

    .venv/bin/python -m bench.password_hash --runs 9
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

PASSWORD = "correct horse battery staple 2026"


def _median_seconds(check, encoded, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        assert check(PASSWORD, encoded)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renewal_portal.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import (
        Argon2PasswordHasher,
        PBKDF2PasswordHasher,
    )

    from renewal_portal.infra.passwords import PortalArgon2PasswordHasher

    hashers = {
        "PBKDF2 1,000,000 iterations (before)": PBKDF2PasswordHasher(),
        "Argon2id, Django's defaults": Argon2PasswordHasher(),
        "Argon2id, the portal's (OWASP)": PortalArgon2PasswordHasher(),
    }
    results = {}
    for name, hasher in hashers.items():
        encoded = hasher.encode(PASSWORD, hasher.salt())
        results[name] = _median_seconds(hasher.verify, encoded, args.runs)
    baseline = results["PBKDF2 1,000,000 iterations (before)"]
    print(f"Password check, median of {args.runs}:")
    for name, seconds in results.items():
        print(f"  {name:<40} {seconds * 1000:8.1f} ms  {seconds / baseline:5.2f}x of PBKDF2")


if __name__ == "__main__":
    main()
