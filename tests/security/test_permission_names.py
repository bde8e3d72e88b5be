"""Permission names live in one module (issue 16 item 7): each constant in
credentials.permissions, each permission a role grants and each `perms.` a template
checks names a permission that exists, and no Python module types one by hand."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from credentials import permissions, roles

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("credentials", "cec", "payments", "renewal_portal")


def existing_permissions() -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_every_permission_constant_names_an_existing_permission():
    missing = {
        name: value
        for name, value in permissions.all_permissions().items()
        if value not in existing_permissions()
    }
    assert permissions.all_permissions()
    assert missing == {}


def test_every_permission_a_role_grants_exists():
    granted = {perm for perms in roles.ROLE_PERMISSIONS.values() for perm in perms}
    assert granted - existing_permissions() == set()


def test_every_permission_a_template_checks_exists():
    checked = {
        match
        for path in (ROOT / "templates").rglob("*.html")
        for match in re.findall(r"\bperms\.([a-z_]+\.[a-z_]+)", path.read_text())
    }
    assert checked - existing_permissions() == set()


def test_python_code_checks_permissions_by_their_constant():
    """A quoted "app.codename" that names a permission appears only in
    credentials/permissions.py."""
    names = existing_permissions()
    typed = [
        f"{path.relative_to(ROOT)}: {literal}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "permissions.py"
        for literal in re.findall(r"[\"']([a-z_]+\.[a-z_]+)[\"']", path.read_text())
        if literal in names
    ]
    assert typed == []
