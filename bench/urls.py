"""The product's URLs plus the framework floor, for benchmark runs only."""

from django.http import HttpResponse
from django.urls import path

from renewal_portal.urls import urlpatterns as product_urlpatterns


def floor(request):
    """A bare Django view: the same middleware stack, no query of its own, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *product_urlpatterns]
