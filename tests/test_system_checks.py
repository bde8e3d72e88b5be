"""Django's system checks (models, admin, URLs) pass: `manage.py check` is what every
deploy and `make run` runs first, and pytest does not run it by itself."""

import io

from django.core.management import call_command


def test_system_checks_pass():
    out = io.StringIO()
    # Raises SystemCheckError on any warning or error.
    call_command("check", fail_level="WARNING", stdout=out)
    assert "no issues" in out.getvalue()
