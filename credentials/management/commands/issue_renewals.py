from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from credentials import selectors
from credentials.services.renewals import BATCH_SIZE, issue_renewals


class Command(BaseCommand):
    help = (
        "Issue the renewals (with invoices and invoice emails) for a renewal year to every "
        "holder with a credential due. Idempotent: a second run issues nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="Renewal year (default: the current one, e.g. 2027 from November 2026).",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="Print no progress bar.")

    def handle(self, *args, year=None, batch_size=BATCH_SIZE, no_progress=False, **options):
        year = year or selectors.current_renewal_year()
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year} is not a renewal year this portal can issue.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        bar = None

        def progress(done, total):
            nonlocal bar
            if no_progress:
                return
            if bar is None:
                # tqdm redraws one line with \r: give it the raw stream, not Django's
                # wrapper, which ends every write with a newline.
                stream = getattr(self.stderr, "_out", self.stderr)
                bar = tqdm(total=total, unit="holder", file=stream, desc=f"{year} renewals")
            bar.update(done - bar.n)

        summary = issue_renewals(year, progress=progress, batch_size=batch_size)
        if bar is not None:
            bar.close()
        self.stdout.write(self.style.SUCCESS(str(summary)))
