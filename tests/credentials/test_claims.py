"""Holders claim the records the office keeps (issue 18): by signing up with the address
on the record, or by credential number + last name + ZIP confirmed by staff; two accounts
never own one holder; merging two records is a staff action with history."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from cec.models import LedgerEntry
from credentials.models import Claim, ClaimState, Credential, HolderMerge, OutboxMessage, User
from credentials.services import claims, merges
from credentials.services.renewals import issue_renewal_for
from tests.factories import (
    ContactProfileFactory,
    CredentialFactory,
    HolderFactory,
    LedgerEntryFactory,
    credential_type,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Passphrase-42"


def office_record(
    email="dana.reyes@example.org", last_name="Reyes", zip_code="80903", number="CAM-204411"
):
    """A holder the office brought in (imported or typed in): no password, never signed in."""
    record = User.objects.create_user(email=email, first_name="Dana", last_name=last_name)
    ContactProfileFactory(user=record, postal_code=zip_code)
    CredentialFactory(
        holder=record,
        credential_type=credential_type("CAM"),
        number=number,
        valid_through=dt.date(2026, 12, 31),
    )
    return record


def sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Dana",
            "last_name": "Reyes",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def claim(claimant, number="CAM-204411", last_name="Reyes", postal_code="80903"):
    return claims.submit_claim(
        claimant, number=number, last_name=last_name, postal_code=postal_code
    )


# --- By email ------------------------------------------------------------------------------


def test_signing_up_with_the_address_of_a_record_answers_like_any_sign_up(client):
    office_record()
    fresh = sign_up(client, "someone.new@example.org")
    existing = sign_up(client, "Dana.Reyes@example.org")
    assert existing.status_code == fresh.status_code == 302
    assert existing["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="dana.reyes@example.org").count() == 1


def test_signing_up_with_the_address_of_a_record_gives_that_record_and_its_credentials(
    client, django_capture_on_commit_callbacks
):
    record = office_record()
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "dana.reyes@example.org")
    message = OutboxMessage.objects.get(kind="account_claim_record")
    assert message.to_email == "dana.reyes@example.org"
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", message.body_text).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else "/" + path,
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    signed_in = client.post(
        reverse("account_login"), {"login": "dana.reyes@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert "confirm-email" not in signed_in["Location"]  # the link proved the address
    page = client.get(reverse("credentials:credentials")).content.decode()
    assert "CAM-204411" in page
    assert User.objects.filter(email__iexact="dana.reyes@example.org").get().pk == record.pk


def test_an_account_already_in_use_gets_the_usual_notice_not_a_password_link(
    client, django_capture_on_commit_callbacks
):
    HolderFactory(email="in.use@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "in.use@example.org")
    assert not OutboxMessage.objects.filter(kind="account_claim_record").exists()
    assert OutboxMessage.objects.filter(kind="account_account_already_exists").exists()


# --- By credential number, confirmed by staff -----------------------------------------------


def test_a_claim_by_number_waits_for_the_office_and_moves_nothing(holder):
    record = office_record()
    sent = claim(holder)
    assert sent.state == ClaimState.WAITING and sent.record == record
    assert Credential.objects.get(number="CAM-204411").holder == record


def test_staff_confirm_a_claim_and_the_credentials_ledger_and_renewals_move(holder, staff):
    record = office_record()
    entry = LedgerEntryFactory(holder=record, earned_on=dt.date(2026, 3, 10))
    renewal = issue_renewal_for(record, 2027, on=dt.date(2026, 11, 20))
    confirmed = claims.confirm_claim(claim(holder), by=staff)
    assert confirmed.state == ClaimState.CONFIRMED
    assert Credential.objects.get(number="CAM-204411").holder == holder
    entry.refresh_from_db()
    renewal.refresh_from_db()
    assert entry.holder == holder and renewal.holder == holder
    credential = Credential.objects.get(number="CAM-204411")
    last = credential.history.first()
    assert (
        last.history_user == staff
        and "Merged from dana.reyes@example.org" in last.history_change_reason
    )
    merge = HolderMerge.objects.get(claim=confirmed)
    assert merge.source == record and merge.into == holder and merge.merged_by == staff
    record.refresh_from_db()
    assert not record.is_active
    assert OutboxMessage.objects.filter(kind="claim_confirmed", holder=holder).exists()


def test_staff_confirm_a_claim_from_the_claims_queue(holder, staff, staff_client):
    office_record()
    sent = claim(holder)
    page = staff_client.get(reverse("admin:credentials_claim_change", args=[sent.pk]))
    text = page.content.decode()
    assert "Typed by the claimant" in text and "On the record" in text and holder.email in text
    response = staff_client.post(
        reverse("admin:credentials_claim_changelist"),
        {"action": "confirm_claims", "_selected_action": [sent.pk]},
    )
    assert response.status_code == 302
    assert Credential.objects.get(number="CAM-204411").holder == holder


def test_a_claim_answers_the_same_whether_or_not_the_number_exists(holder_client, holder):
    office_record()
    url = reverse("credentials:claim")
    data = {"number": "CAM-204411", "last_name": "Reyes", "postal_code": "80903"}
    matched = holder_client.post(url, data, follow=True).content.decode()
    unknown = holder_client.post(url, {**data, "number": "CAM-999999"}, follow=True)
    assert escape(claims.CLAIM_SENT) in matched
    assert escape(claims.CLAIM_SENT) in unknown.content.decode()
    states = sorted(Claim.objects.filter(claimant=holder).values_list("state", flat=True))
    assert states == [ClaimState.NO_MATCH, ClaimState.WAITING]
    assert (
        Claim.objects.get(state=ClaimState.NO_MATCH).staff_note == "No credential has this number."
    )


def test_a_wrong_last_name_or_zip_is_no_match(holder):
    office_record()
    assert claim(holder, last_name="Smith").state == ClaimState.NO_MATCH
    assert claim(holder, postal_code="80910").state == ClaimState.NO_MATCH


def test_a_zip_plus_four_matches_the_five_digit_zip(holder):
    office_record()
    assert claim(holder, postal_code="80903-1234", last_name=" reyes ").state == ClaimState.WAITING


def test_the_fourth_claim_of_a_day_is_throttled(holder_client, holder):
    url = reverse("credentials:claim")
    for number in ("X-1", "X-2", "X-3"):
        holder_client.post(url, {"number": number, "last_name": "Reyes", "postal_code": "80903"})
    office_record()
    response = holder_client.post(
        url, {"number": "CAM-204411", "last_name": "Reyes", "postal_code": "80903"}
    )
    assert response.status_code == 200
    assert "three claims today" in response.content.decode()
    assert Claim.objects.filter(claimant=holder).count() == 3


def test_staff_and_reviewers_do_not_claim(staff_client, reviewer_client):
    assert staff_client.get(reverse("credentials:claim")).status_code == 403
    assert reviewer_client.get(reverse("credentials:claim")).status_code == 403


# --- Two accounts never own one holder --------------------------------------------------------


def test_two_claims_to_one_record_give_it_to_one_account_only(holder, other_holder, staff):
    record = office_record()
    first, second = claim(holder), claim(other_holder)
    claims.confirm_claim(first, by=staff)
    with pytest.raises(ValidationError, match="only a claim waiting"):
        claims.confirm_claim(second, by=staff)
    second.refresh_from_db()
    assert second.state == ClaimState.REFUSED
    assert set(Credential.objects.filter(number="CAM-204411").values_list("holder", flat=True)) == {
        holder.pk
    }
    assert not User.objects.get(pk=record.pk).is_active


def test_a_record_signed_into_since_the_claim_cannot_be_confirmed(holder, staff):
    record = office_record()
    sent = claim(holder)
    record.set_password(PASSWORD)
    record.save()
    with pytest.raises(ValidationError, match="already belongs to an account"):
        claims.confirm_claim(sent, by=staff)
    assert Credential.objects.get(number="CAM-204411").holder == record


def test_a_claim_to_an_account_in_use_does_not_match(holder, other_holder):
    ContactProfileFactory(user=other_holder, postal_code="80903")
    other_holder.last_name = "Reyes"
    other_holder.save()
    CredentialFactory(holder=other_holder, number="CAM-777")
    sent = claim(holder, number="CAM-777")
    assert sent.state == ClaimState.NO_MATCH and "in use" in sent.staff_note


# --- Merging two records ---------------------------------------------------------------------


def test_staff_merge_two_records_of_one_person_with_history(holder, staff):
    record = office_record()
    LedgerEntryFactory(holder=record, earned_on=dt.date(2026, 3, 10))
    merge = merges.merge_holders(record, holder, by=staff, reason="Same person, two emails")
    assert "1 credentials" in merge.moved and "1 ledger entries" in merge.moved
    assert LedgerEntry.objects.filter(holder=holder).count() == 1
    assert Credential.objects.get(number="CAM-204411").history.first().history_user == staff


def test_a_merge_is_refused_when_both_have_a_renewal_for_the_same_year(holder, staff):
    record = office_record()
    CredentialFactory(
        holder=holder, credential_type=credential_type("CALP"), valid_through=dt.date(2026, 12, 31)
    )
    issue_renewal_for(record, 2027, on=dt.date(2026, 11, 20))
    issue_renewal_for(holder, 2027, on=dt.date(2026, 11, 20))
    with pytest.raises(ValidationError, match="Both records have a renewal for 2027"):
        merges.merge_holders(record, holder, by=staff, reason="Same person")
    assert Credential.objects.get(number="CAM-204411").holder == record


def test_the_merge_page_says_why_it_refuses(holder, staff, staff_client):
    record = office_record()
    CredentialFactory(holder=holder, credential_type=credential_type("CAM"))
    response = staff_client.post(
        reverse("admin:credentials_holdermerge_add"),
        {"source": record.pk, "into": holder.pk, "reason": "Same person"},
    )
    assert response.status_code == 200
    assert "Both records hold a CAM credential" in response.content.decode()
    assert not HolderMerge.objects.exists()


def test_staff_merge_from_the_admin_page(holder, staff, staff_client):
    record = office_record()
    response = staff_client.post(
        reverse("admin:credentials_holdermerge_add"),
        {"source": record.pk, "into": holder.pk, "reason": "Same person"},
    )
    assert response.status_code == 302
    assert Credential.objects.get(number="CAM-204411").holder == holder


def test_staff_refuse_a_claim_and_nothing_moves(holder, staff, staff_client):
    record = office_record()
    sent = claim(holder)
    staff_client.post(
        reverse("admin:credentials_claim_changelist"),
        {"action": "refuse_claims", "_selected_action": [sent.pk]},
    )
    sent.refresh_from_db()
    assert sent.state == ClaimState.REFUSED and sent.decided_by == staff
    assert Credential.objects.get(number="CAM-204411").holder == record


def test_reviewers_cannot_decide_claims(holder, reviewer):
    office_record()
    with pytest.raises(PermissionDenied):
        claims.confirm_claim(claim(holder), by=reviewer)


def test_staff_decide_a_claim_on_its_page(holder, staff_client, reviewer_client):
    office_record()
    sent = claim(holder)
    url = reverse("admin:credentials_claim_decide", args=[sent.pk])
    page = staff_client.get(reverse("admin:credentials_claim_change", args=[sent.pk]))
    assert url in page.content.decode()
    assert staff_client.get(url).status_code == 405
    refused_by_reviewer = reviewer_client.post(url, {"confirm": "1"})
    assert refused_by_reviewer.status_code == 302 and "/login" in refused_by_reviewer["Location"]
    assert (
        staff_client.post(url, {"confirm": "1", "note": "ID seen at the desk"}).status_code == 302
    )
    sent.refresh_from_db()
    assert sent.state == ClaimState.CONFIRMED and sent.staff_note == "ID seen at the desk"
    assert Credential.objects.get(number="CAM-204411").holder == holder


def test_the_welcome_page_of_a_new_account_links_to_claiming(holder_client, holder):
    page = holder_client.get(reverse("credentials:home")).content.decode()
    assert reverse("credentials:claim") in page
