"""The payment provider's webhook endpoint. The provider signs each request (it checks
the signature: payments.providers); the CSRF token cannot apply."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import webhooks


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        outcome = webhooks.handle_webhook(request.body, request.headers)
    except webhooks.InvalidWebhook:
        return HttpResponseBadRequest("Invalid webhook signature.")
    except webhooks.RetryLater as exc:
        # The provider retries a delivery that was not answered 2xx.
        response = JsonResponse({"received": False, "retry": str(exc)}, status=503)
        response["Retry-After"] = "60"
        return response
    return JsonResponse({"received": True, "outcome": outcome})
