"""Stripe's webhook endpoint. Stripe signs each request; the CSRF token cannot apply."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import webhooks


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        outcome = webhooks.handle_stripe_webhook(
            request.body, request.headers.get("Stripe-Signature", "")
        )
    except webhooks.InvalidWebhook:
        return HttpResponseBadRequest("Invalid Stripe signature.")
    return JsonResponse({"received": True, "outcome": outcome})
