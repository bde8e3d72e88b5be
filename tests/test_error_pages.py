"""The portal's error pages (issue 17.9): 403, 404, 500 and a failed CSRF check look like
the portal, say what happened in plain words and offer the way back, never Django's bare
"403 Forbidden" or "Not Found"."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from renewal_portal.infra import errors

pytestmark = pytest.mark.django_db

BRAND = "AASC renewal portal"


def test_a_holder_opening_the_review_queue_gets_the_portals_403_page(holder_client):
    response = holder_client.get(reverse("review:queue"))
    assert response.status_code == 403
    page = response.content.decode()
    assert BRAND in page
    assert "You do not have access to this page" in page
    assert "The review queue is for NAAEI reviewers." in page
    assert 'href="/"' in page


def test_a_holder_opening_the_office_admin_gets_the_portals_403_page(holder_client):
    response = holder_client.get("/admin/", follow=True)
    assert response.status_code == 403
    page = response.content.decode()
    assert BRAND in page
    assert "The office admin is for AASC staff." in page
    assert "holder-a@example.org" in page  # who is signed in, so they can switch


def test_an_unknown_address_gets_the_portals_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert BRAND in page
    assert "Page not found" in page
    assert reverse("credentials:faq") in page


def test_a_server_error_gets_the_portals_500_page_without_any_context():
    # Django renders 500.html with no context processors: it must stand on its own.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert BRAND in page
    assert "Something went wrong on our side" in page


def test_a_form_sent_without_a_valid_csrf_token_gets_a_page_that_explains(holder):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": holder.email, "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert BRAND in page
    assert "This form could not be sent" in page
    assert "Go back, reload the page" in page


def test_the_csrf_failure_view_is_the_portals(settings):
    assert settings.CSRF_FAILURE_VIEW == "renewal_portal.infra.errors.csrf_failure"
    response = errors.csrf_failure(RequestFactory().post("/"), reason="CSRF cookie not set.")
    assert response.status_code == 403
