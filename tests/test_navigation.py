"""The base layout's navigation: each role's links, reversed once per process
(renewal_portal.composition.navigation), with the markup `{% url %}` gave them."""

import re

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from renewal_portal.composition import navigation

pytestmark = pytest.mark.django_db


def nav_links(client):
    body = client.get(reverse("credentials:faq")).content.decode()
    header = body.split("<header>", 1)[1].split("</header>", 1)[0]
    footer = body.split("<footer", 1)[1].split("</footer>", 1)[0]
    return re.findall(r'(?:href|action)="([^"#]*)"', header), re.findall(r'href="([^"]*)"', footer)


FOOTER = ["credentials:faq", "credentials:contact"]


@pytest.mark.parametrize(
    ("who", "names"),
    [
        (
            "client",
            ["credentials:home", "credentials:faq", "credentials:contact"]
            + ["account_login", "account_signup"],
        ),
        (
            "holder_client",
            ["credentials:home", "credentials:renewal", "credentials:credentials", "cec:ledger"]
            + ["cec_forms:list", "checkin:my_code", "credentials:profile", "credentials:faq"]
            + ["credentials:contact", "account_logout"],
        ),
        (
            "reviewer_client",
            ["credentials:home", "review:queue", "credentials:faq", "credentials:contact"]
            + ["account_logout"],
        ),
        (
            "staff_client",
            ["credentials:home", "admin:index", "checkin:sessions", "credentials:faq"]
            + ["credentials:contact", "account_logout"],
        ),
    ],
)
def test_each_role_sees_its_own_links(request, who, names):
    header, footer = nav_links(request.getfixturevalue(who))
    assert header == [reverse(name) for name in names]
    assert footer == [reverse(name) for name in FOOTER]


@override_settings(ROOT_URLCONF="tests.support.urls_without_review")
def test_a_link_the_urlconf_lacks_is_left_out(reviewer_client):
    with pytest.raises(NoReverseMatch):
        reverse("review:queue")
    header, _ = nav_links(reviewer_client)
    assert header == [reverse(name) for name in ["credentials:home", "credentials:faq"]] + [
        reverse("credentials:contact"),
        reverse("account_logout"),
    ]
    assert "Review queue" not in reviewer_client.get("/").content.decode()


def test_links_follow_the_script_prefix_the_site_is_served_under():
    set_script_prefix("/portal/")
    try:
        assert navigation.links()["faq"] == "/portal/faq/"
        assert navigation.links()["ledger"] == "/portal/cec/"
    finally:
        clear_script_prefix()
    assert navigation.links()["faq"] == "/faq/"
