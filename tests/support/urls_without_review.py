"""The product's URLconf without the NAAEI review queue: a URLconf that lacks one of the
base layout's optional links (tests/test_navigation.py)."""

from django.urls import URLResolver

from renewal_portal.urls import handler403  # noqa: F401
from renewal_portal.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    pattern
    for pattern in product_urlpatterns
    if not (isinstance(pattern, URLResolver) and pattern.namespace == "review")
]
