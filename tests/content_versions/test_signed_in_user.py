"""The signed-in user comes with its three content versions (issue 19), read in the same
query as the user and its roles: ints, 0 while nothing has been counted."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _signed_in_user(client):
    return client.get(reverse("credentials:faq")).wsgi_request.user


def test_the_signed_in_user_carries_its_holder_catalog_and_review_versions(holder_client):
    user = _signed_in_user(holder_client)
    for name in ("holder_version", "catalog_version", "review_version"):
        assert isinstance(getattr(user, name), int)
        assert getattr(user, name) >= 0
