"""Details a holder met on the contact form and renewal page (issue 17 item 20): the
state is a US state, a short phone number is called short, long forms list their errors
at the top, and the rejection sentence has one full stop."""

import pytest
from django.urls import reverse

from cec.models import SubmissionState
from credentials.forms import ContactDetailsForm
from credentials.models import ContactProfile
from renewal_portal.composition.renewal_steps import _submission_detail
from tests.credentials.test_profile import VALID
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _form(**changes):
    user = UserFactory()
    profile, _ = ContactProfile.objects.get_or_create(user=user)
    return ContactDetailsForm({**VALID, **changes}, instance=profile, user=user)


@pytest.mark.parametrize("state", ["Zzz land", "Colorado Springs", "XX", "co "])
def test_the_state_must_be_a_us_state(state):
    form = _form(state=state)
    if state.strip().upper() == "CO":
        assert form.is_valid(), form.errors
        return
    assert not form.is_valid()
    assert "Choose a US state" in form.errors["state"][0]


@pytest.mark.parametrize("state", ["CO", "WY", "DC", "PR"])
def test_us_states_and_territories_are_accepted(state):
    assert _form(state=state).is_valid()


def test_the_state_is_a_list_of_states_on_the_page(holder_client):
    page = holder_client.get(reverse("credentials:profile")).content.decode()
    assert '<select name="state"' in page
    assert '<option value="CO"' in page and "Colorado" in page


@pytest.mark.parametrize(
    "phone, message",
    [
        ("12", "too short"),
        ("719 555", "too short"),
        ("1" * 20, "too long"),
        ("call me", "digits, spaces, dashes or brackets"),
        ("(719) 555-0142", None),
        ("+1 719 555 0142", None),
    ],
)
def test_the_phone_message_says_what_is_wrong(phone, message):
    form = _form(phone=phone)
    if message is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert message in " ".join(form.errors["phone"])


def test_the_profile_page_lists_its_errors_at_the_top_with_links(holder_client):
    data = {**VALID, "phone": "12", "postal_code": "ABCDE"}
    page = holder_client.post(reverse("credentials:profile"), data).content.decode()
    summary = page[page.index('class="alert alert-danger error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "2 problems" in summary
    assert 'href="#id_phone"' in summary and 'href="#id_postal_code"' in summary
    assert "too short" in summary


@pytest.mark.parametrize(
    "reason", ["Missing the attendance letter.", "Missing the attendance letter"]
)
def test_the_rejection_sentence_has_one_full_stop(reason):
    class Rejected:
        state = SubmissionState.REJECTED
        rejection_reason = reason
        decided_at = None

    text = _submission_detail(Rejected())
    assert ".." not in text
    assert text.startswith("NAAEI rejected your submission: Missing the attendance letter. Fix")
