"""The renewal rules of SPEC.md, stated as plain tests of credentials/rules.py."""

import datetime as dt
import itertools
from decimal import Decimal

from cec.models import EntryState
from credentials import rules
from credentials.rules import Requirement

D = Decimal
CAM_2022 = Requirement(
    cecs_owed=D("8"), in_network_min=D("5"), participation_cap=D("2"), code="CAM"
)
CALP_2022 = Requirement(
    cecs_owed=D("5"), in_network_min=D("3"), participation_cap=D("2"), code="CALP"
)
CAM_2021 = Requirement(cecs_owed=D("6"), code="CAM")
NALP_2021 = Requirement(cecs_owed=D("3"), code="CALP")


# Rule 3: shared CECs


def test_cam_and_calp_owe_the_larger_requirement_not_the_sum():
    combined = rules.combined_requirement([CALP_2022, CAM_2022])
    assert combined.cecs_owed == D("8")
    assert combined.code == "CAM"


def test_cam_and_nalp_under_the_old_numbers_owe_six_not_nine():
    assert rules.combined_requirement([CAM_2021, NALP_2021]).cecs_owed == D("6")


def test_in_network_minimum_and_participation_cap_follow_the_governing_credential():
    combined = rules.combined_requirement([CALP_2022, CAM_2022])
    assert combined.in_network_min == D("5")
    assert combined.participation_cap == D("2")


def test_no_credentials_owe_nothing():
    assert rules.combined_requirement([]).cecs_owed == D("0")


# Rule 1: the earning window


def test_the_renewal_for_2027_counts_cecs_earned_in_2026():
    assert rules.earning_window(2027) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_a_cec_earned_on_31_december_of_the_year_before_counts():
    assert rules.in_earning_window(2027, dt.date(2026, 12, 31))
    assert rules.in_earning_window(2027, dt.date(2026, 1, 1))


def test_a_cec_earned_on_1_january_of_the_renewal_year_does_not_count():
    assert not rules.in_earning_window(2027, dt.date(2027, 1, 1))


def test_a_cec_earned_two_years_before_does_not_count_and_the_portal_says_why():
    assert not rules.in_earning_window(2027, dt.date(2025, 12, 31))
    assert "only CECs earned from January 1 to December 31, 2026" in rules.why_not_in_window(
        2027, dt.date(2025, 6, 1)
    )


# Which credentials renew in a year


def test_a_credential_valid_through_the_end_of_last_year_is_due_for_renewal():
    assert rules.due_for_renewal(2027, dt.date(2026, 12, 31))


def test_a_credential_already_renewed_through_the_renewal_year_is_not_due():
    assert not rules.due_for_renewal(2027, dt.date(2027, 12, 31))


def test_a_lapsed_credential_is_included_in_the_next_renewal():
    assert rules.due_for_renewal(2027, dt.date(2024, 12, 31))


def test_a_lifetime_camt_never_renews():
    assert not rules.due_for_renewal(2027, None, renews_annually=False)
    assert not rules.due_for_renewal(2027, dt.date(2020, 12, 31), renews_annually=False)


# Rule 9: due date, grace and lapse on the exact boundary dates

CALENDAR_2027 = rules.renewal_calendar(2027)
VALID_THROUGH = dt.date(2026, 12, 31)


def test_the_2027_renewal_is_due_1_january_with_grace_until_31_march():
    assert CALENDAR_2027.due_on == dt.date(2027, 1, 1)
    assert CALENDAR_2027.grace_ends_on == dt.date(2027, 3, 31)
    assert CALENDAR_2027.opens_on == dt.date(2026, 11, 1)


def test_a_credential_is_active_until_the_renewal_season_opens():
    assert rules.credential_status_on(dt.date(2026, 10, 31), VALID_THROUGH, CALENDAR_2027) == (
        rules.ACTIVE
    )


def test_a_credential_is_renewal_due_from_the_season_opening_through_its_last_valid_day():
    assert rules.credential_status_on(dt.date(2026, 11, 1), VALID_THROUGH, CALENDAR_2027) == (
        rules.RENEWAL_DUE
    )
    assert rules.credential_status_on(dt.date(2026, 12, 31), VALID_THROUGH, CALENDAR_2027) == (
        rules.RENEWAL_DUE
    )


def test_a_credential_is_in_grace_from_the_due_date_through_31_march():
    assert rules.credential_status_on(dt.date(2027, 1, 1), VALID_THROUGH, CALENDAR_2027) == (
        rules.IN_GRACE
    )
    assert rules.credential_status_on(dt.date(2027, 3, 31), VALID_THROUGH, CALENDAR_2027) == (
        rules.IN_GRACE
    )


def test_a_credential_lapses_on_1_april_the_day_after_grace_ends():
    assert rules.credential_status_on(dt.date(2027, 4, 1), VALID_THROUGH, CALENDAR_2027) == (
        rules.LAPSED
    )


def test_a_lifetime_credential_is_always_active():
    assert rules.credential_status_on(dt.date(2040, 1, 1), None, None) == rules.ACTIVE


def test_the_reinstatement_fee_applies_only_after_lapse():
    assert rules.needs_reinstatement(rules.LAPSED)
    for status in (rules.ACTIVE, rules.RENEWAL_DUE, rules.IN_GRACE):
        assert not rules.needs_reinstatement(status)


def test_a_renewal_unfinished_on_its_due_date_is_in_grace_and_after_grace_lapsed():
    due, grace = dt.date(2027, 1, 1), dt.date(2027, 3, 31)
    assert rules.renewal_phase_on(dt.date(2026, 12, 31), due, grace) == rules.RENEWAL_DUE
    assert rules.renewal_phase_on(due, due, grace) == rules.IN_GRACE
    assert rules.renewal_phase_on(grace, due, grace) == rules.IN_GRACE
    assert rules.renewal_phase_on(dt.date(2027, 4, 1), due, grace) == rules.LAPSED


def test_from_1_november_the_next_years_renewal_is_the_current_one():
    assert rules.renewal_year_on(dt.date(2026, 10, 31)) == 2026
    assert rules.renewal_year_on(dt.date(2026, 11, 1)) == 2027
    assert rules.renewal_year_on(dt.date(2026, 11, 25)) == 2027


def test_a_completed_renewal_keeps_the_credential_through_31_december_of_its_year():
    assert rules.valid_through_after_renewal(2027) == dt.date(2027, 12, 31)


# Rule 2: one CEC is one hour


def test_a_class_cec_value_excludes_breaks_and_is_never_rounded_up():
    assert rules.class_cec_value(dt.time(9, 0), dt.time(12, 0), break_minutes=15) == D("2.75")
    assert rules.cec_value(59) == D("0.98")


def test_progress_reads_as_the_spec_says():
    progress = rules.cec_progress(
        CAM_2022,
        [
            rules.CecCredit(hours=D("4"), in_network=True),
            rules.CecCredit(hours=D("3"), participation=True),
        ],
    )
    assert progress.summary() == (
        "6 CECs, 8 needed; 4 in-network, 5 needed; participation 3, of which 2 count (cap reached)"
    )


def test_progress_reads_as_met_and_needed_with_a_tick_when_met():
    # Issue 17.5: "6 of 5 in-network" read like an error; say what is met and what is needed.
    progress = rules.cec_progress(
        CAM_2022,
        [
            rules.CecCredit(hours=D("6"), in_network=True),
            rules.CecCredit(hours=D("9")),
        ],
    )
    assert progress.summary() == "15 CECs, 8 needed ✓; 6 in-network, 5 needed ✓"


def test_progress_shows_participation_below_and_at_the_cap():
    below = rules.cec_progress(CAM_2022, [rules.CecCredit(hours=D("1.5"), participation=True)])
    assert below.summary() == (
        "1.5 CECs, 8 needed; 0 in-network, 5 needed; participation 1.5 of up to 2"
    )
    at = rules.cec_progress(CAM_2022, [rules.CecCredit(hours=D("2"), participation=True)])
    assert at.summary().endswith("participation 2 of up to 2 (cap reached)")


def test_the_requirement_is_described_in_one_sentence():
    assert rules.describe(CAM_2022) == (
        "8 CECs, at least 5 of them in-network; participation counts for at most 2"
    )
    assert rules.describe(Requirement(cecs_owed=D("6"))) == "6 CECs"
    assert rules.describe(Requirement(cecs_owed=D("1"))) == "1 CEC"
    assert rules.describe(rules.NO_REQUIREMENT) == "no CECs"


def test_describe_with_progress_is_the_progress_summary():
    progress = rules.cec_progress(CAM_2022, [rules.CecCredit(hours=D("8"), in_network=True)])
    assert rules.describe(CAM_2022, progress) == progress.summary()
    assert progress.summary() == "8 CECs, 8 needed ✓; 8 in-network, 5 needed ✓"


def test_participation_hours_are_allocated_to_the_cap_in_date_order():
    assert rules.participation_counted([D("3"), D("1")], D("2")) == [D("2"), D("0")]
    assert rules.participation_counted([D("1"), D("0.5")], D("2")) == [D("1"), D("0.5")]
    assert rules.participation_counted([D("3")], None) == [D("3")]


# One home per rule (issue 16.3): the kind of a CEC, the renewal a date belongs to, the
# ledger states that earn and can be submitted, and "renewal complete".


def test_a_cec_is_participation_in_network_or_other_and_participation_wins():
    assert rules.credit_kind(in_network=True, participation=False) == rules.CreditKind.IN_NETWORK
    assert rules.credit_kind(False, True) == rules.CreditKind.PARTICIPATION
    assert rules.credit_kind(True, True) == rules.CreditKind.PARTICIPATION
    assert rules.credit_kind(False, False) == rules.CreditKind.OTHER
    assert [kind.label for kind in rules.CreditKind] == ["In-network", "Participation", "Other"]


def test_hours_of_a_kind_count_an_entry_flagged_both_as_participation_only():
    entries = [
        rules.CecCredit(D("3"), in_network=True),
        rules.CecCredit(D("2"), in_network=True, participation=True),
        rules.CecCredit(D("1")),
    ]
    assert rules.hours_of_kind(entries, rules.CreditKind.IN_NETWORK) == D("3")
    assert rules.hours_of_kind(entries, rules.CreditKind.PARTICIPATION) == D("2")
    assert rules.hours_of_kind(entries, rules.CreditKind.OTHER) == D("1")
    progress = rules.cec_progress(CAM_2022, entries)
    assert (progress.in_network, progress.participation) == (D("3"), D("2"))


def test_a_credential_is_renewed_by_the_renewal_of_the_year_after_it_expires():
    assert rules.renewal_year_of_credential(dt.date(2026, 12, 31)) == 2027
    assert rules.renewal_year_of_credential(dt.date(2026, 1, 1)) == 2027


def test_a_cec_counts_for_the_renewal_of_the_year_after_it_was_earned():
    for earned_on in (dt.date(2026, 1, 1), dt.date(2026, 12, 31)):
        year = rules.renewal_year_of_entry(earned_on)
        assert year == 2027
        assert rules.in_earning_window(year, earned_on)
        assert rules.earning_year(year) == earned_on.year
    assert rules.renewal_year_counting(2026) == 2027


def test_only_credited_and_verified_entries_can_be_submitted_and_they_earn():
    assert set(rules.SUBMITTABLE_STATES) == {rules.CREDITED, rules.VERIFIED}
    assert set(rules.SUBMITTABLE_STATES) <= set(rules.EARNING_STATES)
    for state in (rules.PENDING_VERIFICATION, rules.REJECTED, rules.WITHDRAWN):
        assert not rules.entry_earns(state) and not rules.entry_submittable(state)
    for state in (rules.SUBMITTED, rules.APPROVED):
        assert rules.entry_earns(state) and not rules.entry_submittable(state)


def test_the_ledger_states_are_the_rules_states():
    assert set(EntryState.values) == {
        rules.CREDITED,
        rules.PENDING_VERIFICATION,
        rules.VERIFIED,
        rules.SUBMITTED,
        rules.APPROVED,
        rules.REJECTED,
        rules.WITHDRAWN,
    }


def test_a_renewal_is_complete_only_when_all_four_steps_are_done():
    for steps in itertools.product([False, True], repeat=4):
        assert rules.renewal_complete(*steps) == all(steps)


def test_committee_and_volunteering_forms_are_participation():
    assert rules.is_participation_activity("committee")
    assert rules.is_participation_activity("volunteering")
    assert not rules.is_participation_activity("expo_class")
    assert not rules.is_participation_activity("other")
