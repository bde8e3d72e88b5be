"""Every URL of the portal, tried by anonymous, holder A (who owns every record in the
world), holder B, AASC staff and an NAAEI reviewer.

A new URL pattern fails `test_every_url_is_in_the_matrix` until it is added here, with
what each role should get. No holder reaches another's data (404), staff cannot approve
for NAAEI, reviewers cannot verify for AASC or see payments.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import build_world


def packet_token(renewal):
    from renewal_portal.composition.packets.services import token_for

    return token_for(renewal).token


pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page
ROLES = ("anon", "A", "B", "staff", "reviewer")


def same(status):
    """Everyone signed in gets `status`; anonymous visitors are sent to sign in."""
    return {"anon": LOGIN, "A": status, "B": status, "staff": status, "reviewer": status}


PUBLIC = {role: 200 for role in ROLES}
OWN_PAGE = same(200)  # every signed-in user sees their own (possibly empty) records
OWNER_ONLY = {"anon": LOGIN, "A": 200, "B": 404, "staff": 404, "reviewer": 404}
OWNER_AND_OFFICE = {"anon": LOGIN, "A": 200, "B": 404, "staff": 200, "reviewer": 200}
OWNER_AND_STAFF = {"anon": LOGIN, "A": 200, "B": 404, "staff": 200, "reviewer": 404}
REVIEWERS_ONLY = {"anon": LOGIN, "A": 403, "B": 403, "staff": 403, "reviewer": 200}
STAFF_ONLY = {"anon": LOGIN, "A": 403, "B": 403, "staff": 200, "reviewer": 403}


def expo_session(world):
    """An Expo session (check-in pages exist for event sessions only), made on first use."""
    from tests.factories.checkin import ExpoSessionFactory

    return {"pk": ExpoSessionFactory().pk}


# name -> (kwargs from the world, expected on GET, expected on an empty POST or None)
MATRIX = {
    "credentials:home": (None, PUBLIC, None),
    "credentials:faq": (None, PUBLIC, None),
    "credentials:contact": (None, PUBLIC, None),
    "favicon": (None, PUBLIC, None),
    "credentials:profile": (None, OWN_PAGE, None),
    "credentials:confirm_contact": (None, same(405), {**same(302), "anon": LOGIN}),
    "credentials:renewal": (None, OWN_PAGE, None),
    "credentials:cec_status_seen": (None, same(405), {**same(302), "anon": LOGIN}),
    "credentials:credentials": (None, OWN_PAGE, None),
    # Issue 18: holders claim a record; office accounts never do. An empty claim is
    # answered with the form's errors (200), never a 500.
    "credentials:claim": (
        None,
        {**OWN_PAGE, "staff": 403, "reviewer": 403},
        {**OWN_PAGE, "staff": 403, "reviewer": 403},
    ),
    "cec:ledger": (None, OWN_PAGE, None),
    "cec:transcript_pdf": (lambda w: {"year": 2026}, OWN_PAGE, None),
    "cec:transcript_csv": (lambda w: {"year": 2026}, OWN_PAGE, None),
    "cec:certificate": (lambda w: {"pk": w.entry.pk}, OWNER_AND_OFFICE, None),
    "cec:verify": (lambda w: {"token": w.entry.verification_token}, PUBLIC, None),
    "cec_forms:list": (None, OWN_PAGE, None),
    "cec_forms:create": (None, OWN_PAGE, None),
    "cec_forms:detail": (lambda w: {"pk": w.form.pk}, OWNER_ONLY, None),
    # A verified form is no longer editable: its owner is sent back to it.
    "cec_forms:edit": (
        lambda w: {"pk": w.form.pk},
        {**OWNER_ONLY, "A": 302},
        {**OWNER_ONLY, "A": 302},
    ),
    "cec_forms:send": (
        lambda w: {"pk": w.form.pk},
        same(405),
        {**OWNER_ONLY, "A": 302},
    ),
    "cec_forms:signed_pdf": (lambda w: {"pk": w.form.pk}, OWNER_AND_OFFICE, None),
    "cec_forms:evidence": (lambda w: {"pk": w.evidence.pk}, OWNER_AND_OFFICE, None),
    "cec_forms:evidence_remove": (
        lambda w: {"pk": w.evidence.pk},
        same(405),
        {**OWNER_ONLY, "A": 302},
    ),
    "cec_submission:start": (None, OWN_PAGE, None),
    "review:queue": (None, REVIEWERS_ONLY, None),
    "review:detail": (lambda w: {"pk": w.submission.pk}, REVIEWERS_ONLY, None),
    "review:approve": (
        lambda w: {"pk": w.submission.pk},
        {**REVIEWERS_ONLY, "reviewer": 405},
        {**REVIEWERS_ONLY, "reviewer": 302},
    ),
    "review:reject": (
        lambda w: {"pk": w.submission.pk},
        {**REVIEWERS_ONLY, "reviewer": 405},
        {**REVIEWERS_ONLY, "reviewer": 200},  # the reason is required: the form says so
    ),
    "review:approve_several": (
        None,
        {**REVIEWERS_ONLY, "reviewer": 405},
        {**REVIEWERS_ONLY, "reviewer": 302},
    ),
    "payments:invoice": (lambda w: {"number": w.invoice.number}, OWNER_AND_STAFF, None),
    "payments:invoice_pdf": (lambda w: {"number": w.invoice.number}, OWNER_AND_STAFF, None),
    # A paid invoice sends its holder on to the payment's status, without asking Stripe.
    "payments:pay": (lambda w: {"number": w.invoice.number}, {**OWNER_ONLY, "A": 302}, None),
    # The card form's frame: for a paid invoice it says so (no call to Stripe).
    "payments:card_frame": (lambda w: {"number": w.invoice.number}, OWNER_ONLY, None),
    "payments:status": (
        lambda w: {"number": w.invoice.number, "payment_id": w.payment.pk},
        OWNER_ONLY,
        None,
    ),
    "payments:confirm": (
        lambda w: {"number": w.invoice.number, "payment_id": w.payment.pk},
        same(405),
        {**OWNER_ONLY, "A": 400},
    ),
    "payments:receipt": (
        lambda w: {"number": w.invoice.number, "payment_id": w.payment.pk},
        OWNER_AND_STAFF,
        None,
    ),
    "payments:receipt_pdf": (
        lambda w: {"number": w.invoice.number, "payment_id": w.payment.pk},
        OWNER_AND_STAFF,
        None,
    ),
    # Stripe signs its calls; nobody's session matters, a missing signature is refused.
    "payments:stripe_webhook": (None, {r: 405 for r in ROLES}, {r: 400 for r in ROLES}),
    # Expo check-in: everyone has their own code; scanning is for AASC staff only. A scan
    # that is not JSON is refused (400); an empty typed form comes back with the reason.
    # The audit packet: its holder, AASC staff, and the reviewer it was submitted to.
    "credentials:packet_pdf": (lambda w: {"pk": w.renewal.pk}, OWNER_AND_OFFICE, None),
    "credentials:packet_zip": (lambda w: {"pk": w.renewal.pk}, OWNER_AND_OFFICE, None),
    "credentials:packet_verify": (
        lambda w: {"token": packet_token(w.renewal)},
        PUBLIC,
        None,
    ),
    # An imported holder's invitation (issue 18): a link with a token, open to anyone who
    # has it; a token that is not valid shows "used or expired" to everyone.
    "credentials:invitation": (lambda w: {"uidb64": "MA", "token": "a-b"}, PUBLIC, PUBLIC),
    "checkin:my_code": (None, OWN_PAGE, None),
    "checkin:sessions": (None, STAFF_ONLY, None),
    "checkin:scanner": (expo_session, STAFF_ONLY, {**STAFF_ONLY, "staff": 302}),
    "checkin:scan": (expo_session, {**STAFF_ONLY, "staff": 405}, {**STAFF_ONLY, "staff": 400}),
    "checkin:attendance_csv": (expo_session, STAFF_ONLY, None),
    # Load balancer probe: open to all, and never a server error.
    "healthz": (None, {r: (200, 503) for r in ROLES}, None),
    # It pings every Celery worker: staff or a monitor's token (HEALTHZ_WORKERS_TOKEN).
    "healthz_workers": (None, {**{r: 403 for r in ROLES}, "staff": (200, 503)}, None),
    # Open Badges (issue 20): the issuer's DID document and the status list are public;
    # the list is 404 until the office has a signing key.
    "badges:did_document": (None, PUBLIC, {r: 405 for r in ROLES}),
    "badges:status_list": (
        lambda w: {"list_id": 1},
        {r: (200, 404) for r in ROLES},
        {r: 405 for r in ROLES},
    ),
    # Anyone verifies a pasted credential; an empty POST is answered on the page.
    "badges:verify": (None, PUBLIC, PUBLIC),
    # Holder A's own badge (404 for everyone else; 404 for A too without a signing key).
    "badges:download": (
        lambda w: {"badge_id": w.holder_a.credentials.first().badge_id},
        {"anon": LOGIN, "A": (200, 404), "B": 404, "staff": 404, "reviewer": 404},
        None,
    ),
    "badges:download_svg": (
        lambda w: {"badge_id": w.holder_a.credentials.first().badge_id},
        {"anon": LOGIN, "A": (200, 404), "B": 404, "staff": 404, "reviewer": 404},
        None,
    ),
}

# Third-party URL trees with their own tests: allauth's accounts and MFA, Django admin
# (walked separately below).
EXTERNAL_PREFIXES = ("accounts/", "admin/")


def _named_patterns(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            yield from _named_patterns(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name


def test_every_url_is_in_the_matrix():
    missing = [
        (route, name)
        for route, name in _named_patterns(get_resolver().url_patterns)
        if not route.lstrip("^").startswith(EXTERNAL_PREFIXES) and name not in MATRIX
    ]
    assert not missing, f"Add these URLs to the access matrix: {missing}"


@pytest.fixture
def world():
    return build_world()


def _client(world, role):
    client = Client()
    user = {
        "anon": None,
        "A": world.holder_a,
        "B": world.holder_b,
        "staff": world.staff,
        "reviewer": world.reviewer,
    }[role]
    if user is not None:
        client.force_login(user)
    return client


def _check(response, expected):
    assert response.status_code != 500
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif isinstance(expected, tuple):
        assert response.status_code in expected
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(name, world):
    kwargs_for, on_get, on_post = MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
    for role in ROLES:
        _check(_client(world, role).get(url), on_get[role])
        if on_post is not None:
            _check(_client(world, role).post(url, {}), on_post[role])


# The same URLs with other records of holder A: what each role reaches beyond the world's
# main records (issue 15.13: a reviewer reads certificates of submissions in the queue
# only, not any holder's by walking ids).
SCOPED_CASES = {
    "certificate never submitted": (
        "cec:certificate",
        lambda w: {"pk": w.loose_entry.pk},
        {"anon": LOGIN, "A": 200, "B": 404, "staff": 200, "reviewer": 404},
    ),
}


@pytest.mark.parametrize("case", sorted(SCOPED_CASES))
def test_each_role_gets_what_the_scoped_cases_say(case, world):
    name, kwargs_for, on_get = SCOPED_CASES[case]
    url = reverse(name, kwargs=kwargs_for(world))
    for role in ROLES:
        _check(_client(world, role).get(url), on_get[role])
