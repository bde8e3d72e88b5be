"""Queries that restate a rule agree with credentials.rules on every boundary date (issue
16.3): the renewal phase the season dashboard and the admin's phase filter count (due, in
grace, lapsed) is rules.renewal_phase_on of each renewal's own due date and grace end."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Q

from cec.models import EntryState, LedgerEntry
from cec.selectors.ledger import earning_entries_in_window
from credentials import rules, selectors
from credentials.models import Credential, Renewal
from renewal_portal.composition import exports, season
from renewal_portal.composition.admin.renewals import FollowUpFilter, PhaseFilter
from renewal_portal.composition.admin.season_filters import SeasonPhaseFilter
from renewal_portal.composition.reminders import open_renewals_on
from tests.factories import CredentialFactory, HolderFactory, LedgerEntryFactory
from tests.factories.renewal_states import renewal_due

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")

CALENDAR_PHASES = (rules.RENEWAL_DUE, rules.IN_GRACE, rules.LAPSED)


def boundaries(*years):
    """The days either side of every date a renewal phase turns on."""
    days = []
    for year in years:
        calendar = rules.renewal_calendar(year)
        for edge in (calendar.opens_on, calendar.due_on, rules.lapse_day(calendar)):
            days += [edge - dt.timedelta(days=1), edge]
    return days


@pytest.fixture
def renewals_of_two_years():
    """Open renewals for 2027 and 2028 (two due dates and grace ends)."""
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=DENVER), tick=False):
        renewal_due(HolderFactory(), 2027)
        renewal_due(HolderFactory(), 2027, codes=("CAS",))
    with time_machine.travel(dt.datetime(2027, 11, 2, 9, 0, tzinfo=DENVER), tick=False):
        renewal_due(HolderFactory(), 2028)
    return Renewal.objects.all()


@pytest.mark.parametrize("on", boundaries(2027, 2028))
def test_the_renewal_phase_filter_agrees_with_the_rule_on_every_boundary(renewals_of_two_years, on):
    for phase in CALENDAR_PHASES:
        filtered = set(
            Renewal.objects.filter(selectors.renewal_phase_q(phase, on)).values_list(
                "pk", flat=True
            )
        )
        by_rule = {
            r.pk
            for r in Renewal.objects.all()
            if rules.renewal_phase_on(on, r.due_on, r.grace_ends_on) == phase
        }
        assert filtered == by_rule, phase


@pytest.mark.parametrize("on", boundaries(2027, 2028))
def test_the_season_phases_agree_with_each_renewals_phase_on_every_boundary(
    renewals_of_two_years, on
):
    renewals = Renewal.objects.all()
    for phase in season.RENEWAL_PHASES:
        listed = set(season.renewals_in_phase(renewals, phase, on).values_list("pk", flat=True))
        by_rule = {r.pk for r in renewals if season.phase_of(r, on) == phase}
        assert listed == by_rule, phase


@pytest.mark.parametrize("on", boundaries(2027, 2028))
def test_the_renewals_export_phase_agrees_with_the_season_on_every_boundary(
    renewals_of_two_years, on
):
    renewals = Renewal.objects.all()
    progress = season.progress_by_renewal(renewals)
    for renewal in renewals:
        assert exports._phase(renewal, on, set(), progress[renewal.pk]) == season.phase_of(
            renewal, on
        ), renewal.year


def test_a_completed_renewal_is_in_no_calendar_phase(renewals_of_two_years):
    on = dt.date(2027, 4, 1)
    assert Renewal.objects.filter(selectors.renewal_phase_q(rules.LAPSED, on)).count() == 2
    for phase in CALENDAR_PHASES:
        query = selectors.renewal_phase_q(phase, on, Renewal.objects.none())
        assert not Renewal.objects.filter(query).exists()


def test_the_status_filter_asks_the_rule_once_per_type_and_year_not_per_holder():
    on = dt.date(2027, 4, 1)
    CredentialFactory(holder=HolderFactory(), valid_through=dt.date(2026, 12, 31))
    one_holder = str(
        Credential.objects.filter(selectors.credential_status_q(rules.LAPSED, on)).query
    )
    for _ in range(3):
        CredentialFactory(holder=HolderFactory(), valid_through=dt.date(2026, 12, 31))
    query = selectors.credential_status_q(rules.LAPSED, on)
    # One group (CAM, 2026), however many hold it.
    assert str(Credential.objects.filter(query).query) == one_holder
    assert isinstance(query, Q)
    assert Credential.objects.filter(query).count() == 4


def _filtered(filter_class, value):
    list_filter = filter_class(None, {filter_class.parameter_name: [value]}, Renewal, None)
    return set(list_filter.queryset(None, Renewal.objects.all()).values_list("pk", flat=True))


@pytest.mark.parametrize("on", boundaries(2027, 2028))
def test_the_admin_phase_filters_agree_with_the_rule_on_every_boundary(renewals_of_two_years, on):
    with time_machine.travel(dt.datetime.combine(on, dt.time(12), DENVER), tick=False):
        for phase in CALENDAR_PHASES:
            by_rule = {
                r.pk
                for r in Renewal.objects.all()
                if rules.renewal_phase_on(on, r.due_on, r.grace_ends_on) == phase
            }
            assert _filtered(PhaseFilter, phase) == by_rule, phase
            if phase != rules.RENEWAL_DUE:  # the season splits "due" further
                assert _filtered(SeasonPhaseFilter, phase) == by_rule, phase
            if phase == rules.IN_GRACE:
                # None of them is paid: "in grace, unpaid" is every renewal in grace.
                assert _filtered(FollowUpFilter, "grace_unpaid") == by_rule


@pytest.mark.parametrize("on", boundaries(2027, 2028))
def test_reminders_look_at_the_renewals_the_rule_has_not_lapsed(renewals_of_two_years, on):
    looked_at = set(open_renewals_on(on).values_list("pk", flat=True))
    by_rule = {
        r.pk
        for r in Renewal.objects.all()
        if rules.renewal_phase_on(on, r.due_on, r.grace_ends_on) != rules.LAPSED
        and r.due_on <= on + dt.timedelta(days=367)
    }
    assert looked_at == by_rule


def test_the_earning_window_query_agrees_with_the_rule_on_every_boundary(holder):
    days = [
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 1),
    ]
    for earned_on in days:
        for state in EntryState.values:
            LedgerEntryFactory(holder=holder, earned_on=earned_on, state=state)
    for year in (2026, 2027, 2028):
        counted = set(earning_entries_in_window(holder, year))
        by_rule = {
            e
            for e in LedgerEntry.objects.filter(holder=holder)
            if rules.entry_earns(e.state) and rules.in_earning_window(year, e.earned_on)
        }
        assert counted == by_rule, year
        assert {rules.renewal_year_of_entry(e.earned_on) for e in counted} <= {year}
