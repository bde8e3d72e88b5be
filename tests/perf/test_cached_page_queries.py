"""A page served from the page cache costs what the bare view costs (issue 19): the
framework's two queries (the session, and the user with its roles and content versions),
plus the cache read when the cache is a database table; nothing of the page itself.
Pinned like tests/perf/test_query_counts.py, for every cached page."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import ReviewerFactory
from tests.factories.renewal_states import pay_by_cheque, renewal_due, submit

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25), pytest.mark.postgres]

# The session and the signed-in user (with roles, two-factor and content versions).
FRAMEWORK = 2
# The queue's permission check (has_perm: the user's and the groups' permissions) runs
# before the cache, on every request: access is never cached.
REVIEWER_PERMISSIONS = 2
# A read of the database cache (settings.CACHES without Redis): one SELECT.
DATABASE_CACHE_READ = 1


def holder_page_urls(renewal, payment):
    invoice = renewal.invoice
    return {
        "home": reverse("credentials:home"),
        "renewal": reverse("credentials:renewal"),
        "credentials": reverse("credentials:credentials"),
        "faq": reverse("credentials:faq"),
        "contact the office": reverse("credentials:contact"),
        "contact details": reverse("credentials:profile"),
        "ledger": reverse("cec:ledger"),
        "reporting forms": reverse("cec_forms:list"),
        "new reporting form": reverse("cec_forms:create"),
        "submission": reverse("cec_submission:start"),
        "invoice": reverse("payments:invoice", args=[invoice.number]),
        "receipt": reverse("payments:receipt", args=[invoice.number, payment.pk]),
    }


@pytest.fixture
def pages(holder, staff):
    renewal = renewal_due(holder)
    return holder_page_urls(renewal, pay_by_cheque(renewal, staff))


def warm(client, url):
    # Two views: the ledger's first one is step 3 (a write that moves the version).
    client.get(url)
    client.get(url)


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "renewal",
        "credentials",
        "faq",
        "contact the office",
        "contact details",
        "ledger",
        "reporting forms",
        "new reporting form",
        "submission",
        "invoice",
        "receipt",
    ],
)
def test_a_cached_holder_page_costs_only_the_frameworks_queries(
    holder_client, pages, page, django_assert_num_queries
):
    warm(holder_client, pages[page])
    with django_assert_num_queries(FRAMEWORK):
        response = holder_client.get(pages[page])
    assert response.status_code == 200 and not response.templates


def test_the_cached_review_queue_costs_only_the_frameworks_queries(
    holder, django_assert_max_num_queries
):
    submit(renewal_due(holder))
    reviewer = ReviewerFactory()
    client = Client()
    client.force_login(reviewer)
    warm(client, reverse("review:queue"))
    # At most: helper L's has_perm from the role facts may ask fewer.
    with django_assert_max_num_queries(FRAMEWORK + REVIEWER_PERMISSIONS):
        response = client.get(reverse("review:queue"))
    assert response.status_code == 200 and not response.templates


def test_on_the_database_cache_a_hit_adds_one_read(
    settings, holder_client, pages, django_assert_num_queries
):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_page_cache",
        },
    }
    call_command("createcachetable", verbosity=0)
    warm(holder_client, pages["renewal"])
    with django_assert_num_queries(FRAMEWORK + DATABASE_CACHE_READ):
        response = holder_client.get(pages["renewal"])
    assert response.status_code == 200 and not response.templates
