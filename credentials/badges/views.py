"""Public, anonymous endpoints for wallets and verifiers: the issuer's DID document and
the status list."""

from django.http import Http404, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import issuer, keys, status_list


def _json(data, content_type):
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Type"] = content_type
    response["Access-Control-Allow-Origin"] = "*"  # verifiers in browsers fetch these
    return response


@require_safe
@cache_control(public=True, max_age=status_list.STATUS_LIST_MAX_AGE)
def did_document(request):
    return _json(issuer.did_document(), "application/did+json")


@require_safe
@cache_control(public=True, max_age=status_list.STATUS_LIST_MAX_AGE)
def status_list_credential(request, list_id):
    if list_id != status_list.LIST_ID:
        raise Http404("No such status list.")
    try:
        credential = status_list.signed_status_list()
    except keys.NoIssuerKey as exc:
        raise Http404("The issuer has no signing key yet.") from exc
    return _json(credential, "application/vc+ld+json")
