from django.conf import settings
from django.core.exceptions import BadRequest
from django.shortcuts import redirect
from django.urls import reverse

from credentials import roles

# Pages an office account may open before it has set up two-factor authentication.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/favicon.ico")


class RefuseNulCharactersMiddleware:
    """A NUL character in the address or the query string is a bad request (400).

    No link of the portal has one, forms already refuse it in what they read, and
    PostgreSQL refuses it in any string it is given, so `/payments/invoices/%00/` or an
    admin search for `%00` would otherwise reach the database and answer a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in name or any("\x00" in value for value in values)
            for name, values in request.GET.lists()
        ):
            raise BadRequest("The address holds a NUL character.")
        return self.get_response(request)


class OfficeTwoFactorMiddleware:
    """AASC staff, NAAEI reviewers and superusers must set up two-factor authentication
    before they use anything else: they are sent to the authenticator set-up page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.OFFICE_MFA_REQUIRED and self._needs_setup(request):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        return self.get_response(request)

    def _needs_setup(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(_ALLOWED_PREFIXES):
            return False
        office = user.is_staff or roles.is_aasc_staff(user) or roles.is_naaei_reviewer(user)
        if not office:
            return False
        # Loaded with the user (credentials.backends): no query of its own.
        return not roles.has_two_factor(user)
