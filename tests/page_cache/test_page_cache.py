"""The versioned page cache (issue 19): a holder's page viewed again is served whole from
the cache, only to that holder, in that browser, while nothing it shows has changed.

A page served from the cache renders no template (`response.templates` is empty in the
test client); a rendered one lists them."""

import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.factories import ReportingFormFactory
from tests.factories.credentials import PASSWORD
from tests.factories.renewal_states import pay_by_cheque, renewal_due, submit
from tests.support.page_cache import from_cache

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]

RENEWAL = reverse("credentials:renewal")
LEDGER = reverse("cec:ledger")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def renewal(holder):
    return renewal_due(holder)


@pytest.fixture
def paid(renewal, staff):
    return pay_by_cheque(renewal, staff)


def holder_pages(renewal, payment):
    invoice = renewal.invoice
    draft = ReportingFormFactory(holder=renewal.holder)
    return [
        reverse("cec_forms:create"),
        reverse("cec_forms:edit", args=[draft.pk]),
        reverse("credentials:home"),
        RENEWAL,
        reverse("credentials:credentials"),
        reverse("credentials:profile"),
        reverse("credentials:faq"),
        reverse("credentials:contact"),
        LEDGER,
        reverse("cec_forms:list"),
        reverse("cec_submission:start"),
        reverse("payments:invoice", args=[invoice.number]),
        reverse("payments:receipt", args=[invoice.number, payment.pk]),
    ]


def test_every_holder_page_seen_again_comes_from_the_cache_unchanged(holder_client, renewal, paid):
    for url in holder_pages(renewal, paid):
        first = holder_client.get(url)
        assert not from_cache(first), url
        # The ledger's first view is step 3 (a write): its next view renders once more.
        second = holder_client.get(url)
        if not from_cache(second):
            second = holder_client.get(url)
        assert from_cache(second), url
        again = holder_client.get(url)
        assert from_cache(again), url
        assert again.content == second.content, url


def test_a_hit_carries_the_headers_of_a_rendered_page(holder_client, renewal):
    holder_client.get(RENEWAL)
    rendered = holder_client.get(RENEWAL)
    holder_client.get(RENEWAL)
    cached = holder_client.get(RENEWAL)
    assert from_cache(cached)
    skip = {"X-Request-ID"}
    assert {k: v for k, v in cached.headers.items() if k not in skip} == {
        k: v for k, v in rendered.headers.items() if k not in skip
    }
    assert "Content-Security-Policy" in cached.headers
    assert cached.cookies["csrftoken"].value  # the CSRF cookie's expiry is renewed as always


def test_holder_a_never_gets_holder_bs_page(
    holder_client, other_holder, other_holder_client, renewal
):
    renewal_due(other_holder, codes=("CAS",))
    for _ in range(2):
        mine = holder_client.get(RENEWAL).content.decode()
        theirs = other_holder_client.get(RENEWAL).content.decode()
        assert "Certified Apartment Manager" in mine and "CAS" not in mine
        assert "Certified Apartment Supplier" in theirs
        assert "Certified Apartment Manager" not in theirs


def sign_in(client, user):
    """Signs in through the sign-in form, as a browser does (a new CSRF secret)."""
    page = client.get(reverse("account_login")).content.decode()
    token = CSRF_INPUT.search(page).group(1)
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    # The page signed in to shows "Successfully signed in" once (a flash message).
    assert client.get(response.url).status_code == 200


def sign_out(client, page):
    token = CSRF_INPUT.search(page).group(1)
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_signing_out_and_in_as_someone_else_in_the_same_browser(holder, other_holder):
    renewal_due(holder)
    renewal_due(other_holder, codes=("CAS",))
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, holder)
    browser.get(RENEWAL)
    page = browser.get(RENEWAL)
    assert from_cache(page)
    assert "Certified Apartment Manager" in page.content.decode()

    sign_out(browser, page.content.decode())
    assert browser.get(RENEWAL).status_code == 302  # signed out: the sign-in page
    sign_in(browser, other_holder)
    theirs = browser.get(RENEWAL)
    assert not from_cache(theirs)
    assert "Certified Apartment Supplier" in theirs.content.decode()
    assert "Certified Apartment Manager" not in theirs.content.decode()


def test_the_csrf_token_of_a_cached_page_works_after_signing_in_again(holder):
    renewal_due(holder)
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, holder)
    browser.get(reverse("credentials:profile"))
    before = browser.get(reverse("credentials:profile"))
    assert from_cache(before)

    sign_out(browser, before.content.decode())
    sign_in(browser, holder)  # a new CSRF secret: the page of before is never served again
    browser.get(reverse("credentials:profile"))
    page = browser.get(reverse("credentials:profile"))
    assert from_cache(page)
    token = CSRF_INPUT.search(page.content.decode()).group(1)
    assert token != CSRF_INPUT.search(before.content.decode()).group(1)

    response = browser.post(reverse("credentials:confirm_contact"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "confirmed" in browser.get(response.url).content.decode()


def test_a_pending_message_bypasses_the_cache_and_shows_once(holder_client, renewal):
    profile = reverse("credentials:profile")
    holder_client.get(profile)
    assert from_cache(holder_client.get(profile))

    response = holder_client.post(reverse("credentials:confirm_contact"))
    assert response.url == profile
    shown = holder_client.get(profile)
    assert not from_cache(shown)
    assert "Contact details confirmed for your 2027 renewal" in shown.content.decode()
    # The page that showed the message was not stored: the next view renders anew.
    again = holder_client.get(profile)
    assert not from_cache(again)
    assert "Contact details confirmed" not in again.content.decode()
    cached = holder_client.get(profile)
    assert from_cache(cached)
    assert "Contact details confirmed" not in cached.content.decode()


def test_a_form_answered_with_errors_is_never_cached(holder_client, renewal):
    profile = reverse("credentials:profile")
    bad = holder_client.post(profile, {"first_name": "", "phone": "not a phone"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    fresh = holder_client.get(profile)
    assert not from_cache(fresh)
    assert "is-invalid" not in fresh.content.decode()


def test_a_page_that_is_not_found_is_never_cached(holder_client, renewal):
    url = reverse("payments:invoice", args=["INV-NOPE"])
    for _ in range(3):
        response = holder_client.get(url)
        assert response.status_code == 404
        assert response.templates  # rendered every time


def test_another_holders_invoice_stays_a_404_after_the_owner_viewed_it(
    holder_client, other_holder_client, renewal
):
    url = reverse("payments:invoice", args=[renewal.invoice.number])
    assert holder_client.get(url).status_code == 200
    assert holder_client.get(url).status_code == 200
    assert other_holder_client.get(url).status_code == 404


def test_office_accounts_opening_a_holders_invoice_are_never_cached(staff_client, renewal):
    url = reverse("payments:invoice", args=[renewal.invoice.number])
    for _ in range(3):
        response = staff_client.get(url)
        assert response.status_code == 200
        assert response.templates


def test_page_cache_off_renders_every_time(settings, holder_client, renewal):
    settings.PAGE_CACHE = False
    for _ in range(3):
        assert not from_cache(holder_client.get(RENEWAL))


def test_page_cache_off_in_the_environment_turns_it_off():
    def setting(**environ):
        code = "from renewal_portal import settings; print(settings.PAGE_CACHE)"
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={"PATH": "/usr/bin:/bin", "DEBUG": "false", **environ},
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    assert setting() == "True"
    assert setting(PAGE_CACHE="off") == "False"
    # With DEBUG (runserver does not restart for an edited template) only when asked.
    assert setting(DEBUG="true") == "False"
    assert setting(DEBUG="true", PAGE_CACHE="on") == "True"


@pytest.mark.parametrize(
    "query",
    [
        "?q=" + "x" * 20_000,
        "?" + "&".join(f"k{n}=v{n}" for n in range(500)),
        "?q=%ED%A0%80%FF%FE&%%%=%%&=&&&",
        "?q=" + "é€😀" * 2000,
        "?after=<script>alert(1)</script>&before='\"",
    ],
)
def test_a_huge_or_hostile_query_string_gets_the_page_rendered_and_not_stored(
    holder_client, renewal, query
):
    # The holder pages read no query parameter: an address with one is no link of the
    # portal's, and storing it would let anyone fill the cache with copies of a page.
    for _ in range(2):
        response = holder_client.get(RENEWAL + query)
        assert response.status_code == 200 and response.templates
    assert from_cache(holder_client.get(RENEWAL)) is False
    assert from_cache(holder_client.get(RENEWAL))


def test_the_queue_is_cached_per_filter_it_reads(holder, renewal, reviewer_client):
    submit(renewal)
    queue = reverse("review:queue")
    for query in ("", "?year=2027", "?year=2027&state=all", "?credential=CAM"):
        assert reviewer_client.get(queue + query).templates
        hit = reviewer_client.get(queue + query)
        assert from_cache(hit), query
        assert holder.last_name in hit.content.decode()
    assert holder.last_name not in reviewer_client.get(queue + "?year=2026").content.decode()
    # Filtered by age (counted from the time of day) or by anything else: always rendered.
    for query in ("?age=7", "?year=2027&utm=x"):
        reviewer_client.get(queue + query)
        assert reviewer_client.get(queue + query).templates, query


def test_anonymous_visitors_are_never_cached(client):
    for _ in range(2):
        response = client.get(reverse("credentials:home"))
        assert response.status_code == 200 and response.templates
