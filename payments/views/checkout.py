"""Card payment pages: pay an invoice, follow the payment, see the receipt.

Every view looks the invoice up among the signed-in holder's own (anyone else's is a
404); AASC staff may open receipts from admin. The card number never reaches these
views: the provider's script sends it to the provider, and the browser posts back only the
card set-up's reference. The card form's page alone allows the provider's origins in its
Content Security Policy (provider_csp).
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from credentials import page_versions
from payments import receipts, selectors
from payments.models import Invoice, Payment, PaymentMethod, PaymentStatus
from payments.providers import ProviderError, get_provider
from payments.services import payments as payment_services
from renewal_portal.infra.downloads import download, limit_document_downloads
from renewal_portal.infra.page_cache import cache_page_by_version

# While a charge is processing the status page refreshes itself; past this age it also
# asks the provider, in case the webhook is late.
ASK_PROVIDER_AFTER = dt.timedelta(seconds=10)
UNAVAILABLE = (
    "Card payments are unavailable at the moment. Please try again in a few minutes, "
    "or pay by cheque to the AASC office."
)


def provider_csp(view):
    """django-csp's csp_update with the sources the provider's card form needs (its
    script, the frames it opens, the API it calls), read per request from the provider:
    localstripe in development and tests, Stripe in production. Only the view that loads
    the provider's script carries it; every other page keeps the site's policy."""

    @wraps(view)
    def with_provider_sources(request, *args, **kwargs):
        return csp_update(get_provider().csp_sources())(view)(request, *args, **kwargs)

    return with_provider_sources


def _holder_invoice(request, number) -> Invoice:
    return get_object_or_404(
        selectors.invoices_of(request.user).select_related("renewal__holder"), number=number
    )


def _holder_payment(request, number, payment_id) -> Payment:
    return get_object_or_404(
        selectors.payments_of(request.user).select_related("invoice__renewal__holder"),
        pk=payment_id,
        invoice__number=number,
        method=PaymentMethod.CARD,
    )


def _renewal_url():
    try:
        return reverse("credentials:renewal")
    except NoReverseMatch:
        return reverse("credentials:home")


def _status_url(payment):
    return reverse("payments:status", args=[payment.invoice.number, payment.pk])


@login_required
@require_GET
def pay(request, number):
    """The pay page: the invoice, and the card form in a frame of its own (card_frame).

    The card script (Stripe.js, or localstripe's stand-in in development and tests) runs
    only inside that frame, so whatever it declares or breaks cannot reach this page's
    own scripts (its menu), and this page answers without waiting for the provider. Its
    Content Security Policy is the site's: the frame is same-origin."""
    invoice = _holder_invoice(request, number)
    if invoice.is_paid:
        paid = invoice.payments.filter(status=PaymentStatus.SUCCEEDED).first()
        messages.info(request, f"Invoice {invoice.number} is already paid.")
        if paid is not None and paid.method == PaymentMethod.CARD:
            return redirect(_status_url(paid))
        return redirect(_renewal_url())
    problem = payment_services.payable_problem(invoice)
    if problem:
        messages.error(request, problem)
        return redirect(_renewal_url())
    return render(
        request,
        "payments/pay.html",
        {"invoice": invoice, "lines": invoice.lines.all(), "renewal": invoice.renewal},
    )


@login_required
@require_GET
@xframe_options_sameorigin
@provider_csp
def card_frame(request, number):
    """The card form, framed by the pay page: the provider's card element, the payment
    attempt and its card set-up (reused on every load while it can take a card)."""
    invoice = _holder_invoice(request, number)
    context = {"invoice": invoice, "renewal_url": _renewal_url()}
    try:
        attempt = payment_services.start_card_payment(invoice, request.user)
    except payment_services.PaymentError as exc:
        return render(request, "payments/card_frame.html", {**context, "problem": exc.message})
    except ProviderError:
        context["problem"] = UNAVAILABLE
        return render(request, "payments/card_frame.html", context, status=503)
    if not (attempt.setup_client_secret or attempt.intent_client_secret):
        # Already charged: the whole window follows the payment.
        context["follow_url"] = _status_url(attempt.payment)
        return render(request, "payments/card_frame.html", context)
    context.update(
        {
            "attempt": attempt,
            "payment": attempt.payment,
            "card_form": get_provider().card_form(),
            "confirm_url": reverse("payments:confirm", args=[invoice.number, attempt.payment.pk]),
            "status_url": _status_url(attempt.payment),
        }
    )
    return render(request, "payments/card_frame.html", context)


class ConfirmForm(forms.Form):
    setup_intent = forms.CharField(max_length=100)


@login_required
@require_POST
def confirm(request, number, payment_id):
    """The card form has set up the card: charge it (JSON for pay.js)."""
    payment = _holder_payment(request, number, payment_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"message": "The card details did not reach us."}, status=400)
    try:
        attempt = payment_services.confirm_card_payment(
            payment, form.cleaned_data["setup_intent"], by=request.user
        )
    except payment_services.PaymentError as exc:
        return JsonResponse({"message": exc.message}, status=409)
    except ProviderError:
        return JsonResponse({"message": UNAVAILABLE}, status=503)
    payment = attempt.payment
    body = {"status": payment.status, "status_url": _status_url(payment)}
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        body["intent_client_secret"] = attempt.intent_client_secret
    if payment.status == PaymentStatus.FAILED:
        body["message"] = payment.failure_message
    return JsonResponse(body)


@login_required
@require_GET
def status(request, number, payment_id):
    """Where a card payment stands, refreshed until the provider's webhook has spoken."""
    payment = _holder_payment(request, number, payment_id)
    stale = timezone.now() - payment.updated_at > ASK_PROVIDER_AFTER
    if payment.status == PaymentStatus.REQUIRES_ACTION or (
        payment.status == PaymentStatus.PROCESSING and stale
    ):
        try:
            payment = payment_services.refresh_card_payment(payment)
        except ProviderError:
            pass  # keep showing "processing"; the next refresh asks again
    waiting = payment.status in payment_services.OPEN_ATTEMPT
    return render(
        request,
        "payments/payment_status.html",
        {
            "payment": payment,
            "invoice": payment.invoice,
            "waiting": waiting,
            "renewal_url": _renewal_url(),
        },
    )


def _receipt_payment(request, number, payment_id) -> Payment:
    return get_object_or_404(
        selectors.payments_visible_to(request.user),
        pk=payment_id,
        invoice__number=number,
        status__in=receipts.RECEIPTED,
    )


@login_required
@require_GET
@cache_page_by_version(page_versions.holder_page)
def receipt(request, number, payment_id):
    payment = _receipt_payment(request, number, payment_id)
    return render(
        request,
        "payments/receipt.html",
        receipts.receipt_context(payment, getattr(request.user, "catalog_version", None)),
    )


@login_required
@require_GET
@limit_document_downloads
def receipt_pdf(request, number, payment_id):
    payment = _receipt_payment(request, number, payment_id)
    return download(receipts.receipt_document(payment))
