"""Every page asked for /favicon.ico and got a 404 (issue 17 item 20)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_favicon_is_answered():
    response = Client().get("/favicon.ico")
    assert response.status_code in (200, 301, 302)
    if response.status_code != 200:
        response = Client().get(response["Location"])
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body


def test_pages_link_the_favicon():
    page = Client().get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page
