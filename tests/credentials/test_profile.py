"""Contact details (SPEC: name, email, phone, mailing address, employer, job title) and
step 1 of the renewal: confirming them for the cycle."""

import pytest
from django.urls import reverse

from credentials.forms import ContactDetailsForm
from credentials.models import ContactProfile
from tests.factories import RenewalFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Harriet",
    "last_name": "Holder",
    "phone": "(719) 555-0142",
    "address_line1": "1200 Pikes Peak Ave",
    "address_line2": "",
    "city": "Colorado Springs",
    "state": "CO",
    "postal_code": "80903",
    "employer": "Garden of the Gods Apartments",
    "job_title": "Community Manager",
}


def _form(user, **changes):
    profile, _ = ContactProfile.objects.get_or_create(user=user)
    return ContactDetailsForm({**VALID, **changes}, instance=profile, user=user)


def test_contact_form_saves_name_on_the_user_and_details_on_the_profile():
    user = UserFactory(first_name="", last_name="")
    form = _form(user)
    assert form.is_valid(), form.errors
    form.save()
    user.refresh_from_db()
    assert user.get_full_name() == "Harriet Holder"
    assert user.profile.employer == "Garden of the Gods Apartments"
    assert user.profile.is_complete


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phone", "call me", "Enter a phone number"),
        ("phone", "1" * 40, "at most 30 characters"),
        ("postal_code", "ABCDE", "Enter a ZIP code"),
        ("first_name", "", "This field is required"),
        ("address_line1", "", "This field is required"),
        ("city", "x" * 101, "at most 100 characters"),
        ("job_title", "Manager\x00", "Null characters are not allowed"),
        ("employer", "Acme\x07", "control characters"),
    ],
)
def test_contact_form_refuses_bad_input_with_a_message_next_to_the_field(field, value, message):
    form = _form(UserFactory(), **{field: value})
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field])


def test_profile_page_shows_the_holders_own_details(holder_client, holder):
    response = holder_client.get(reverse("credentials:profile"))
    assert response.status_code == 200
    assert holder.email in response.content.decode()
    assert holder.profile.city in response.content.decode()


def test_bad_profile_input_keeps_what_was_typed_and_changes_nothing(holder_client, holder):
    before = holder.profile.phone
    response = holder_client.post(
        reverse("credentials:profile"), {**VALID, "phone": "not a phone", "city": "Pueblo"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a phone number" in body
    assert 'value="Pueblo"' in body
    holder.profile.refresh_from_db()
    assert holder.profile.phone == before
    assert holder.profile.city != "Pueblo"


def test_saving_the_profile_leaves_an_audit_record(holder_client, holder):
    holder_client.post(reverse("credentials:profile"), {**VALID, "job_title": "Regional Manager"})
    record = holder.profile.history.first()
    assert record.job_title == "Regional Manager"
    assert record.history_user == holder


def test_profile_needs_sign_in(client):
    response = client.get(reverse("credentials:profile"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_save_and_confirm_records_step_one_for_the_current_renewal(holder_client, holder):
    renewal = RenewalFactory(holder=holder, year=2027)
    holder_client.post(reverse("credentials:profile"), {**VALID, "confirm": "1"})
    renewal.refresh_from_db()
    assert renewal.contact_confirmed_at is not None


def test_confirming_incomplete_details_is_refused(client):
    user = UserFactory()
    RenewalFactory(holder=user, year=2027)
    client.force_login(user)
    response = client.post(reverse("credentials:confirm_contact"), follow=True)
    assert "Fill in your name, phone and mailing address" in response.content.decode()
    assert user.renewals.get().contact_confirmed_at is None


def test_confirming_without_an_open_renewal_says_so(holder_client):
    response = holder_client.post(reverse("credentials:confirm_contact"), follow=True)
    assert "no renewal open" in response.content.decode()


def test_save_and_confirm_button_belongs_to_the_form_with_the_contact_fields(holder_client, holder):
    # Browsers ignore a <form> nested in another and end the outer form at the inner one's
    # end tag: the button would then sit outside any form and do nothing when pressed.
    from html.parser import HTMLParser

    class FormOf(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.count, self.nested, self.form_of = 0, 0, False, {}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.nested |= self.depth > 0
                self.depth += 1
                self.count += 1
            elif attrs.get("name") and self.depth:
                self.form_of[attrs["name"]] = self.count

        def handle_endtag(self, tag):
            if tag == "form":
                self.depth -= 1

    RenewalFactory(holder=holder, year=2027)
    parser = FormOf()
    parser.feed(holder_client.get(reverse("credentials:profile")).content.decode())
    assert not parser.nested
    assert parser.form_of["confirm"] == parser.form_of["first_name"] == parser.form_of["save"]
