"""/favicon.ico: browsers ask for it on every page whatever the <link> says, so it is
answered here instead of with a 404 (issue 17 item 20)."""

from django.conf import settings
from django.http import FileResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

FAVICON = settings.BASE_DIR / "static" / "favicon.ico"


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
