from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from credentials import selectors
from credentials.services import issue_runs


class Command(BaseCommand):
    help = (
        "Issue the renewals (with invoices and invoice emails) for the current renewal year "
        "to every holder with a credential due, as an issue run (the same run staff start in "
        "admin, listed there with its progress). Says how many holders will be emailed and "
        "asks before it starts. Idempotent: a second run issues nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="Renewal year (default and only choice: the current one, e.g. 2027 from "
            "November 1, 2026).",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=issue_runs.DEFAULT_CHUNK_SIZE,
            help="Holders per chunk.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            "--yes",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Hand the run to the Celery workers and return at once (progress in admin).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Print no progress bar.")

    def handle(
        self,
        *args,
        year=None,
        chunk_size=issue_runs.DEFAULT_CHUNK_SIZE,
        interactive=True,
        background=False,
        no_progress=False,
        **options,
    ):
        year = year or selectors.current_renewal_year()
        try:
            issue_runs.check_year(year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        preview = issue_runs.preview(year)
        self.stdout.write(str(preview))
        if interactive:
            answer = input(f"Issue the {year} renewals now? Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing issued.")
        try:
            run = issue_runs.start_issue_run(
                year,
                chunk_size=chunk_size,
                background=background,
                reason=f"The {year} renewals, started with manage.py issue_renewals.",
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if background:
            self.stdout.write(f"Issue run {run.pk} handed to the workers; follow it in admin.")
            return
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

        run = issue_runs.run_in_foreground(run, progress=progress)
        if bar is not None:
            bar.close()
        self.stdout.write(self.style.SUCCESS(issue_runs.progress(run)["summary"]))
