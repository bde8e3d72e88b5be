"""Round 4's outside attack, against what issue 19 added: the versioned page cache
(renewal_portal/infra/page_cache.py, credentials/page_versions.py) and the content
versions the database's triggers keep (credentials|cec|payments/content_versions.py).

Each test is one attack, tried as an outsider, another holder, an office account, a
reviewer, or a holder whose state changes under them: the portal must never serve a page
to anyone but its owner, never a stale page, and never fail because of the cache.
docs/changes/s.md lists every attack and its result."""

import datetime as dt
import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from cec.models import LedgerEntry, Submission
from credentials import roles
from credentials.models import FaqEntry, OfficeContact, RequirementSet, User
from credentials.services import merges
from payments.models import Payment, PaymentStatus
from renewal_portal.infra import page_cache
from tests.factories import (
    CredentialFactory,
    HolderFactory,
    LedgerEntryFactory,
    ReportingFormFactory,
    ReviewerFactory,
)
from tests.factories.credentials import PASSWORD, credential_type
from tests.factories.payments import PaymentFactory
from tests.factories.renewal_states import confirm, pay_by_cheque, renewal_due, submit
from tests.payments.helpers import post_event
from tests.support.localstripe import WEBHOOK_SECRET
from tests.support.page_cache import cached, fresh, from_cache

# Also run on PostgreSQL (`make test`'s postgres stage): its triggers are other code.
pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25), pytest.mark.postgres]

RENEWAL = reverse("credentials:renewal")
HOME = reverse("credentials:home")
CREDENTIALS = reverse("credentials:credentials")
QUEUE = reverse("review:queue")
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def stored_pages():
    return [key for key in caches["pages"]._cache if ":page:" in key]


def overwrite_every_stored_page(value):
    cache = caches["pages"]
    for made in stored_pages():
        cache.set(made.split(":", 2)[2], value)


@pytest.fixture
def renewal(holder):
    return renewal_due(holder)


# --- Another holder, one browser, an office account, a reviewer ------------------------


def test_a_second_holder_signed_in_on_the_same_browser_never_sees_the_first(
    holder, other_holder, renewal
):
    renewal_due(other_holder, codes=("CAS",))
    browser = Client()
    browser.force_login(holder)
    assert "Certified Apartment Manager" in cached(browser, RENEWAL)
    # Same browser, same CSRF cookie, same session cookie name: only the user changes.
    browser.force_login(other_holder)
    theirs = browser.get(RENEWAL).content.decode()
    assert "Certified Apartment Supplier" in theirs
    assert "Certified Apartment Manager" not in theirs


def test_an_office_account_viewing_an_invoice_then_the_holder_each_see_their_own(
    holder, holder_client, renewal, staff, staff_client
):
    invoice = reverse("payments:invoice", args=[renewal.invoice.number])
    for _ in range(2):
        staff_view = staff_client.get(invoice)
        assert staff_view.status_code == 200 and staff_view.templates  # never cached
    before = cached(holder_client, invoice)
    pay_by_cheque(renewal, staff)  # the office records the cheque
    after = fresh(holder_client, invoice)
    assert after != before
    assert staff_client.get(invoice).templates  # the office still renders its own view


def test_a_reviewer_who_also_holds_credentials_is_never_cached_as_a_holder(reviewer):
    CredentialFactory(holder=reviewer, credential_type=credential_type("CAM"))
    client = signed_in(reviewer)
    for _ in range(3):
        response = client.get(CREDENTIALS)
        assert response.status_code in (200, 302, 403, 404)
        if response.status_code == 200:
            assert response.templates


def test_a_reviewers_queue_shows_a_holders_change_at_once(holder, renewal, reviewer):
    submit(renewal)
    client = signed_in(reviewer)
    cached(client, QUEUE)
    User.objects.filter(pk=holder.pk).update(last_name="Outsider-Renamed")
    assert "Outsider-Renamed" in fresh(client, QUEUE)


def test_a_reviewer_whose_role_is_removed_gets_no_cached_queue(reviewer):
    client = signed_in(reviewer)
    cached(client, QUEUE)
    reviewer.groups.remove(Group.objects.get(name=roles.NAAEI_REVIEWER))
    assert client.get(QUEUE).status_code in (302, 403)


def test_a_role_granted_renders_the_page_anew(holder, holder_client, renewal):
    cached(holder_client, HOME)
    holder.groups.add(Group.objects.get(name=roles.NAAEI_REVIEWER))
    response = holder_client.get(HOME)
    assert response.status_code in (200, 302) and (
        response.status_code == 302 or response.templates
    )


def test_two_factor_added_renders_the_page_anew(holder, holder_client, renewal):
    cached(holder_client, RENEWAL)
    Authenticator.objects.create(user=holder, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert holder_client.get(RENEWAL).templates


# --- The signed-in person's account changes ---------------------------------------------


def test_a_deactivated_account_is_never_served_its_cached_pages(holder, holder_client, renewal):
    cached(holder_client, RENEWAL)
    User.objects.filter(pk=holder.pk).update(is_active=False)
    response = holder_client.get(RENEWAL)
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_a_password_change_ends_the_other_sessions_cached_pages(holder, renewal):
    laptop, phone = signed_in(holder), signed_in(holder)
    cached(laptop, RENEWAL)
    cached(phone, RENEWAL)
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "A-new-passphrase-42",
            "password2": "A-new-passphrase-42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:400]
    stale = phone.get(RENEWAL)
    assert stale.status_code == 302 and reverse("account_login") in stale.url


# --- The same page under other addresses --------------------------------------------------


def test_query_string_variations_are_rendered_and_never_stored(holder_client, renewal):
    cached(holder_client, RENEWAL)
    before = len(stored_pages())
    for n in range(20):
        assert holder_client.get(f"{RENEWAL}?utm={n}").templates
    assert len(stored_pages()) == before


def test_percent_encoding_and_a_missing_slash_reach_the_owners_page_only(
    holder_client, other_holder_client, renewal
):
    cached(holder_client, RENEWAL)
    encoded = RENEWAL.replace("r", "%72", 1)
    assert holder_client.get(encoded).status_code == 200
    assert holder_client.get(RENEWAL.rstrip("/")).status_code in (301, 404)
    theirs = other_holder_client.get(encoded)
    assert theirs.status_code == 200 and "Certified Apartment Manager" not in (
        theirs.content.decode()
    )


def test_a_forged_host_header_is_refused_not_served_from_the_cache(holder_client, renewal):
    cached(holder_client, RENEWAL)
    assert holder_client.get(RENEWAL, HTTP_HOST="evil.example.com").status_code == 400
    assert holder_client.get(RENEWAL, HTTP_X_FORWARDED_HOST="evil.example.com").status_code in (
        200,
        400,
    )


def test_head_never_stores_an_empty_page_for_get(holder_client, renewal):
    # The renewal page answers HEAD 405 (require_GET); the FAQ answers it, and its entry
    # is shared with GET (the body is stored before any server strips it).
    assert holder_client.head(RENEWAL).status_code == 405
    faq = reverse("credentials:faq")
    rendered = holder_client.get(faq).content
    caches["pages"].clear()
    assert holder_client.head(faq).status_code == 200
    page = holder_client.get(faq)
    assert from_cache(page) and len(rendered) > 1000
    assert CSRF_TOKEN.sub(b"", page.content) == CSRF_TOKEN.sub(b"", rendered)  # masked anew


def test_made_up_queue_filters_do_not_fill_the_cache(holder, renewal, reviewer):
    submit(renewal)
    client = signed_in(reviewer)
    before = len(stored_pages())
    for n in range(30):
        assert client.get(QUEUE, {"after": f"made-up-{n}"}).status_code in (200, 400, 404)
        assert client.get(QUEUE, {"year": f"x{n}"}).status_code in (200, 400)
    assert len(stored_pages()) - before <= 2


# --- Flash messages, transactions -----------------------------------------------------


def test_a_flash_message_is_never_replayed_from_a_page_cached_with_it(holder_client, renewal):
    """A message queued while a cached copy exists: shown once, by a render, and the page
    that showed it is never stored (the same page viewed again has no message)."""
    profile = reverse("credentials:profile")
    cached(holder_client, profile)
    holder_client.post(reverse("credentials:confirm_contact"))
    shown = holder_client.get(profile)
    assert shown.templates and "Contact details confirmed" in shown.content.decode()
    for _ in range(2):
        assert "Contact details confirmed" not in holder_client.get(profile).content.decode()


def test_a_changed_csrf_cookie_never_gets_the_page_cached_under_the_old_one(holder_client, renewal):
    """The page's tokens are masked from the browser's CSRF secret: a browser whose cookie
    changed (another tab signed in, the cookie cleared or set by someone else) gets a page
    rendered for its own secret, never one whose tokens belong to the old cookie."""
    profile = reverse("credentials:profile")
    old = cached(holder_client, profile)
    holder_client.cookies["csrftoken"] = "b" * 32
    page = holder_client.get(profile)
    assert page.templates and page.content.decode() != old


def test_a_page_rendered_in_a_transaction_that_rolls_back_is_not_served_later(
    holder, holder_client, renewal
):
    cached(holder_client, RENEWAL)

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        User.objects.filter(pk=holder.pk).update(first_name="Neverwritten")
        assert "Neverwritten" in holder_client.get(RENEWAL).content.decode()
        raise RolledBack
    User.objects.filter(pk=holder.pk).update(first_name="Actuallywritten")
    page = holder_client.get(RENEWAL).content.decode()
    assert "Neverwritten" not in page
    assert "Actuallywritten" in page


# --- Changes written around the holder's own steps -----------------------------------


def test_a_merge_of_two_holders_shows_on_the_survivors_pages(holder, holder_client, staff):
    record = HolderFactory(email="old-address@example.org")
    CredentialFactory(holder=record, credential_type=credential_type("CAS"))
    assert "Certified Apartment Supplier" not in cached(holder_client, CREDENTIALS)
    merges.merge_holders(record, holder, by=staff, reason="Same person, two emails")
    assert "Certified Apartment Supplier" in fresh(holder_client, CREDENTIALS)


def test_a_payment_changed_by_queryset_update_shows_at_once(holder_client, renewal, staff):
    payment = pay_by_cheque(renewal, staff)
    receipt = reverse("payments:receipt", args=[renewal.invoice.number, payment.pk])
    cached(holder_client, receipt)
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent="pi_webhook_9")
    fresh(holder_client, receipt)


def test_catalog_changes_by_bulk_update_show_at_once(holder_client, renewal):
    cached(holder_client, RENEWAL)
    cached(holder_client, reverse("credentials:faq"))
    RequirementSet.objects.update(cecs_owed=models.F("cecs_owed") + 1)
    fresh(holder_client, RENEWAL)
    FaqEntry.objects.create(question="Attack round four?", answer="Held.", position=98)
    assert "Attack round four?" in fresh(holder_client, reverse("credentials:faq"))
    OfficeContact.objects.update(phone="719-555-0199")
    fresh(holder_client, reverse("credentials:faq"))


def test_a_submission_decided_by_raw_update_shows_in_the_queue(holder, renewal, reviewer):
    submission = submit(renewal)
    client = signed_in(reviewer)
    cached(client, QUEUE)
    Submission.objects.filter(pk=submission.pk).update(state="approved")
    fresh(client, QUEUE)


# --- The date --------------------------------------------------------------------------


@pytest.mark.clock(2026, 11, 25, 16, 55)
def test_midnight_utc_is_not_a_new_day_but_midnight_in_denver_is(clock, holder_client, renewal):
    cached(holder_client, RENEWAL)
    clock.shift(dt.timedelta(minutes=10))  # 17:05 in Denver: 00:05 UTC the next day
    assert from_cache(holder_client.get(RENEWAL))
    clock.move_to(2026, 11, 26, 0, 1)  # midnight in Denver
    fresh(holder_client, RENEWAL)


# --- The cache itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        "garbage",
        None,
        (0, (), False, b"an old format"),
        (1, 5, False, b"headers not a list"),
        (1, [("one-part",)], False, b"a header without a value"),
        (1, (("X-Injected", "a\r\nSet-Cookie: sessionid=stolen"),), False, b"split"),
        (1, (), True, b"not zlib"),
        (1, (), False, 12345),
        {"format": 1},
    ],
    ids=repr,
)
def test_a_tampered_or_old_cache_entry_renders_the_page_fresh(holder_client, renewal, entry):
    cached(holder_client, RENEWAL)
    overwrite_every_stored_page(entry)
    response = holder_client.get(RENEWAL)
    assert response.status_code == 200
    assert response.templates
    assert "Set-Cookie" not in str(response.headers.get("X-Injected", ""))
    assert b"Certified Apartment Manager" in response.content


def test_a_cache_that_is_down_serves_pages_fresh(monkeypatch, holder_client, renewal):
    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("Redis stopped")

        set = get

    monkeypatch.setattr(page_cache, "caches", {"pages": Down()})
    for _ in range(2):
        response = holder_client.get(RENEWAL)
        assert response.status_code == 200 and response.templates


def test_another_reviewer_never_gets_a_reviewers_cached_queue(holder, renewal, reviewer):
    submit(renewal)
    first = signed_in(reviewer)
    cached(first, QUEUE)
    second = signed_in(ReviewerFactory(email="second-reviewer@example.org"))
    assert second.get(QUEUE).templates


def test_confirming_then_viewing_never_shows_the_step_undone(holder_client, renewal):
    cached(holder_client, RENEWAL)
    confirm(renewal)
    fresh(holder_client, RENEWAL)


# --- Money going back, told by Stripe's webhook ------------------------------------------


def card_payment(renewal):
    invoice = renewal.invoice
    return PaymentFactory(
        invoice=invoice,
        status=PaymentStatus.SUCCEEDED,
        amount_cents=invoice.total_cents,
        stripe_payment_intent=f"pi_attack_{invoice.pk}",
    )


def stripe_event(payment, kind, data):
    return {
        "id": f"evt_{kind}_{payment.pk}",
        "type": kind,
        "data": {"object": {"payment_intent": payment.stripe_payment_intent, **data}},
    }


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.mark.usefixtures("webhook_secret")
def test_a_dispute_told_by_the_webhook_shows_on_the_cached_invoice(holder_client, renewal):
    payment = card_payment(renewal)
    invoice = reverse("payments:invoice", args=[renewal.invoice.number])
    before = cached(holder_client, invoice)
    dispute = {"id": "dp_attack", "object": "dispute", "amount": payment.amount_cents}
    dispute.update(charge="ch_attack", reason="fraudulent", status="needs_response")
    response = post_event(Client(), stripe_event(payment, "charge.dispute.created", dispute))
    assert response.status_code == 200, response.content
    assert fresh(holder_client, invoice) != before


@pytest.mark.usefixtures("webhook_secret")
def test_a_refund_told_by_the_webhook_shows_on_the_cached_invoice(holder_client, renewal):
    payment = card_payment(renewal)
    invoice = reverse("payments:invoice", args=[renewal.invoice.number])
    before = cached(holder_client, invoice)
    charge = {"id": "ch_attack", "object": "charge", "amount": payment.amount_cents}
    charge.update(amount_refunded=payment.amount_cents, refunded=True)
    response = post_event(Client(), stripe_event(payment, "charge.refunded", charge))
    assert response.status_code == 200, response.content
    assert fresh(holder_client, invoice) != before


def test_entries_brought_in_by_a_bulk_insert_show_in_the_cached_ledger(holder, holder_client):
    ledger = reverse("cec:ledger")
    cached(holder_client, ledger)
    entry = LedgerEntryFactory.build(holder=holder, title="Imported Fair Housing Seminar")
    LedgerEntry.objects.bulk_create([entry])
    assert "Imported Fair Housing Seminar" in fresh(holder_client, ledger)


def test_another_holder_asking_for_the_owners_cached_pages_gets_a_404(
    holder, holder_client, other_holder_client, renewal, staff
):
    payment = pay_by_cheque(renewal, staff)
    draft = ReportingFormFactory(holder=holder)
    owners = [
        reverse("payments:invoice", args=[renewal.invoice.number]),
        reverse("payments:receipt", args=[renewal.invoice.number, payment.pk]),
        reverse("cec_forms:edit", args=[draft.pk]),
    ]
    for url in owners:
        cached(holder_client, url)
        for _ in range(2):
            assert other_holder_client.get(url).status_code == 404, url


def test_empty_or_percent_encoded_variants_of_one_address_do_not_fill_the_cache(
    holder, holder_client, renewal, reviewer
):
    """`?&`, `?&&`... parse to no parameter at all, and `y%65ar=2%30%327` to `year=2027`:
    each is the same page and must not be stored once per spelling."""
    cached(holder_client, RENEWAL)
    before = len(stored_pages())
    for n in range(1, 20):
        assert holder_client.get(RENEWAL + "?" + "&" * n).status_code == 200
    assert len(stored_pages()) == before

    submit(renewal)
    client = signed_in(reviewer)
    spellings = [
        "year=2027",
        "y%65ar=2027",
        "ye%61r=2027",
        "year=%3227",
        "year=2%30%327",
        "%79%65%61%72=%32%30%32%37",
        "year=2027&",
        "&year=2027",
    ]
    for spelling in spellings:
        assert client.get(f"{QUEUE}?{spelling}").status_code == 200
    assert len(stored_pages()) - before <= 1
