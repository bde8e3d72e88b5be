"""An object's address without a reverse() per object (renewal_portal/infra/id_urls.py):
the same address reverse() gives, under any script prefix."""

from django.template import engines
from django.urls import clear_script_prefix, reverse, set_script_prefix

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
