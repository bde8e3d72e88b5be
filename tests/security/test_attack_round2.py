"""The outside attack repeated on this round's code (round 2): each test is one attack a
real attacker would try, with the answer the portal must give.
docs/round-2/outside-attack-round-2.md lists them all with their results."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from credentials import roles
from credentials.models import User
from payments.models import InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from payments.providers import Succeeded
from payments.services.payments import PaymentError, record_offline_payment, record_payment
from payments.services.reversals import record_cheque_refund, refund_payment
from tests.factories import HolderFactory, StaffFactory, SuperuserFactory
from tests.factories.credentials import PASSWORD, credential_type
from tests.factories.renewal_states import pay_by_cheque, renewal_due
from tests.support.admin_forms import admin_post_data

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- Money on one's own invoice ----------------------------------------------------------


@pytest.fixture
def clerk_with_a_renewal():
    """An AASC clerk who also holds a credential of their own (the superuser gave it)."""
    clerk = StaffFactory(email="clerk-holder@example.org")
    return clerk, renewal_due(clerk)


def test_staff_cannot_record_a_cheque_for_their_own_invoice(clerk_with_a_renewal):
    clerk, renewal = clerk_with_a_renewal
    invoice = renewal.invoice
    with pytest.raises(PaymentError):
        record_offline_payment(invoice, invoice.total_cents, "1", dt.date.today(), by=clerk)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_the_record_offline_page_refuses_ones_own_invoice_with_a_message(clerk_with_a_renewal):
    clerk, renewal = clerk_with_a_renewal
    invoice = renewal.invoice
    response = signed_in(clerk).post(
        reverse("admin:payments_payment_record_offline"),
        {
            "invoice": invoice.number,
            "amount": f"{invoice.total_cents / 100:.2f}",
            "cheque_number": "77",
            "received_on": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"invoice": [roles.OWN_MONEY_REFUSED]}
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN


def test_a_colleague_may_record_the_clerks_cheque(clerk_with_a_renewal):
    clerk, renewal = clerk_with_a_renewal
    colleague = StaffFactory()
    payment = pay_by_cheque(renewal, colleague)
    assert payment.status == PaymentStatus.SUCCEEDED


def test_staff_cannot_record_a_refund_of_their_own_cheque(clerk_with_a_renewal):
    clerk, renewal = clerk_with_a_renewal
    payment = pay_by_cheque(renewal, StaffFactory())
    with pytest.raises(PaymentError):
        record_cheque_refund(payment, by=clerk, reason="I want it back")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_staff_cannot_refund_their_own_card_payment_through_stripe(clerk_with_a_renewal):
    clerk, renewal = clerk_with_a_renewal
    invoice = renewal.invoice
    payment = record_payment(
        invoice,
        Succeeded(reference="pi_own", amount_cents=invoice.total_cents, currency="usd"),
    )
    assert payment.method == PaymentMethod.CARD and payment.status == PaymentStatus.SUCCEEDED
    # Refused before Stripe is asked (no Stripe server runs in this test).
    with pytest.raises(PaymentError, match="their own invoice"):
        refund_payment(payment, by=clerk)


# --- Account emails: links from SITE_URL, never from the Host header --------------------


def test_a_password_reset_link_names_the_portal_not_the_host_header(settings):
    from credentials.models import OutboxMessage

    # An operator lists an extra name (the server's address, an internal name): a reset
    # asked with that Host header must still link to the portal's own address.
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    settings.SITE_URL = "https://renew.aasc.example.org"
    holder = HolderFactory(email="victim@example.org")
    response = Client(HTTP_HOST="evil.example").post(
        reverse("account_reset_password"), {"email": holder.email}
    )
    assert response.status_code == 302
    message = OutboxMessage.objects.get(to_email=holder.email)
    assert "evil.example" not in message.body_text + message.body_html
    assert "https://renew.aasc.example.org/accounts/password/reset/key/" in message.body_text


def test_a_verification_link_names_the_portal_not_the_host_header(settings):
    from credentials.models import OutboxMessage

    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    settings.SITE_URL = "https://renew.aasc.example.org"
    Client(HTTP_HOST="evil.example").post(
        reverse("account_signup"),
        {
            "first_name": "Eve",
            "last_name": "Mallory",
            "email": "newcomer@example.org",
            "password1": "a long pass phrase 9913",
            "password2": "a long pass phrase 9913",
        },
    )
    message = OutboxMessage.objects.get(to_email="newcomer@example.org")
    assert "evil.example" not in message.body_text + message.body_html
    assert "https://renew.aasc.example.org/accounts/confirm-email/" in message.body_text


# --- Enumeration and redirects ----------------------------------------------------------


def _visible_text(response, email):
    """The page as the visitor reads it, with the address they typed taken out."""
    text = re.sub(r"csrfmiddlewaretoken\" value=\"[^\"]+", "", response.content.decode())
    return text.replace(email, "<typed address>")


def test_sign_up_with_a_taken_address_reads_like_a_new_one():
    HolderFactory(email="taken@example.org")
    answers = []
    for email in ("taken@example.org", "free@example.org"):
        response = Client().post(
            reverse("account_signup"),
            {
                "first_name": "Sam",
                "last_name": "Probe",
                "email": email,
                "password1": "a long pass phrase 9913",
                "password2": "a long pass phrase 9913",
            },
            follow=True,
        )
        answers.append(
            (response.status_code, response.redirect_chain, _visible_text(response, email))
        )
    assert answers[0] == answers[1]


def test_a_reset_for_an_unknown_address_reads_like_a_known_one():
    HolderFactory(email="known@example.org")
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        response = Client().post(reverse("account_reset_password"), {"email": email}, follow=True)
        answers.append(
            (response.status_code, response.redirect_chain, _visible_text(response, email))
        )
    assert answers[0] == answers[1]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "/%09/evil.example",
    ],
)
def test_sign_in_never_redirects_off_the_portal(target):
    HolderFactory(email="redirected@example.org")
    response = Client().post(
        reverse("account_login") + "?next=" + target,
        {"login": "redirected@example.org", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc) == ("", "")
    assert location.path.startswith("/") and not location.path.startswith(("//", "/\\"))


# --- The card frame: framed by the portal only --------------------------------------------


def test_the_card_frame_may_be_framed_by_the_pay_page_only(settings):
    settings.X_FRAME_OPTIONS = "DENY"  # production
    holder = HolderFactory()
    renewal = renewal_due(holder)
    client = signed_in(holder)
    number = renewal.invoice.number
    pay = client.get(reverse("payments:pay", args=[number]))
    assert pay["X-Frame-Options"] == "DENY"
    frame = client.get(reverse("payments:card_frame", args=[number]))
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]


# --- Dates far in the past or the future -----------------------------------------------


@pytest.mark.parametrize(
    ("earned_on", "valid_through"),
    [
        ("2020-01-01", "9999-12-31"),  # the next renewal would be in year 10000
        ("0001-01-01", "2026-12-31"),
        ("2030-01-01", "2030-12-31"),  # earned in the future
        ("2020-01-01", "2099-12-31"),
    ],
)
def test_validity_dates_far_away_are_refused_and_every_page_still_answers(earned_on, valid_through):
    holder = HolderFactory()
    renewal_due(holder)
    credential = holder.credentials.first()
    before = (credential.earned_on, credential.valid_through)
    staff = StaffFactory()
    response = signed_in(staff).post(
        reverse("admin:credentials_credential_validity", args=[credential.pk]),
        {"earned_on": earned_on, "valid_through": valid_through, "reason": "Typed from paper"},
    )
    assert response.status_code == 200
    assert response.context["dates"].non_field_errors()
    credential.refresh_from_db()
    assert (credential.earned_on, credential.valid_through) == before
    holder_client, staff_client = signed_in(holder), signed_in(staff)
    for url in ("/", "/credentials/", "/renewal/"):
        assert holder_client.get(url).status_code == 200
    assert staff_client.get(reverse("admin:credentials_credential_changelist")).status_code == 200


def test_a_credential_added_in_admin_with_a_date_in_year_9999_is_refused():
    holder = HolderFactory()
    staff = StaffFactory()
    response = signed_in(staff).post(
        reverse("admin:credentials_credential_add"),
        {
            "holder": holder.pk,
            "credential_type": credential_type("CAM").pk,
            "number": "CAM-9999",
            "earned_on": "2020-01-01",
            "valid_through": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "no later than" in str(response.context["adminform"].form.non_field_errors())
    assert not holder.credentials.exists()


# --- Admin lists: hostile query strings ---------------------------------------------------


def _admin_lists_with_a_drill_down():
    from django.contrib import admin

    return [
        (model, model_admin.date_hierarchy)
        for model, model_admin in admin.site._registry.items()
        if model_admin.date_hierarchy
    ]


def test_a_hostile_drill_down_year_opens_every_admin_list_unfiltered():
    superuser = SuperuserFactory()
    client = signed_in(superuser)
    lists = _admin_lists_with_a_drill_down()
    assert lists
    for model, field in lists:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for query in (
            f"{field}__year=99999999999",
            f"{field}__year=2026&{field}__month=99999999999",
            f"{field}__year=2026&{field}__month=2&{field}__day=31",
            f"{field}__year=-1",
        ):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 302, (url, query)
            assert response["Location"].endswith("?e=1")


# --- Names with control characters --------------------------------------------------------

SPOOFED_NAMES = ["\x1b[2JDana", "Dana\u202eenaD", "Dana\x7f", "Da\nna"]


@pytest.mark.parametrize("name", SPOOFED_NAMES)
def test_sign_up_refuses_a_name_with_control_characters(name):
    response = Client().post(
        reverse("account_signup"),
        {
            "first_name": name,
            "last_name": "Reyes",
            "email": "spoof@example.org",
            "password1": "a long pass phrase 9913",
            "password2": "a long pass phrase 9913",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["first_name"] == [
        "Remove the control characters from this field."
    ]
    assert not User.objects.filter(email="spoof@example.org").exists()


@pytest.mark.parametrize("name", SPOOFED_NAMES)
def test_the_profile_refuses_a_name_with_control_characters(name):
    holder = HolderFactory(first_name="Dana")
    response = signed_in(holder).post(
        reverse("credentials:profile"),
        {
            "first_name": name,
            "last_name": "Reyes",
            "phone": "(719) 555-0100",
            "address_line1": "1 Main St",
            "city": "Pueblo",
            "state": "CO",
            "postal_code": "81003",
        },
    )
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    holder.refresh_from_db()
    assert holder.first_name == "Dana"


def test_staff_cannot_give_a_holder_a_name_with_control_characters():
    holder = HolderFactory(first_name="Dana")
    client = signed_in(StaffFactory())
    url = reverse("admin:credentials_user_change", args=[holder.pk])
    data = admin_post_data(client.get(url))
    data["first_name"] = "\x1b[2JDana"
    response = client.post(url, data)
    assert response.status_code == 200
    holder.refresh_from_db()
    assert holder.first_name == "Dana"


@pytest.mark.parametrize("received_on", ["0001-01-01", "1999-12-31"])
def test_a_cheque_received_years_before_its_invoice_is_refused(received_on):
    renewal = renewal_due(HolderFactory())
    invoice = renewal.invoice
    response = signed_in(StaffFactory()).post(
        reverse("admin:payments_payment_record_offline"),
        {
            "invoice": invoice.number,
            "amount": f"{invoice.total_cents / 100:.2f}",
            "cheque_number": "1042",
            "received_on": received_on,
        },
    )
    assert response.status_code == 200
    assert "The date received cannot be before" in str(
        response.context["form"].errors["received_on"]
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN
    assert not Payment.objects.filter(invoice=invoice).exists()


# --- Correcting an Expo session one attended (the event's sessions inline) -----------------


def test_staff_cannot_lengthen_an_expo_session_they_attended_from_the_event_page():
    from cec.models import LedgerEntry
    from cec.services.ledger import record_attendance
    from tests.factories.checkin import ExpoSessionFactory

    clerk = StaffFactory()
    session = ExpoSessionFactory()
    record_attendance(session, clerk, by=StaffFactory())  # a colleague credited the clerk
    hours_before = LedgerEntry.objects.get(holder=clerk).hours
    client = signed_in(clerk)
    url = reverse("admin:cec_event_change", args=[session.event.pk])
    data = admin_post_data(client.get(url))
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(session.pk))
    prefix = prefix.removesuffix("-id")
    data[f"{prefix}-end_time"] = "23:00"
    response = Client(raise_request_exception=False)
    response.force_login(clerk)
    answer = response.post(url, data)
    assert answer.status_code == 200
    assert "your own CECs" in answer.content.decode()
    session.refresh_from_db()
    assert session.end_time.hour != 23
    assert LedgerEntry.objects.get(holder=clerk).hours == hours_before


# --- Every portal URL with a hostile query string, as every role ---------------------------

HOSTILE_QUERY = (
    "year=99999999999999999999&page=-1&state=%00&credential=%E2%80%AE&age=1e400"
    "&q=%3Cscript%3E&o=-1.a&next=//evil.example&download=1&invoice=%00"
)


def test_no_portal_page_answers_a_500_to_a_hostile_query_string():
    from tests.security.test_access_matrix import MATRIX, ROLES, _client
    from tests.security.world import build_world

    world = build_world()
    failures = []
    for name, (kwargs_for, _on_get, _on_post) in sorted(MATRIX.items()):
        if name.startswith("healthz"):
            continue
        url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
        for role in ROLES:
            client = _client(world, role)
            client.raise_request_exception = False
            for method in ("get", "post"):
                response = getattr(client, method)(f"{url}?{HOSTILE_QUERY}")
                if response.status_code >= 500:
                    failures.append((role, method, url, response.status_code))
    assert failures == []


# --- Sessions -------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key_so_a_planted_one_is_useless(settings):
    holder = HolderFactory(email="fixated@example.org")
    client = Client()
    client.get(reverse("account_login"))
    client.session["planted"] = "by the attacker"
    planted = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("account_login"), {"login": holder.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted


def test_signing_out_needs_a_post():
    holder = HolderFactory()
    client = signed_in(holder)
    client.get(reverse("account_logout"))
    assert client.get(reverse("credentials:profile")).status_code == 200


# --- NUL characters (PostgreSQL refuses them in any string it is given) ---------------------


@pytest.mark.postgres
def test_a_nul_character_in_an_address_or_a_query_string_is_a_bad_request_not_a_500():
    from django.contrib import admin

    holder, superuser = HolderFactory(), SuperuserFactory()
    urls = [
        "/payments/invoices/2027-%00/",
        "/payments/invoices/2027-%00/pdf/",
        "/payments/pay/2027-%00/",
        "/payments/pay/2027-%00/card/",
        "/payments/receipts/2027-%00/1/",
        "/cec/verify/%00/",
        "/renewals/verify/%00/",
        "/review/?state=%00&credential=%00",
        "/cec/?year=%00",
    ]
    urls += [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") + "?q=%00"
        for model in admin.site._registry
    ]
    failures = []
    for user in (holder, superuser):
        client = signed_in(user)
        client.raise_request_exception = False
        for url in urls:
            status = client.get(url).status_code
            if status >= 500:
                failures.append((user.email, url, status))
    assert failures == []
