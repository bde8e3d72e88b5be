from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each app adds its demo data in its own module, loaded in this order.
DEMO_MODULES = [
    "renewal_portal.composition.demo.accounts",
    "renewal_portal.composition.demo.classes",
    "renewal_portal.composition.demo.forms",
    "renewal_portal.composition.demo.checkin",
    "renewal_portal.composition.demo.states",
]


class Command(BaseCommand):
    help = "Load the demo accounts and data (idempotent). Refuses to run unless DEBUG is on."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off (never in production).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data has well-known passwords: it loads only with DEBUG on, or with --force."
            )
        with transaction.atomic():
            for path in DEMO_MODULES:
                import_module(path).load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
