"""An object's address without a reverse() per object (renewal_portal/infra/id_urls.py):
the same address reverse() gives, under any script prefix; and a day formatted once per
process writes what the date filter writes."""

import datetime as dt

from django.template import engines
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from renewal_portal.infra.id_urls import url_with_id


def test_the_address_of_an_id_is_reverses():
    for object_id in (0, 7, 1234567890123):
        assert url_with_id("cec:certificate", object_id) == reverse(
            "cec:certificate", args=[object_id]
        )
    assert url_with_id("cec:transcript_csv", 2026) == reverse("cec:transcript_csv", args=[2026])


def test_the_address_follows_the_script_prefix():
    set_script_prefix("/portal/")
    try:
        assert url_with_id("cec:certificate", 5) == "/portal/cec/certificates/5.pdf"
    finally:
        clear_script_prefix()
    assert url_with_id("cec:certificate", 5) == "/cec/certificates/5.pdf"


def test_the_template_filter_writes_what_the_url_tag_writes():
    template = engines["django"].from_string(
        '{% load id_urls %}{{ pk|url_with_id:"cec:certificate" }}|{% url "cec:certificate" pk %}'
    )
    ours, django_s = template.render({"pk": 42}).split("|")
    assert ours == django_s == "/cec/certificates/42.pdf"


def test_the_day_filter_writes_what_the_date_filter_writes():
    """renewal_portal/composition/templatetags/day_format.py (kept per process)."""
    template = engines["django"].from_string(
        '{% load day_format %}{{ value|day:"M j, Y" }}|{{ value|date:"M j, Y" }}'
    )
    for value in (dt.date(2026, 3, 1), dt.date(2025, 12, 31), None, "", dt.datetime(2026, 1, 2)):
        ours, django_s = template.render({"value": value}).split("|")
        assert ours == django_s
    with translation.override("fr"):
        ours, django_s = template.render({"value": dt.date(2026, 2, 1)}).split("|")
    assert ours == django_s
