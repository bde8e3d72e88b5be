"""Whether the code runs inside a transaction that may still roll back (issue 19).

What is kept beyond a request (a cached page, a catalog read kept per version) must be
made from committed data: a rollback moves the content versions back as well, and a
later, different write moves them to the same numbers, which would then find the
rolled-back data kept under them. A test case's own transaction, which never commits,
does not count (Django marks it `_from_testcase`, as its `durable` check reads it).
"""

from django.db import DEFAULT_DB_ALIAS, connections


def in_open_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True inside an atomic block the code opened (not a test case's own)."""
    blocks = connections[using].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)
