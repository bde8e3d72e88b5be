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


@functools.cache
def _group_permissions_sql(vendor):
    """ModelBackend's read of a user's group permissions ("app_label.codename" pairs),
    compiled once per process and database: building it with the ORM cost half of a
    cached review queue's time (issue 19)."""
    perms = Permission.objects.filter(group__user=_SOME_ID)
    perms = perms.values_list("content_type__app_label", "codename").order_by()
    sql, params = perms.query.sql_with_params()
    if list(params) != [_SOME_ID]:
        raise ImproperlyConfigured("The user's id is not the only parameter of its query.")
    return sql


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

    def get_user_permissions(self, user_obj, obj=None):
        """None without a query for a user whose facts say it holds no permission of its
        own (the usual case): even an empty queryset is built by the ORM."""
        ordinary = user_obj.is_active and not user_obj.is_anonymous and obj is None
        if ordinary and not user_obj.is_superuser:
            if not roles.may_hold_permissions(user_obj, "user"):
                return set()
        return super().get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None):
        """ModelBackend's answer, from the compiled query for an active member of a
        group (a superuser, an inactive user or an object permission: ModelBackend's)."""
        ordinary = user_obj.is_active and not user_obj.is_anonymous and obj is None
        if not ordinary or user_obj.is_superuser:
            return super().get_group_permissions(user_obj, obj)
        if not hasattr(user_obj, "_group_perm_cache"):
            permissions = set()
            if roles.may_hold_permissions(user_obj, "group"):
                with connection.cursor() as cursor:
                    cursor.execute(_group_permissions_sql(connection.vendor), [user_obj.pk])
                    permissions = {f"{app}.{codename}" for app, codename in cursor.fetchall()}
            user_obj._group_perm_cache = permissions
        return user_obj._group_perm_cache

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
