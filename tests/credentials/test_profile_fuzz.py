"""Hostile input to the contact details form never gives a server error and never
half-saves: either everything is saved, or nothing is and the page says why."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.credentials.test_profile import VALID
from tests.factories import HolderFactory

pytestmark = pytest.mark.django_db

hostile_text = st.one_of(
    st.text(max_size=400),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE credentials_user; --",
            "\u202eevil",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
            "\x00",
            " " * 300,
            "9" * 5000,
        ]
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(sorted(VALID)), value=hostile_text)
def test_hostile_contact_input_is_answered_without_error_and_saves_all_or_nothing(field, value):
    holder = HolderFactory()
    client = Client()
    client.force_login(holder)
    before = {name: getattr(holder.profile, name, None) for name in VALID}

    response = client.post(reverse("credentials:profile"), {**VALID, field: value})

    assert response.status_code in (200, 302)
    holder.profile.refresh_from_db()
    if response.status_code == 200:
        assert "is-invalid" in response.content.decode() or "invalid-feedback" in (
            response.content.decode()
        )
        after = {name: getattr(holder.profile, name, None) for name in VALID}
        assert after == before
    else:
        assert holder.profile.phone == VALID["phone"]
