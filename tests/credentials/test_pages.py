"""The public pages (home, FAQ, office contact) and what navigation each role sees."""

import pytest
from django.urls import reverse

from credentials.models import FaqEntry, OfficeContact

pytestmark = pytest.mark.django_db


def test_home_explains_the_renewal_to_visitors(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "four steps" in body
    assert reverse("account_login") in body


def test_faq_shows_the_seeded_questions_from_the_office_page(client):
    body = client.get(reverse("credentials:faq")).content.decode()
    assert "What is a CEC?" in body
    assert "one hour of continuing education" in body


def test_unpublished_faq_entries_are_hidden(client):
    FaqEntry.objects.create(question="Draft question?", answer="Not yet.", published=False)
    assert "Draft question?" not in client.get(reverse("credentials:faq")).content.decode()


def test_staff_edit_the_office_contact_page(client):
    office = OfficeContact.objects.get()
    office.phone = "(719) 555-0000"
    office.save()
    assert "(719) 555-0000" in client.get(reverse("credentials:contact")).content.decode()


def test_holder_navigation_has_no_office_admin(holder_client):
    body = holder_client.get("/").content.decode()
    assert "Contact details" in body
    assert "Office admin" not in body


def test_staff_navigation_links_to_office_admin(staff_client):
    body = staff_client.get("/").content.decode()
    assert "Office admin" in body
    assert 'href="/profile/"' not in body


@pytest.mark.parametrize("name", ["credentials:home", "credentials:faq", "credentials:contact"])
def test_public_pages_answer_every_role(name, client, holder_client, staff_client, reviewer_client):
    for c in (client, holder_client, staff_client, reviewer_client):
        assert c.get(reverse(name)).status_code == 200


def test_staff_reach_the_admin_but_holders_and_reviewers_do_not(
    staff_client, holder_client, reviewer_client
):
    assert staff_client.get("/admin/").status_code == 200
    assert staff_client.get("/admin/credentials/faqentry/").status_code == 200
    assert holder_client.get("/admin/").status_code == 302
    assert reviewer_client.get("/admin/").status_code == 302


def test_staff_cannot_grant_themselves_superuser_or_edit_groups(staff_client):
    assert staff_client.get("/admin/auth/group/").status_code == 403
