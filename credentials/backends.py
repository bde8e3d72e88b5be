"""The authentication backends of settings.AUTHENTICATION_BACKENDS: Django's and
allauth's, except that the signed-in user is loaded with the facts every request asks
about it (its office roles, whether two-factor is set up) and its content versions
(`holder_version`, `catalog_version`, `review_version`: credentials.content_versions) in
the same query (issue 19).

The facts are read from the database at every request, with the user, so a role granted
or taken away and an authenticator added or removed count from the next request on:
nothing is cached across requests and nothing has to be invalidated."""

import functools

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from credentials import content_versions, roles

# Any id: it marks where the user's id goes among the compiled query's parameters.
_SOME_ID = -20_261_204


@functools.cache
def _user_with_role_facts_sql(vendor):
    """The SQL and parameters of with_role_facts and with_content_versions for one user,
    compiled once per process and database: compiling its subqueries costs more than the
    user query and the roles query it replaces, so only running it is paid per request."""
    # No ORDER BY (the model's default ordering): one row, and less for PostgreSQL to plan.
    users = get_user_model()._default_manager.filter(pk=_SOME_ID).order_by()
    users = content_versions.with_content_versions(roles.with_role_facts(users))
    sql, params = users.query.sql_with_params()
    if params[-1] != _SOME_ID or _SOME_ID in params[:-1]:
        raise ImproperlyConfigured("The user's id is not the last parameter of its query.")
    return sql, params[:-1]


class RoleFactsMixin:
    """Loads the user with its facts; and a user whose facts say it has no permission of
    its own or belongs to no group is not asked for them (ModelBackend's two queries on
    a holder's has_perm, issue 19)."""

    def _get_user_permissions(self, user_obj):
        if not roles.may_hold_permissions(user_obj, "user"):
            return Permission.objects.none()
        return super()._get_user_permissions(user_obj)

    def _get_group_permissions(self, user_obj):
        if not roles.may_hold_permissions(user_obj, "group"):
            return Permission.objects.none()
        return super()._get_group_permissions(user_obj)

    def get_user(self, user_id):
        sql, params = _user_with_role_facts_sql(connection.vendor)
        manager = get_user_model()._default_manager
        user = next(iter(manager.raw(sql, [*params, user_id])), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        return roles.remember_role_facts(user)


class PortalModelBackend(RoleFactsMixin, ModelBackend):
    """Django's model backend (force_login, admin sign-in)."""


class PortalAuthenticationBackend(RoleFactsMixin, AuthenticationBackend):
    """allauth's backend (sign-in by email)."""
