"""What the browser and Stripe do around the portal, for service and view tests."""

import json

from django.urls import reverse

from payments.services import payments as payment_services
from tests.support.localstripe import sign

CARD_OK = "4242424242424242"
CARD_DECLINED_AT_CHARGE = "4000000000000341"
CARD_DECLINED_AT_SETUP = "4000000000000002"
CARD_3D_SECURE = "4000002760003184"


def set_up_card(localstripe, attempt, number=CARD_OK) -> str:
    """Stripe.js's confirmCardSetup: the SetupIntent id the browser posts back."""
    status, body = localstripe.confirm_setup_intent(attempt.setup_client_secret, number)
    assert status == 200, body
    if body["status"] == "requires_action":  # the 3-D Secure modal: "Complete authentication"
        setup_id = body["id"]
        status, body = localstripe._request(
            "POST",
            f"/v1/setup_intents/{setup_id}/confirm",
            {"key": "pk", "use_stripe_sdk": True, "client_secret": attempt.setup_client_secret},
            json_body=True,
        )
    assert body["status"] == "succeeded", body
    return body["id"]


def pay_by_card(localstripe, invoice, holder, number=CARD_OK):
    attempt = payment_services.start_card_payment(invoice, holder)
    setup_intent_id = set_up_card(localstripe, attempt, number)
    return payment_services.confirm_card_payment(attempt.payment, setup_intent_id, by=holder)


def post_event(client, event, secret=None, signature=None):
    payload = json.dumps(event).encode()
    header = (
        signature
        if signature is not None
        else sign(payload, **({"secret": secret} if secret else {}))
    )
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    return client.post(
        reverse("payments:stripe_webhook"), data=payload, content_type="application/json", **extra
    )


def deliver_succeeded_webhook(client, localstripe, payment):
    event = localstripe.event_for("payment_intent.succeeded", payment.stripe_payment_intent)
    response = post_event(client, event)
    assert response.status_code == 200, response.content
    return event
