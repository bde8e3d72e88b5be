"""A real localstripe server for the tests, on a free loopback port for the session.

Use it from a conftest with `from tests.support.localstripe import *  # noqa: F401,F403`.
The `localstripe` fixture points the portal's Stripe settings at the server for one
test; `localstripe_server` is the session's process, with helpers that do what Stripe.js
and Stripe's own servers would do around the portal.
"""

import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

__all__ = ["LocalStripe", "localstripe", "localstripe_server"]

LAUNCHER = Path(__file__).resolve().parents[2] / "scripts" / "localstripe_server.py"
PUBLISHABLE_KEY = "pk_test_portal_tests"
SECRET_KEY = "sk_test_portal_tests"
WEBHOOK_SECRET = "whsec_portal_tests"


class LocalStripe:
    def __init__(self, port):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.js_url = f"{self.url}/js.stripe.com/v3/"

    def _request(self, method, path, data=None, *, json_body=False):
        body = None
        headers = {"Authorization": f"Bearer {SECRET_KEY}"}
        if data is not None:
            if json_body:
                body = json.dumps(data).encode()
            else:
                body = urllib.parse.urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode()
            return exc.code, json.loads(text) if text.strip().startswith("{") else {}
        return 200, json.loads(text) if text.strip() else {}

    def register_webhook(self, url, secret=WEBHOOK_SECRET, hook_id="portal"):
        status, _ = self._request(
            "POST", f"/_config/webhooks/{hook_id}", {"url": url, "secret": secret}
        )
        assert status == 200, "localstripe refused the webhook registration"

    def forget_webhook(self, hook_id="portal"):
        # localstripe cannot delete a webhook: point it at a closed port instead.
        self.register_webhook("http://127.0.0.1:9/", hook_id=hook_id)

    def confirm_setup_intent(self, client_secret, card_number, exp_year="2034"):
        """What Stripe.js's confirmCardSetup does with the card element's values."""
        setup_id = client_secret.split("_secret_")[0]
        status, body = self._request(
            "POST",
            f"/v1/setup_intents/{setup_id}/confirm",
            {
                "key": PUBLISHABLE_KEY,
                "use_stripe_sdk": True,
                "client_secret": client_secret,
                "payment_method_data": {
                    "type": "card",
                    "card": {
                        "number": card_number,
                        "exp_month": "12",
                        "exp_year": exp_year,
                        "cvc": "123",
                    },
                    "billing_details": {"address": {"postal_code": "80903"}},
                },
            },
            json_body=True,
        )
        return status, body

    def events(self, event_type=None):
        params = {"limit": 100, **({"type": event_type} if event_type else {})}
        status, body = self._request("GET", "/v1/events?" + urllib.parse.urlencode(params))
        assert status == 200
        return body["data"]

    def event_for(self, event_type, intent_id, timeout=5):
        """The event localstripe made for a payment intent (it makes it at once and posts
        it to registered webhooks a second later)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events(event_type):
                if event["data"]["object"].get("id") == intent_id:
                    return event
            time.sleep(0.1)
        raise AssertionError(f"localstripe made no {event_type} event for {intent_id}")

    def payment_intents(self, customer=None):
        status, body = self._request("GET", "/v1/payment_intents?limit=100")
        assert status == 200
        intents = body["data"]
        if customer:
            intents = [i for i in intents if i.get("customer") == customer]
        return intents

    def create_payment_intent(self, **params):
        status, body = self._request("POST", "/v1/payment_intents", params)
        assert status == 200, body
        return body


def sign(payload: bytes, secret=WEBHOOK_SECRET, timestamp=None) -> str:
    """A Stripe-Signature header, computed the way Stripe (and localstripe) sign."""
    timestamp = int(timestamp or time.time())
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


LocalStripe.sign = staticmethod(sign)


@pytest.fixture(scope="session")
def localstripe_server():
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        if not line.startswith("LOCALSTRIPE_PORT="):
            pytest.fail(f"localstripe did not start (said {line!r})")
        server = LocalStripe(int(line.split("=", 1)[1]))
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(server.js_url, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("localstripe did not answer")
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def localstripe(localstripe_server, settings):
    """The portal's Stripe settings pointed at the session's localstripe for one test."""
    settings.STRIPE_API_BASE = localstripe_server.url
    settings.STRIPE_JS_URL = localstripe_server.js_url
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return localstripe_server
