"""An imported holder's invitation: the emailed link leads to setting a password, which
signs them in (the link proved they read the address, so it counts as verified)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from credentials.services.imports import invitation_tokens


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    template_name = "credentials/invitation.html"
    token_generator = invitation_tokens
    post_reset_login = True
    post_reset_login_backend = "credentials.backends.PortalAuthenticationBackend"
    success_url = reverse_lazy("credentials:home")
    reset_url_token = "set-password"

    def form_valid(self, form):
        user = form.user
        address, _ = EmailAddress.objects.get_or_create(
            user=user, email__iexact=user.email, defaults={"email": user.email, "primary": True}
        )
        if not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
        return super().form_valid(form)
