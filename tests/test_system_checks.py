"""Django's system checks (models, admin, URLs) pass: `manage.py check` is what every
deploy and `make run` runs first, and pytest does not run it by itself."""

from django.core.management import call_command


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")
