"""Backups of the whole portal: the database and the uploaded evidence, in one archive.

An archive (`aasc-portal-<UTC time>.tar`) holds:
  database.dump      PostgreSQL: `pg_dump --format=custom` (SQLite: a copy of the file,
                     database.sqlite3, for development checkouts)
  media.tar.gz       every file of the default storage (local disk or S3), by name
  manifest.json      when, from which schema, and how many holders, renewals, invoices,
                     payments, ledger entries and evidence files it holds

`manage.py backup_portal` writes one; `manage.py restore_portal ARCHIVE` loads one into
the configured database and storage and checks the counts against the manifest.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from cec.models import Evidence, LedgerEntry
from credentials import content_versions
from credentials.models import Credential, Renewal, User
from payments.models import Invoice, Payment

ARCHIVE_PREFIX = "aasc-portal-"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore step failed; the message says which and why."""


@dataclass(frozen=True)
class RestoreReport:
    expected: dict
    found: dict

    @property
    def matches(self) -> bool:
        return self.expected == self.found


def record_counts(alias="default") -> dict:
    """The numbers a restore must find again."""
    return {
        "users": User.objects.using(alias).count(),
        "holders": Credential.objects.using(alias).values("holder").distinct().count(),
        "credentials": Credential.objects.using(alias).count(),
        "renewals": Renewal.objects.using(alias).count(),
        "invoices": Invoice.objects.using(alias).count(),
        "payments": Payment.objects.using(alias).count(),
        "ledger_entries": LedgerEntry.objects.using(alias).count(),
        "evidence_files": Evidence.objects.using(alias).count(),
    }


# --- PostgreSQL client tools -----------------------------------------------------------


def _pg_tool(name: str) -> str:
    """The newest installed pg_dump/pg_restore (Debian keeps them per major version; the
    newest reads every older server)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _pg_env(settings_dict) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    return env


def _run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")
    return result


# --- the database ------------------------------------------------------------------------


def dump_database(folder: Path, alias="default") -> Path:
    connection = connections[alias]
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             "--file", str(target)],
            _pg_env(connection.settings_dict),
        )  # fmt: skip
        return target
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    raise BackupError(f"No backup method for a {connection.vendor} database.")


def load_database(folder: Path, alias="default"):
    connection = connections[alias]
    connection.close()
    if connection.vendor == "postgresql":
        dump = folder / "database.dump"
        if not dump.exists():
            raise BackupError("The archive holds no PostgreSQL dump (database.dump).")
        settings_dict = connection.settings_dict
        _run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", "--dbname", str(settings_dict["NAME"]),
             str(dump)],
            _pg_env(settings_dict),
        )  # fmt: skip
        return
    if connection.vendor == "sqlite":
        copy = folder / "database.sqlite3"
        if not copy.exists():
            raise BackupError("The archive holds no SQLite database (database.sqlite3).")
        source = sqlite3.connect(str(copy))
        target = sqlite3.connect(str(connection.settings_dict["NAME"]))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    raise BackupError(f"No restore method for a {connection.vendor} database.")


# --- uploaded files (through the storage API, so local disk and S3 alike) ---------------


def _walk(storage, folder=""):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def archive_media(folder: Path, storage=None) -> tuple[Path, int]:
    storage = storage or default_storage
    target = folder / "media.tar.gz"
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        for name in sorted(_walk(storage)):
            with storage.open(name, "rb") as handle:
                data = handle.read()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            count += 1
    return target, count


def load_media(folder: Path, storage=None) -> int:
    storage = storage or default_storage
    source = folder / "media.tar.gz"
    if not source.exists():
        raise BackupError("The archive holds no media (media.tar.gz).")
    count = 0
    with tarfile.open(source, "r:gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            name = member.name
            if name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"Refusing the unsafe file name {name!r} in the archive.")
            data = tar.extractfile(member).read()
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(data))
            if saved != name:
                raise BackupError(f"The storage renamed {name!r} to {saved!r}.")
            count += 1
    return count


# --- archives ------------------------------------------------------------------------------


def _schema(alias="default") -> dict:
    applied = MigrationRecorder(connections[alias]).applied_migrations()
    latest = {}
    for app_label, name in applied:
        latest[app_label] = max(latest.get(app_label, ""), name)
    return dict(sorted(latest.items()))


def create_backup(output_dir: Path, *, alias="default", keep: int | None = None) -> Path:
    """Write one archive of the database and the uploads into `output_dir`; with `keep`,
    delete all but the newest `keep` archives there."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    archive = output_dir / f"{ARCHIVE_PREFIX}{now:%Y%m%dT%H%M%SZ}.tar"
    with tempfile.TemporaryDirectory(prefix="aasc-backup-") as tmp:
        folder = Path(tmp)
        # Counted before the dump: rows added during the dump make a restore find more,
        # which the restore reports rather than hides.
        counts = record_counts(alias)
        database = dump_database(folder, alias)
        media, media_files = archive_media(folder)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "database": connections[alias].vendor,
            "schema": _schema(alias),
            "counts": counts,
            "media_files": media_files,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            for path in (folder / "manifest.json", database, media):
                tar.add(path, arcname=path.name)
        os.replace(partial, archive)  # never a half-written archive under the real name
    if keep:
        for old in sorted(output_dir.glob(f"{ARCHIVE_PREFIX}*.tar"))[:-keep]:
            old.unlink()
    return archive


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r") as tar:
            return json.load(tar.extractfile("manifest.json"))
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{archive} is not a portal backup: {exc}") from exc


def restore_backup(archive: Path, *, alias="default", media=True) -> RestoreReport:
    """Load an archive into the configured database (and storage), then count again."""
    manifest = read_manifest(archive)
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    vendor = connections[alias].vendor
    if manifest["database"] != vendor:
        raise BackupError(
            f"The archive holds a {manifest['database']} database; this portal uses {vendor}."
        )
    with tempfile.TemporaryDirectory(prefix="aasc-restore-") as tmp:
        folder = Path(tmp)
        with tarfile.open(archive, "r") as tar:
            tar.extractall(folder, filter="data")
        load_database(folder, alias)
        content_versions.start_new_epoch(alias)
        if media:
            load_media(folder)
    return RestoreReport(expected=manifest["counts"], found=record_counts(alias))
