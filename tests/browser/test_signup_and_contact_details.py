"""A new holder signs up, verifies the email from the outbox, signs in and updates contact
details."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from credentials.models import User

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_new_holder_signs_up_verifies_email_and_updates_contact_details(
    page, live_server, screenshot
):
    page.goto(live_server.url)
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Last name").fill("Newholder")
    page.locator("#id_email").fill("new.holder@example.org")
    page.locator("#id_password1").fill("a-long-renewal-passphrase")
    page.locator("#id_password2").fill("a-long-renewal-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()
    assert "Verify Your Email Address" in page.content() or "verification" in page.content()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(live_server.url + urlsplit(link).path)  # links name SITE_URL
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    # Confirming signs the new holder in, greets her by name and welcomes her with what
    # happens next, starting with her contact details.
    assert page.get_by_text("Welcome, Nora. You are signed in.").is_visible()
    assert page.get_by_role("heading", name="Welcome to the AASC renewal portal, Nora").is_visible()
    screenshot(page, "welcome-new-holder")
    page.get_by_role("link", name="Fill in my contact details").click()
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Last name").fill("Newholder")
    page.get_by_label("Phone").fill("not a phone")
    page.get_by_label("Street address").fill("12 Tejon St")
    page.get_by_label("City").fill("Colorado Springs")
    page.get_by_label("State").select_option("CO")
    page.get_by_label("ZIP code").fill("80903")
    page.get_by_label("Employer").fill("Tejon Flats")
    page.get_by_label("Job title").fill("Leasing Consultant")
    page.get_by_role("button", name="Save contact details").click()

    # Bad input: a clear message beside the field, and what was typed is kept.
    assert page.locator(".invalid-feedback", has_text="Enter a phone number").is_visible()
    assert page.locator(".error-summary", has_text="Enter a phone number").is_visible()
    assert page.get_by_label("Street address").input_value() == "12 Tejon St"
    screenshot(page, "contact-details-error")

    page.get_by_label("Phone").fill("(719) 555-0123")
    page.get_by_role("button", name="Save contact details").click()
    assert page.get_by_text("Your contact details are saved.").is_visible()
    screenshot(page, "contact-details-saved")

    user = User.objects.get(email="new.holder@example.org")
    assert user.get_full_name() == "Nora Newholder"
    assert user.profile.job_title == "Leasing Consultant"
    assert user.profile.phone == "(719) 555-0123"
