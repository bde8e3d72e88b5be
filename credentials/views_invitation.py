"""An imported holder's invitation: the emailed link leads to setting a password, which
signs them in (the link proved they read the address, so it counts as verified)."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from credentials.services.accounts import prove_email_address
from credentials.services.imports import invitation_tokens


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    template_name = "credentials/invitation.html"
    token_generator = invitation_tokens
    post_reset_login = True
    post_reset_login_backend = "credentials.backends.PortalAuthenticationBackend"
    success_url = reverse_lazy("credentials:home")
    reset_url_token = "set-password"

    def form_valid(self, form):
        prove_email_address(form.user)  # the invitation went to this address
        return super().form_valid(form)
