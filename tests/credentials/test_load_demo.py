"""`manage.py load_demo` gives every role a working login, and is safe to run twice."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from credentials import roles
from credentials.demo import DEMO_PASSWORD
from credentials.models import User

pytestmark = pytest.mark.django_db


def test_demo_refuses_to_load_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")


def test_demo_logins_work_for_every_role_and_loading_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo")
    count = User.objects.count()
    call_command("load_demo")
    assert User.objects.count() == count

    holder = authenticate(email="holder@example.org", password=DEMO_PASSWORD)
    staff = authenticate(email="staff@example.org", password=DEMO_PASSWORD)
    reviewer = authenticate(email="reviewer@example.org", password=DEMO_PASSWORD)
    admin = authenticate(email="admin@example.org", password=DEMO_PASSWORD)
    assert roles.is_holder(holder)
    assert roles.is_aasc_staff(staff) and staff.is_staff and not staff.is_superuser
    assert roles.is_naaei_reviewer(reviewer)
    assert admin.is_superuser
