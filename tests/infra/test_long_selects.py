"""A long select rendered once per combination (renewal_portal/infra/long_selects.py)
writes what Django's Select writes, for every value and set of attributes."""

import pytest
from django import forms

from credentials.forms import USStateField
from credentials.us_states import US_STATES
from renewal_portal.infra import long_selects

CHOICES = [("", "Choose a state"), *US_STATES]


def both(required=False, **widget_attrs):
    ours = long_selects.Select(attrs=widget_attrs, choices=CHOICES)
    django_s = forms.Select(attrs=widget_attrs, choices=CHOICES)
    ours.is_required = django_s.is_required = required
    return ours, django_s


@pytest.mark.parametrize("value", ["", None, "CO", "AP", "ZZ", "<b>"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_state"}, {"aria-invalid": "true"}])
@pytest.mark.parametrize("required", [False, True])
def test_it_writes_what_djangos_select_writes(value, attrs, required):
    ours, django_s = both(required, autocomplete="address-level1")
    for _ in range(2):  # rendered, then kept
        assert ours.render("state", value, attrs) == django_s.render("state", value, attrs)


def test_an_attribute_that_is_not_a_plain_value_renders_as_django_renders_it():
    ours, django_s = both()
    attrs = {"data-list": ["a", "b"]}
    assert ours.render("state", "CO", attrs) == django_s.render("state", "CO", attrs)


def test_the_contact_details_state_field_uses_it():
    assert type(USStateField().widget) is long_selects.Select
