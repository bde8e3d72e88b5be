"""One source of truth for the due date and the grace end (issue 16.3): the renewal's own
dates, copied when it was issued and told to the holder on the page, the invoice and the
reminders, also decide when its credentials lapse. A requirement set edited afterwards
changes only renewals not issued yet."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from credentials import rules, selectors
from credentials.models import Credential, RequirementSet
from credentials.services.renewals import lapse_overdue_credentials
from renewal_portal.composition.reminders import reminder_due_on
from tests.factories import ContactProfileFactory, CredentialFactory, credential_type
from tests.factories.renewal_states import renewal_due

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")


def extend_grace_of_2027_cam_to_april_30():
    """The office edits the CAM requirement set after the 2027 renewals went out."""
    requirement_set = RequirementSet.objects.get(
        credential_type=credential_type("CAM"), first_year__lte=2027, last_year__isnull=True
    )
    requirement_set.grace_end_month, requirement_set.grace_end_day = 4, 30
    requirement_set.save()


@pytest.fixture
def told_march_31(holder):
    """A CAM holder whose 2027 renewal was issued with grace to March 31, then the set
    changed to April 30; and a CAM holder whose 2027 renewal was never issued."""
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=DENVER), tick=False):
        renewal = renewal_due(holder, 2027, codes=("CAM",))
    not_issued = CredentialFactory(
        credential_type=credential_type("CAM"), valid_through=dt.date(2026, 12, 31)
    )
    ContactProfileFactory(user=not_issued.holder)
    extend_grace_of_2027_cam_to_april_30()
    return renewal, not_issued


def test_a_credential_lapses_the_day_after_the_grace_end_its_renewal_told(told_march_31):
    renewal, not_issued = told_march_31
    assert renewal.grace_ends_on == dt.date(2027, 3, 31)
    on = dt.date(2027, 4, 1)

    assert lapse_overdue_credentials(on=on) == 1
    issued = Credential.objects.get(holder=renewal.holder)
    assert issued.lapsed_on == rules.lapse_day(
        rules.issued_calendar(2027, renewal.due_on, renewal.grace_ends_on)
    )
    assert issued.lapsed_on == dt.date(2027, 4, 1)
    assert "grace period ended March 31, 2027" in issued.lapse_reason
    # Without an issued renewal the requirement set decides: in grace until April 30.
    not_issued.refresh_from_db()
    assert not_issued.lapsed_on is None
    assert lapse_overdue_credentials(on=dt.date(2027, 5, 1)) == 1
    not_issued.refresh_from_db()
    assert "grace period ended April 30, 2027" in not_issued.lapse_reason


def test_the_credentials_page_status_and_the_status_filter_use_the_renewals_dates(
    told_march_31,
):
    renewal, not_issued = told_march_31
    book = selectors.RequirementBook()
    for on, issued_status, other_status in [
        (dt.date(2027, 3, 31), rules.IN_GRACE, rules.IN_GRACE),
        (dt.date(2027, 4, 1), rules.LAPSED, rules.IN_GRACE),
        (dt.date(2027, 4, 30), rules.LAPSED, rules.IN_GRACE),
        (dt.date(2027, 5, 1), rules.LAPSED, rules.LAPSED),
    ]:
        [row] = selectors.credentials_of(renewal.holder, on)
        assert row.status == issued_status, on
        [other] = selectors.credentials_of(not_issued.holder, on)
        assert other.status == other_status, on
        for status in (rules.ACTIVE, rules.RENEWAL_DUE, rules.IN_GRACE, rules.LAPSED):
            filtered = set(
                Credential.objects.filter(selectors.credential_status_q(status, on, book))
            )
            by_rule = {c for c in Credential.objects.all() if book.status_of(c, on) == status}
            assert filtered == by_rule, (on, status)


def test_reminders_the_page_and_the_lapse_agree_on_the_last_day_of_grace(told_march_31):
    renewal, _ = told_march_31
    book = selectors.RequirementBook()
    last_day = renewal.grace_ends_on
    assert selectors.renewal_phase(renewal, last_day) == rules.IN_GRACE
    assert selectors.renewal_phase(renewal, last_day + dt.timedelta(days=1)) == rules.LAPSED
    assert reminder_due_on(renewal, last_day + dt.timedelta(days=1), book) is None
    [row] = selectors.credentials_of(renewal.holder, last_day + dt.timedelta(days=1))
    assert row.lapsed and row.lapsed_on == last_day + dt.timedelta(days=1)
