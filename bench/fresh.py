"""An empty, migrated bench database: the SQLite file in var/bench is removed, or the
PostgreSQL database DATABASE_URL names has its schema dropped, then it is migrated."""

from pathlib import Path


def fresh():
    import django
    from django.conf import settings
    from django.core.management import call_command

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(database["NAME"]) + suffix).unlink(missing_ok=True)
    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0, interactive=False)
