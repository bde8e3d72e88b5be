from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

import credentials.urls
import renewal_portal.composition.urls
from renewal_portal.composition.admin.dashboard import season_dashboard

admin.site.site_header = "AASC renewal portal – office"
admin.site.site_title = "AASC renewal portal"
admin.site.index_title = "Office administration"
# Admin sign-in goes through allauth, so rate limits and two-factor authentication apply.
admin.site.login = secure_admin_login(admin.site.login)

handler403 = "renewal_portal.infra.errors.permission_denied"

urlpatterns = [
    # The season dashboard is a staff page inside the admin site (its own permission).
    path("admin/season/", admin.site.admin_view(season_dashboard), name="season_dashboard"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The holder's pages: the core's and the top layer's, one "credentials" namespace.
    path(
        "",
        include(
            (
                renewal_portal.composition.urls.urlpatterns + credentials.urls.urlpatterns,
                credentials.urls.app_name,
            )
        ),
    ),
    path("cec/forms/", include("cec.urls_forms")),
    path("cec/submission/", include("cec.urls_submission")),
    path("cec/", include("cec.urls")),
    path("review/", include("cec.urls_review")),
    path("payments/", include("payments.urls")),
    path("", include("cec.urls_checkin")),
    # Open Badges: the issuer's DID document and the status list (issue 20).
    path("", include("credentials.badges.urls")),
]

# Health checks for load balancers and monitoring (renewal_portal/health.py); with or
# without the trailing slash, since a probe does not follow redirects.
from django.urls import re_path  # noqa: E402

from renewal_portal import health  # noqa: E402
from renewal_portal.favicon import favicon  # noqa: E402

urlpatterns += [
    path("favicon.ico", favicon, name="favicon"),
    re_path(r"^healthz/?$", health.PortalHealthView.as_view(), name="healthz"),
    re_path(r"^healthz/workers/?$", health.WorkersHealthView.as_view(), name="healthz_workers"),
]
