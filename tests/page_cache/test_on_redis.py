"""The page cache on a real Redis, as in production (settings.CACHES["pages"] with
REDIS_URL): entries under their own prefix, compressed, with the TTL of
PAGE_CACHE_SECONDS; a hit costs the framework's queries and one Redis read; a Redis that
stops answering makes pages render fresh, never fail."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.factories.renewal_states import renewal_due
from tests.support.redis import *  # noqa: F401,F403

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25), pytest.mark.integration]

RENEWAL = reverse("credentials:renewal")
FRAMEWORK = 2


@pytest.fixture
def redis_pages(settings, redis_server):
    redis_server.flush()
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "portal-pages",
            "TIMEOUT": settings.PAGE_CACHE_SECONDS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    yield redis_server
    caches["pages"].close()


def test_a_page_is_stored_in_redis_compressed_with_its_ttl_and_served_from_it(
    redis_pages, holder, holder_client, django_assert_num_queries
):
    renewal_due(holder)
    first = holder_client.get(RENEWAL)
    assert first.templates
    keys = list(redis_pages.client().scan_iter("portal-pages:*"))
    assert len(keys) == 1
    stored = redis_pages.client().get(keys[0])
    assert len(stored) < len(first.content) / 2
    assert 0 < redis_pages.client().ttl(keys[0]) <= 15 * 60
    with django_assert_num_queries(FRAMEWORK):
        hit = holder_client.get(RENEWAL)
    assert not hit.templates and hit.content == first.content


def test_a_redis_that_stops_answering_serves_pages_fresh(settings, holder, holder_client):
    renewal_due(holder)
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    for _ in range(2):
        response = holder_client.get(RENEWAL)
        assert response.status_code == 200 and response.templates
