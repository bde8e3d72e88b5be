"""The holder's pages at phone width (390 px, a current iPhone): nothing wider than the
screen, so no page scrolls sideways; wide tables scroll inside their own box. Each page
is screenshotted into test-artifacts/screenshots/phone-*.png to be looked at."""

import pytest

from tests.support.portal_world import ANONYMOUS, HOLDER, build_world, sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}

PAGES = [
    ("home", ANONYMOUS, lambda w: "/"),
    ("sign-in", ANONYMOUS, lambda w: "/accounts/login/"),
    ("sign-up", ANONYMOUS, lambda w: "/accounts/signup/"),
    ("faq", ANONYMOUS, lambda w: "/faq/"),
    (
        "certificate-verification",
        ANONYMOUS,
        lambda w: f"/cec/verify/{w['entry'].verification_token}/",
    ),
    ("holder-home", HOLDER, lambda w: "/"),
    ("renewal", HOLDER, lambda w: "/renewal/"),
    ("contact-details", HOLDER, lambda w: "/profile/"),
    ("credentials", HOLDER, lambda w: "/credentials/"),
    ("invoice", HOLDER, lambda w: f"/payments/invoices/{w['invoice'].number}/"),
    ("pay", HOLDER, lambda w: f"/payments/pay/{w['invoice'].number}/"),
    (
        "payment-status",
        HOLDER,
        lambda w: f"/payments/pay/{w['paid'].invoice.number}/{w['paid'].pk}/",
    ),
    ("receipt", HOLDER, lambda w: f"/payments/receipts/{w['paid'].invoice.number}/{w['paid'].pk}/"),
    ("ledger", HOLDER, lambda w: "/cec/"),
    ("forms-list", HOLDER, lambda w: "/cec/forms/"),
    ("form-new", HOLDER, lambda w: "/cec/forms/new/"),
    ("form-detail", HOLDER, lambda w: f"/cec/forms/{w['verified'].pk}/"),
    ("submission", HOLDER, lambda w: "/cec/submission/"),
]


@pytest.mark.parametrize(
    "role, path_of", [pytest.param(role, path, id=name) for name, role, path in PAGES]
)
def test_page_fits_a_phone_screen_without_scrolling_sideways(
    request, new_page, live_server, screenshot, role, path_of
):
    name = request.node.callspec.id
    if name == "pay":
        request.getfixturevalue("localstripe")  # the pay page loads Stripe.js
    world = build_world()
    page = new_page(viewport=PHONE)
    if role != ANONYMOUS:
        sign_in_by_session(page.context, live_server, world["users"][role])

    response = page.goto(live_server.url + path_of(world))
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    screenshot(page, f"phone-{name}")
    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                              && !el.closest('.table-responsive'))
                .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + el.className),
        })"""
    )
    assert widths["page"] <= PHONE["width"], (
        f"{path_of(world)} is {widths['page']} px wide; too wide: {widths['wide']}"
    )
