import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from renewal_portal.checks import refuse_to_start_on_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renewal_portal.settings")
application = get_wsgi_application()

if settings.PRODUCTION:
    # gunicorn runs no system checks: a production web process with a missing or
    # development secret must not serve (its worker fails to boot and gunicorn exits).
    refuse_to_start_on_errors("web process")
