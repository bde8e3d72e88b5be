"""`manage.py load_demo` gives every role a working login, and is safe to run twice."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from credentials import roles
from credentials.models import User
from renewal_portal.composition.demo.accounts import DEMO_PASSWORD
from renewal_portal.composition.renewal_steps import renewal_steps

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


def test_demo_has_a_holder_in_every_state_of_the_season(settings):
    """Signing in as a demo account shows each awkward state without any set-up."""
    from cec.models import SubmissionState
    from cec.selectors.submissions import latest_submission_for
    from credentials.models import Renewal

    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # loading twice changes nothing

    new = User.objects.get(email="new@example.org")
    assert authenticate(email="new@example.org", password=DEMO_PASSWORD) == new
    assert not new.credentials.exists() and not new.renewals.exists()

    rejected = Renewal.objects.get(holder__email="rejected@example.org", year=2027)
    submission = latest_submission_for(rejected)
    assert submission.state == SubmissionState.REJECTED
    assert "6 hours" in submission.rejection_reason
    steps = renewal_steps(rejected)
    assert steps["contact"].done and steps["payment"].done and not steps.all_done

    renewed = Renewal.objects.get(holder__email="renewed@example.org", year=2027)
    assert renewed.completed_at is not None
    holder = User.objects.get(email="renewed@example.org")
    assert {c.valid_through.isoformat() for c in holder.credentials.all()} == {"2027-12-31"}

    refunded = Renewal.objects.get(holder__email="refunded@example.org", year=2027)
    assert refunded.completed_at is None
    assert not renewal_steps(refunded)["payment"].done
    assert refunded.invoice.status == "refunded"
    holder = User.objects.get(email="refunded@example.org")
    assert {c.valid_through.isoformat() for c in holder.credentials.all()} == {"2026-12-31"}
