"""The outside attack repeated on round 3's code (moved code: payments behind a provider,
the composition layer, background runs): each test is one attack with the answer the
portal must give. docs/round-3/outside-attack-round-3.md lists every attack tried and its result."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from payments import webhooks
from payments.models import InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from payments.providers import CardSetup, NotFound, Refunded, Succeeded
from payments.services import payments as payment_services
from tests.factories import HolderFactory, PaymentFactory, StaffFactory, SuperuserFactory
from tests.factories.renewal_states import pay_by_cheque, renewal_due
from tests.payments.helpers import post_event
from tests.security.test_access_matrix import MATRIX, ROLES, _client
from tests.security.world import build_world
from tests.support.localstripe import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


def dispute_event(payment, kind, status):
    return {
        "id": f"evt_{kind}_{status}_{payment.pk}",
        "type": f"charge.dispute.{kind}",
        "data": {
            "object": {
                "id": "dp_round3",
                "object": "dispute",
                "amount": payment.amount_cents,
                "charge": "ch_round3",
                "payment_intent": payment.stripe_payment_intent,
                "reason": "fraudulent",
                "status": status,
            }
        },
    }


# --- Money: a dispute won after the invoice was paid another way -----------------------


def test_a_dispute_won_after_the_invoice_was_paid_again_is_flagged_not_paid_twice(client):
    """The card was disputed before the provider confirmed it (the invoice stayed open),
    the holder paid by cheque meanwhile, then the bank decided the dispute for the office:
    the card money is kept, so staff must refund it. The invoice is paid once, the webhook
    answers (a 500 would make the provider retry forever), and the payment is flagged."""
    renewal = renewal_due(HolderFactory())
    invoice = renewal.invoice
    card = PaymentFactory(
        invoice=invoice,
        method=PaymentMethod.CARD,
        status=PaymentStatus.PROCESSING,
        stripe_payment_intent="pi_disputed_early",
    )
    assert post_event(client, dispute_event(card, "created", "needs_response")).status_code == 200
    cheque = pay_by_cheque(renewal, StaffFactory())

    client.raise_request_exception = False
    response = post_event(client, dispute_event(card, "closed", "won"))

    assert response.status_code == 200
    card.refresh_from_db()
    invoice.refresh_from_db()
    assert card.status == PaymentStatus.FLAGGED
    assert "already paid" in card.flag_reason and "refund" in card.flag_reason
    assert invoice.status == InvoiceStatus.PAID
    assert list(Payment.objects.filter(invoice=invoice, status=PaymentStatus.SUCCEEDED)) == [cheque]


# --- Admin lists: Django's "Show counts" (?_facets) on the renewals list ----------------


@pytest.mark.parametrize("query", ["_facets=1", "_facets=junk", "_facets=1&season_phase=paid"])
def test_the_renewals_list_shows_its_counts_without_a_server_error(query):
    """Django admin's sidebar offers "Show counts" (?_facets=...): the season-phase filter
    counted its phases on the list's query with its related rows joined, which was a 500
    for staff (any value of _facets)."""
    renewal = renewal_due(HolderFactory())
    pay_by_cheque(renewal, StaffFactory())
    client = Client()
    client.force_login(StaffFactory())
    client.raise_request_exception = False

    response = client.get(f"{reverse('admin:credentials_renewal_changelist')}?{query}")

    assert response.status_code == 200
    if "season_phase" not in query:
        assert renewal.invoice.number in response.content.decode()


# --- The card payment's three phases: what happens while the provider is charging -------


class MidChargeProvider:
    """A provider whose charge runs `during_charge` while the portal waits for its answer
    (no lock is held then): the webhook, a clerk or a second tab acting mid-confirmation."""

    during_charge = None

    def csp_sources(self):
        return {}

    def create_customer(self, *, email, name, holder_id):
        return f"cus_{holder_id}"

    def create_card_setup(self, *, customer, invoice_number, payment_id):
        return CardSetup(reference=f"seti_{payment_id}", customer=customer, open=True)

    def is_card_setup_reference(self, value):
        return str(value).startswith("seti_")

    def card_setup(self, reference):
        customer = Payment.objects.get(pk=int(reference[5:])).stripe_customer
        return CardSetup(reference=reference, customer=customer, card="pm_1", ready=True)

    def charge_card(
        self, *, amount_cents, currency, customer, card, invoice_number, payment_id, idempotency_key
    ):
        charge = Succeeded(
            reference=f"pi_{payment_id}",
            amount_cents=amount_cents,
            currency=currency,
            customer=customer,
            invoice_number=invoice_number,
            payment_id=payment_id,
        )
        if MidChargeProvider.during_charge:
            MidChargeProvider.during_charge(charge)
        return charge

    def charge(self, reference):
        raise NotFound(reference)


@pytest.fixture
def mid_charge(settings):
    settings.PAYMENT_PROVIDER = f"{__name__}.MidChargeProvider"
    yield MidChargeProvider
    MidChargeProvider.during_charge = None


def _start(holder):
    renewal = renewal_due(holder)
    attempt = payment_services.start_card_payment(renewal.invoice, holder)
    return renewal.invoice, attempt.payment


def test_the_webhook_arriving_while_the_charge_is_made_pays_the_invoice_once(mid_charge):
    holder = HolderFactory()
    invoice, payment = _start(holder)
    mid_charge.during_charge = webhooks.payment_succeeded

    attempt = payment_services.confirm_card_payment(payment, f"seti_{payment.pk}", by=holder)

    invoice.refresh_from_db()
    assert attempt.payment.status == PaymentStatus.SUCCEEDED
    assert invoice.status == InvoiceStatus.PAID
    assert Payment.objects.filter(invoice=invoice, status=PaymentStatus.SUCCEEDED).count() == 1


def test_a_cheque_recorded_while_the_card_is_charged_leaves_the_card_flagged(mid_charge):
    holder, clerk = HolderFactory(), StaffFactory()
    invoice, payment = _start(holder)
    renewal = invoice.renewal

    def clerk_records_a_cheque_then_the_webhook_comes(charge):
        pay_by_cheque(renewal, clerk)
        webhooks.payment_succeeded(charge)

    mid_charge.during_charge = clerk_records_a_cheque_then_the_webhook_comes

    payment_services.confirm_card_payment(payment, f"seti_{payment.pk}", by=holder)

    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert payment.status == PaymentStatus.FLAGGED and "refund" in payment.flag_reason
    assert Payment.objects.filter(invoice=invoice, status=PaymentStatus.SUCCEEDED).count() == 1


def test_a_second_confirmation_while_the_first_is_charging_charges_nothing(mid_charge):
    holder = HolderFactory()
    invoice, payment = _start(holder)
    charges = []

    def second_tab(charge):
        charges.append(charge)
        if len(charges) == 1:
            payment_services.CHARGE_WAIT_SECONDS, wait = 0, payment_services.CHARGE_WAIT_SECONDS
            try:
                payment_services.confirm_card_payment(payment, f"seti_{payment.pk}", by=holder)
            finally:
                payment_services.CHARGE_WAIT_SECONDS = wait

    mid_charge.during_charge = second_tab

    payment_services.confirm_card_payment(payment, f"seti_{payment.pk}", by=holder)

    assert len(charges) == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PROCESSING


# --- CSP: every page keeps the site's policy; only the card form names the provider -------


def test_every_page_answers_with_the_sites_csp_and_only_the_card_form_widens_it(settings):
    settings.STRIPE_JS_URL = "https://js.provider.example/v3/"
    settings.STRIPE_API_BASE = "https://api.provider.example"
    world = build_world()
    missing, widened = [], []
    for name, (kwargs_for, _on_get, _on_post) in sorted(MATRIX.items()):
        url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
        for role in ROLES:
            client = _client(world, role)
            client.raise_request_exception = False
            response = client.get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            policy = response.get("Content-Security-Policy", "")
            if "script-src 'self'" not in policy or "frame-ancestors 'self'" not in policy:
                missing.append((role, name, response.status_code))
            if "provider.example" in policy and name != "payments:card_frame":
                widened.append((role, name))
    assert missing == [] and widened == []


def test_a_refund_told_while_the_charge_is_made_never_pays_the_invoice(mid_charge):
    """The provider may tell a refund before it tells the charge succeeded, while our
    record of the charge is not written yet. The refund is not ignored: the notice is
    answered "try again later" (the provider retries it), so once the success is recorded
    the retried refund finds the payment and the invoice ends refunded, never paid."""
    holder = HolderFactory()
    invoice, payment = _start(holder)
    made, refunds, answers = [], [], []

    def refunded_at_once(charge):
        made.append(charge)
        refunds.append(
            Refunded(
                charge=charge.reference,
                amount_cents=charge.amount_cents,
                amount_refunded_cents=charge.amount_cents,
            )
        )
        try:
            answers.append(webhooks.refunded(refunds[0]))
        except webhooks.RetryLater:
            answers.append("retry later")

    mid_charge.during_charge = refunded_at_once
    payment_services.confirm_card_payment(payment, f"seti_{payment.pk}", by=holder)
    assert answers == ["retry later"]
    webhooks.payment_succeeded(made[0])
    webhooks.refunded(refunds[0])  # the provider's retry

    invoice.refresh_from_db()
    assert invoice.status != InvoiceStatus.PAID
    assert invoice.renewal.paid_at is None


def test_the_webhook_endpoint_answers_503_so_the_provider_retries(client, monkeypatch):
    def not_yet(payload, headers):
        raise webhooks.RetryLater("a charge of ours is being recorded: try again later")

    monkeypatch.setattr(webhooks, "handle_webhook", not_yet)
    response = client.post(
        reverse("payments:stripe_webhook"), data=b"{}", content_type="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"]


def test_a_refund_of_a_stranger_charge_with_no_charge_in_flight_is_ignored():
    notice = Refunded(charge="ch_not_ours", amount_cents=100, amount_refunded_cents=100)
    assert webhooks.refunded(notice).startswith("ignored:")


def test_every_admin_list_shows_its_counts_without_a_server_error():
    """?_facets (Django's "Show counts") on every admin list, with a record of every kind."""
    world = build_world()
    pay_by_cheque(renewal_due(HolderFactory()), world.staff)
    client = Client()
    client.force_login(SuperuserFactory())
    client.raise_request_exception = False
    failures = []
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        status = client.get(f"{url}?_facets=1").status_code
        if status >= 500:
            failures.append((url, status))
    assert failures == []
