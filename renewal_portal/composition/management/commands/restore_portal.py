from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from renewal_portal.composition import backups


class Command(BaseCommand):
    help = (
        "Restore an archive of backup_portal into the configured database and media "
        "storage, replacing what is there, then check the counts against the archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="an aasc-portal-*.tar written by backup_portal")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask before replacing the database"
        )
        parser.add_argument("--no-media", action="store_true", help="restore the database only")

    def handle(self, *args, archive, yes, no_media, **options):
        archive = Path(archive)
        if not archive.is_file():
            raise CommandError(f"No such archive: {archive}")
        try:
            manifest = backups.read_manifest(archive)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        target = connection.settings_dict["NAME"]
        self.stdout.write(
            f"Archive of {manifest['created_at']}: {manifest['counts']['holders']} holders, "
            f"{manifest['counts']['renewals']} renewals, {manifest['media_files']} media files."
        )
        if not yes:
            answer = input(f"This replaces the contents of database {target!r}. Type its name: ")
            if answer.strip() != str(target):
                raise CommandError("Nothing was restored.")
        try:
            report = backups.restore_backup(archive, media=not no_media)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for name, expected in report.expected.items():
            found = report.found.get(name)
            mark = "ok" if found == expected else "DIFFERENT"
            self.stdout.write(f"  {name.replace('_', ' ')}: {found} (archive: {expected}) {mark}")
        if not report.matches:
            raise CommandError("The restored database does not hold what the archive counted.")
        self.stdout.write(self.style.SUCCESS(f"Restored {archive.name} into {target!r}."))
