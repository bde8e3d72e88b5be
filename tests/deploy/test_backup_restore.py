"""A backup restored into a fresh PostgreSQL database holds the same holders, renewals,
ledger entries, payments and evidence files (manage.py backup_portal / restore_portal).

Starts its own throwaway PostgreSQL cluster (tests/deploy/services.py), so it runs the
same in the SQLite stage of `make test`; the portal runs as `manage.py` processes against
it, as an administrator would run the commands."""

import filecmp
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.services import PostgresCluster

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]

RECORD_PAYMENT = """
import datetime as dt
from credentials.models import User
from payments.models import Invoice
from payments.services.payments import record_offline_payment
invoice = Invoice.objects.get(renewal__holder__email="holder@example.org")
staff = User.objects.get(email="staff@example.org")
record_offline_payment(invoice, invoice.total_cents, "CHK-1001", dt.date(2026, 11, 20), by=staff)
"""

QUERIES = {
    "holders": "SELECT u.email FROM credentials_user u WHERE EXISTS "
    "(SELECT 1 FROM credentials_credential c WHERE c.holder_id = u.id) ORDER BY u.email",
    "renewals": "SELECT id, holder_id, year, cecs_owed, contact_confirmed_at "
    "FROM credentials_renewal ORDER BY id",
    "ledger entries": "SELECT id, holder_id, earned_on, hours, title, state "
    "FROM cec_ledgerentry ORDER BY id",
    "payments": "SELECT id, invoice_id, method, amount_cents, status FROM payments_payment "
    "ORDER BY id",
    "invoices": "SELECT number, total_cents, status FROM payments_invoice ORDER BY number",
    "evidence": "SELECT id, file FROM cec_evidence ORDER BY id",
}


def manage(env, *args, stdin=None):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def portal_env(database_url, media_root):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renewal_portal.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_URL": "dummymail://",
        "REDIS_URL": "",
    }


@pytest.fixture(scope="module")
def postgres():
    with PostgresCluster() as cluster:
        yield cluster


def snapshot(cluster, database):
    return {name: cluster.sql(sql, database) for name, sql in QUERIES.items()}


def test_a_backup_restored_into_a_fresh_database_finds_the_same_records(postgres, tmp_path):
    source = portal_env(postgres.create_database("portal_source"), tmp_path / "media-source")
    manage(source, "migrate", "--noinput")
    manage(source, "load_demo", "--force")
    manage(source, "shell", "-c", RECORD_PAYMENT)
    before = snapshot(postgres, "portal_source")
    assert before["holders"] and before["renewals"] and before["ledger entries"]
    assert before["payments"] and before["evidence"], "the demo data should hold these"

    output = manage(source, "backup_portal", "--output-dir", str(tmp_path / "backups"))
    archives = list((tmp_path / "backups").glob("aasc-portal-*.tar"))
    assert len(archives) == 1 and str(archives[0]) in output

    restored = portal_env(postgres.create_database("portal_restored"), tmp_path / "media-new")
    report = manage(restored, "restore_portal", str(archives[0]), "--yes")
    assert "DIFFERENT" not in report and "Restored" in report

    assert snapshot(postgres, "portal_restored") == before
    for _id, name in before["evidence"]:
        original, copy = tmp_path / "media-source" / name, tmp_path / "media-new" / name
        assert copy.is_file() and filecmp.cmp(original, copy, shallow=False)
    # The restored database is complete: nothing is left for `migrate` to do.
    plan = manage(restored, "migrate", "--plan")
    assert "No planned migration operations" in plan


def test_restore_refuses_a_file_that_is_not_a_portal_backup(postgres, tmp_path):
    env = portal_env(postgres.url(), tmp_path / "media")
    bogus = tmp_path / "aasc-portal-bogus.tar"
    bogus.write_bytes(b"not a tar at all")
    result = subprocess.run(
        [sys.executable, "manage.py", "restore_portal", str(bogus), "--yes"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "is not a portal backup" in result.stderr
    assert "Traceback" not in result.stderr
