from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from renewal_portal.composition import backups


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and the uploaded evidence into one archive "
        "(see renewal_portal/composition/backups.py). Restore it with restore_portal."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", default="var/backups", help="folder for the archive (made if missing)"
        )
        parser.add_argument(
            "--keep", type=int, default=None, help="keep only the newest N archives there"
        )

    def handle(self, *args, output_dir, keep, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            archive = backups.create_backup(Path(output_dir), keep=keep)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = backups.read_manifest(archive)
        counts = ", ".join(
            f"{n} {name.replace('_', ' ')}" for name, n in manifest["counts"].items()
        )
        self.stdout.write(f"Backed up {counts}; {manifest['media_files']} media files.")
        self.stdout.write(self.style.SUCCESS(f"Archive: {archive}"))
