"""axe-core on every page of every role: anonymous visitors, a holder in the middle of a
renewal, AASC staff in admin and an NAAEI reviewer. No page may have a serious or
critical violation (axe-core from the npm registry, injected by Playwright)."""

import pytest

from renewal_portal.composition.packets.services import token_for
from tests.support.axe import axe_violations, describe
from tests.support.portal_world import (
    ANONYMOUS,
    HOLDER,
    REVIEWER,
    STAFF,
    build_world,
    sign_in_by_session,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _paid_status(w):
    return f"/payments/pay/{w['paid'].invoice.number}/{w['paid'].pk}/"


PAGES = [
    # (test id, role, path of the page given the world)
    ("anonymous-home", ANONYMOUS, lambda w: "/"),
    ("anonymous-faq", ANONYMOUS, lambda w: "/faq/"),
    ("anonymous-contact", ANONYMOUS, lambda w: "/contact/"),
    ("anonymous-login", ANONYMOUS, lambda w: "/accounts/login/"),
    ("anonymous-signup", ANONYMOUS, lambda w: "/accounts/signup/"),
    ("anonymous-password-reset", ANONYMOUS, lambda w: "/accounts/password/reset/"),
    (
        "anonymous-certificate-verification",
        ANONYMOUS,
        lambda w: f"/cec/verify/{w['entry'].verification_token}/",
    ),
    (
        "anonymous-audit-packet-verification",
        ANONYMOUS,
        lambda w: f"/renewals/verify/{token_for(w['renewal']).token}/",
    ),
    ("holder-home", HOLDER, lambda w: "/"),
    ("holder-profile", HOLDER, lambda w: "/profile/"),
    ("holder-renewal", HOLDER, lambda w: "/renewal/"),
    ("holder-credentials", HOLDER, lambda w: "/credentials/"),
    ("holder-invoice", HOLDER, lambda w: f"/payments/invoices/{w['invoice'].number}/"),
    ("holder-pay", HOLDER, lambda w: f"/payments/pay/{w['invoice'].number}/"),
    ("holder-payment-status", HOLDER, _paid_status),
    (
        "holder-receipt",
        HOLDER,
        lambda w: f"/payments/receipts/{w['paid'].invoice.number}/{w['paid'].pk}/",
    ),
    ("holder-ledger", HOLDER, lambda w: "/cec/"),
    ("holder-forms-list", HOLDER, lambda w: "/cec/forms/"),
    ("holder-form-new", HOLDER, lambda w: "/cec/forms/new/"),
    ("holder-form-detail", HOLDER, lambda w: f"/cec/forms/{w['verified'].pk}/"),
    ("holder-form-edit", HOLDER, lambda w: f"/cec/forms/{w['draft'].pk}/edit/"),
    ("holder-submission", HOLDER, lambda w: "/cec/submission/"),
    ("holder-password-change", HOLDER, lambda w: "/accounts/password/change/"),
    ("holder-checkin-code", HOLDER, lambda w: "/me/checkin/"),
    ("holder-claim", HOLDER, lambda w: "/credentials/claim/"),
    ("staff-admin-index", STAFF, lambda w: "/admin/"),
    ("staff-renewals", STAFF, lambda w: "/admin/credentials/renewal/"),
    (
        "staff-renewal-change",
        STAFF,
        lambda w: f"/admin/credentials/renewal/{w['renewal'].pk}/change/",
    ),
    ("staff-renewal-issuing", STAFF, lambda w: "/admin/credentials/renewal/issue/"),
    ("staff-credentials", STAFF, lambda w: "/admin/credentials/credential/"),
    ("staff-users", STAFF, lambda w: "/admin/credentials/user/"),
    ("staff-reporting-forms", STAFF, lambda w: "/admin/cec/reportingform/"),
    (
        "staff-reporting-form-change",
        STAFF,
        lambda w: f"/admin/cec/reportingform/{w['verified'].pk}/change/",
    ),
    (
        "staff-reporting-form-verify",
        STAFF,
        lambda w: f"/admin/cec/reportingform/{w['sent'].pk}/verify/",
    ),
    ("staff-class-sessions", STAFF, lambda w: "/admin/cec/classsession/"),
    (
        "staff-class-session-change",
        STAFF,
        lambda w: f"/admin/cec/classsession/{w['session'].pk}/change/",
    ),
    ("staff-class-session-add", STAFF, lambda w: "/admin/cec/classsession/add/"),
    ("staff-expo-checkin", STAFF, lambda w: "/checkin/"),
    ("staff-invoices", STAFF, lambda w: "/admin/payments/invoice/"),
    ("staff-payments", STAFF, lambda w: "/admin/payments/payment/"),
    ("staff-season-dashboard", STAFF, lambda w: "/admin/season/"),
    ("staff-claims", STAFF, lambda w: "/admin/credentials/claim/"),
    ("staff-merge-records", STAFF, lambda w: "/admin/credentials/holdermerge/add/"),
    ("staff-season-export", STAFF, lambda w: "/admin/credentials/seasonexport/add/"),
    ("reviewer-queue", REVIEWER, lambda w: "/review/"),
    ("reviewer-detail", REVIEWER, lambda w: f"/review/{w['submission'].pk}/"),
]


@pytest.mark.parametrize(
    "role, path_of", [pytest.param(role, path, id=name) for name, role, path in PAGES]
)
def test_page_has_no_serious_or_critical_accessibility_violations(
    request, new_page, live_server, screenshot, role, path_of
):
    name = request.node.callspec.id
    if name == "holder-pay":
        request.getfixturevalue("localstripe")  # the pay page loads Stripe.js
    world = build_world()
    # axe-core is injected as a script tag, which the portal's Content Security Policy
    # would block (the policy has its own tests).
    page = new_page(bypass_csp=True)
    if role != ANONYMOUS:
        sign_in_by_session(page.context, live_server, world["users"][role])

    response = page.goto(live_server.url + path_of(world))
    page.wait_for_load_state("networkidle")

    assert response.status == 200, f"{path_of(world)} answered {response.status}"
    violations = axe_violations(page)
    screenshot(page, f"a11y-{name}")
    assert not violations, f"axe-core on {path_of(world)}:\n{describe(violations)}"


def test_the_accessibility_pages_cover_every_role():
    roles = {role for _, role, _ in PAGES}
    assert roles == {ANONYMOUS, HOLDER, STAFF, REVIEWER}
    assert len({name for name, _, _ in PAGES}) == len(PAGES)
