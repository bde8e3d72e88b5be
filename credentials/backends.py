"""The authentication backends of settings.AUTHENTICATION_BACKENDS: Django's and
allauth's, except that the signed-in user is loaded with the facts every request asks
about it (its office roles, whether two-factor is set up) in the same query (issue 19).

The facts are read from the database at every request, with the user, so a role granted
or taken away and an authenticator added or removed count from the next request on:
nothing is cached across requests and nothing has to be invalidated."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from credentials import roles


class RoleFactsMixin:
    def get_user(self, user_id):
        users = roles.with_role_facts(get_user_model()._default_manager.filter(pk=user_id))
        user = users.first()
        if user is None or not self.user_can_authenticate(user):
            return None
        return roles.remember_role_facts(user)


class PortalModelBackend(RoleFactsMixin, ModelBackend):
    """Django's model backend (force_login, admin sign-in)."""


class PortalAuthenticationBackend(RoleFactsMixin, AuthenticationBackend):
    """allauth's backend (sign-in by email)."""
