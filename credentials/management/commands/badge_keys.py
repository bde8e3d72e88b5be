"""The office's Open Badges signing keys (issue 20): make one, rotate, or list them."""

from django.core.management.base import BaseCommand, CommandError

from credentials.badges import issuer, keys


class Command(BaseCommand):
    help = (
        "Open Badges signing keys, kept in BADGE_KEY_DIR outside the database. "
        "--generate makes the first key (does nothing if there is one); --rotate makes a "
        "new current key, keeping the older public keys published so old credentials "
        "still verify. Without an option, lists the keys."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--generate", action="store_true", help="Make a key if none exists.")
        group.add_argument("--rotate", action="store_true", help="Make a new current key.")

    def handle(self, *args, generate=False, rotate=False, **options):
        directory = keys.key_dir()
        try:
            if rotate:
                key = keys.rotate(directory)
                self.stdout.write(f"New current key {key.public_key_multibase} in {directory}.")
            elif generate:
                key, made = keys.generate(directory)
                if made:
                    self.stdout.write(f"Made key {key.public_key_multibase} in {directory}.")
                else:
                    self.stdout.write(f"A signing key exists already: {key.public_key_multibase}.")
        except (OSError, ValueError) as exc:
            raise CommandError(f"Badge keys in {directory}: {exc}") from exc
        found = keys.load_keys(directory)
        self.stdout.write(f"Issuer {issuer.issuer_did()}; {len(found)} key(s):")
        for number, key in enumerate(found, 1):
            state = "current" if number == len(found) and key.private_key else "public only"
            self.stdout.write(f"  {key.public_key_multibase} ({key.created}, {state})")
