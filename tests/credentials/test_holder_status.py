"""What each holder is told (issue 17.2, 17.3, 17.4): home names their one next action
or says all is done and until when; a lapsed holder reads when, why, what reinstating
costs and what it takes; step 4 after submitting says it waits for NAAEI, with no button,
and after a rejection gives the reason and what to fix. States are driven through the
services (tests/factories/renewal_states.py)."""

import datetime as dt

import pytest
from django.urls import reverse

from credentials.models import OutboxMessage
from credentials.services.outbox import build_email
from renewal_portal.composition import holder_status
from tests.factories import CredentialFactory, credential_type
from tests.factories import renewal_states as states

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 12, 1)]


def page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


# --- Home: one next action ---------------------------------------------------------------


def test_a_brand_new_account_is_told_no_credential_is_on_record(holder, holder_client):
    action = holder_status.next_action_for(holder)
    assert action.kind == holder_status.NO_CREDENTIALS
    # Home greets a brand-new account with the welcome page: what happens next.
    home = page(holder_client, "credentials:home")
    assert "The office links your credentials" in home
    assert "renewal is open" not in home


def test_a_renewal_due_asks_for_the_first_step_not_done(holder, holder_client, staff):
    renewal = states.renewal_due(holder)
    assert holder_status.next_action_for(holder).kind == holder_status.CONTACT
    states.confirm(renewal)
    action = holder_status.next_action_for(holder)
    assert action.kind == holder_status.PAYMENT
    assert action.url == reverse("payments:pay", args=[renewal.invoice.number])
    home = page(holder_client, "credentials:home")
    assert "Pay your 2027 renewal invoice" in home
    assert "Pay $225.00 by card" in home
    assert "1 of 4 steps done" in home
    assert "Due January 1, 2027" in home


def test_in_grace_the_next_action_warns_of_the_lapse(clock, holder, client):
    states.renewal_due(holder)
    clock.move_to(2027, 2, 1)
    client.force_login(holder)
    action = holder_status.next_action_for(holder)
    home = page(client, "credentials:home")
    assert action.tone == "warning"
    assert "you are in the grace period. Finish all four steps by March 31, 2027" in home


def test_after_submitting_home_says_nothing_to_do_until_naaei_decides(holder, holder_client, staff):
    renewal = states.renewal_due(holder)
    states.confirm(renewal)
    states.pay_by_cheque(renewal, staff)
    states.check_cecs(renewal)
    states.submit(renewal)
    action = holder_status.next_action_for(holder)
    assert action.kind == holder_status.WAITING
    home = page(holder_client, "credentials:home")
    assert "Nothing to do now: NAAEI is reviewing your CECs" in home
    assert "Submitted on December 1, 2026, waiting for NAAEI review" in home


def test_a_submission_waiting_while_a_step_is_open_points_at_that_step(holder, staff):
    renewal = states.renewal_due(holder)
    states.submit(renewal)
    action = holder_status.next_action_for(holder)
    assert action.kind == holder_status.CONTACT
    assert action.note == "Step 4: Submitted on December 1, 2026, waiting for NAAEI review."


def test_after_a_rejection_home_asks_to_fix_and_resubmit(holder, holder_client, reviewer):
    renewal = states.renewal_due(holder)
    states.reject(states.submit(renewal), reviewer)
    states.confirm(renewal)
    action = holder_status.next_action_for(holder)
    assert action.kind == holder_status.RESUBMIT
    home = page(holder_client, "credentials:home")
    assert "Fix and resubmit your CECs" in home
    assert "The June class is not on the AASC roster." in home


def test_a_completed_renewal_says_all_done_and_until_when(holder, holder_client, staff, reviewer):
    renewal = states.renewal_due(holder)
    states.complete(renewal, staff, reviewer)
    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    home = page(holder_client, "credentials:home")
    assert "All done: your 2027 renewal is complete" in home
    assert "CALP and CAM are renewed through December 31, 2027" in home
    assert "until your 2028 renewal opens on November 1, 2027" in home
    assert "Your 2027 renewal is open" not in home


def test_credentials_renewed_without_a_renewal_this_year_are_all_done(holder):
    CredentialFactory(
        holder=holder, credential_type=credential_type("CAM"), valid_through=dt.date(2027, 12, 31)
    )
    action = holder_status.next_action_for(holder)
    assert action.kind == holder_status.RENEWED
    assert action.all_done


def test_a_lifetime_certificate_has_nothing_to_renew(holder):
    CredentialFactory(holder=holder, credential_type=credential_type("CAMT"), valid_through=None)
    assert holder_status.next_action_for(holder).kind == holder_status.LIFETIME


# --- A lapsed holder -----------------------------------------------------------------------


def test_the_renewal_page_says_plainly_the_credential_lapsed_and_what_reinstating_takes(
    holder, holder_client
):
    states.lapsed_and_reinstating(holder)
    renewal_page = page(holder_client, "credentials:renewal")
    assert "Your 2027 renewal: reinstating your lapsed CALP" in renewal_page
    assert "Your CALP (CALP-199407) lapsed on April 1, 2025." in renewal_page
    assert (
        "Not renewed for 2025: the renewal was due January 1, 2025 and its grace period "
        "ended March 31, 2025." in renewal_page
    )
    assert "Reinstating costs the $50.00 reinstatement fee on top of the annual fee" in renewal_page
    assert "To reinstate it, complete this 2027 renewal" in renewal_page
    assert (
        "have the CECs owed for 2027 (5 CECs, at least 3 of them in-network; participation "
        "counts for at most 2, earned January 1 to December 31, 2026) approved" in renewal_page
    )
    assert "Lapsed: 0 of 4 steps to reinstate" in renewal_page


def test_the_credentials_page_offers_reinstatement_not_a_past_renewal(holder, holder_client):
    states.lapsed_and_reinstating(holder)
    credentials_page = page(holder_client, "credentials:credentials")
    assert "2025: due Jan 1, 2025" not in credentials_page
    assert (
        "Your CALP (CALP-199407) lapsed on April 1, 2025.</strong> Not renewed for 2025"
        in credentials_page
    )
    assert (
        "To reinstate it, complete your 2027 renewal: the annual fee plus the $50.00 "
        "reinstatement fee, and the CECs owed for 2027." in credentials_page
    )
    assert "2027: reinstates it (+ $50.00 fee)" in credentials_page


def test_home_tells_a_lapsed_holder_it_lapsed_and_the_next_step(holder, holder_client):
    states.lapsed_and_reinstating(holder)
    action = holder_status.next_action_for(holder)
    assert action.tone == "danger"
    home = page(holder_client, "credentials:home")
    assert "Your CALP (CALP-199407) lapsed on April 1, 2025." in home
    assert "Renewing it adds the $50.00 reinstatement fee." in home
    assert "Confirm your contact details" in home
    assert "Your 2027 renewal is open" not in home


def test_a_lapsed_holder_before_the_renewal_is_issued_is_told_it_lapsed(holder, holder_client):
    CredentialFactory(
        holder=holder, credential_type=credential_type("CALP"), valid_through=dt.date(2024, 12, 31)
    )
    renewal_page = page(holder_client, "credentials:renewal")
    assert "lapsed on April 1, 2025.</strong> Not renewed for 2025" in renewal_page
    assert "plus the $50.00 reinstatement fee" in renewal_page
    action = holder_status.next_action_for(holder)
    assert action.kind == holder_status.NOT_ISSUED
    [lapse] = action.reinstatements
    assert lapse.lapsed_on == dt.date(2025, 4, 1)
    assert lapse.fee_cents == 5000


# --- Step 4 after submitting ---------------------------------------------------------------


def test_step_four_after_submitting_waits_for_naaei_with_no_button(holder, holder_client):
    renewal = states.renewal_due(holder)
    states.submit(renewal)
    renewal_page = page(holder_client, "credentials:renewal")
    step = renewal_page.split('data-step="cec_approval"')[1].split("</li>")[0]
    assert "Submitted on December 1, 2026, waiting for NAAEI review" in step
    assert "To do" not in step
    assert "Submit my CECs" not in step
    assert reverse("cec_submission:start") not in step


def test_step_four_after_a_rejection_gives_the_reason_and_what_to_fix(
    holder, holder_client, reviewer
):
    renewal = states.renewal_due(holder)
    states.reject(states.submit(renewal), reviewer)
    renewal_page = page(holder_client, "credentials:renewal")
    step = renewal_page.split('data-step="cec_approval"')[1].split("</li>")[0]
    assert "Rejected." in step
    assert "NAAEI rejected your submission on December 1, 2026: The June class is not on" in step
    assert "file a Reporting Form for missing CECs), then submit again" in step
    assert "Fix and submit again" in step


def test_the_invoice_email_of_a_reinstating_renewal_says_the_credential_lapsed(holder):
    renewal = states.lapsed_and_reinstating(holder)
    message = OutboxMessage.objects.get(kind="renewal_invoice", renewal=renewal)
    email = build_email(message)
    body = " ".join(email.body.split())
    assert "Your CALP (CALP-199407) lapsed on April 1, 2025." in body
    assert "This renewal reinstates it; the invoice includes the $50.00 reinstatement fee." in body
    html = " ".join(email.alternatives[0][0].split())
    assert "lapsed on April 1, 2025" in html


def test_an_ordinary_invoice_email_mentions_no_lapse(holder):
    renewal = states.renewal_due(holder)
    email = build_email(OutboxMessage.objects.get(kind="renewal_invoice", renewal=renewal))
    assert "lapsed on" not in email.body
