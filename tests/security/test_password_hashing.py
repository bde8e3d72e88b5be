"""Passwords are stored with Argon2id; a password stored by an older hasher (PBKDF2) is
re-stored with Argon2id the next time its holder signs in. The suite itself hashes with a
fast hasher (tests/conftest.py), so these tests put the portal's own list back."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse
from django.utils.module_loading import import_string

from renewal_portal import settings as portal_settings
from tests.factories import HolderFactory
from tests.factories.credentials import PASSWORD

ARGON2 = "renewal_portal.infra.passwords.PortalArgon2PasswordHasher"


@pytest.fixture
def portal_hashers(settings):
    settings.PASSWORD_HASHERS = portal_settings.PASSWORD_HASHERS


def test_argon2id_is_the_first_password_hasher():
    assert portal_settings.PASSWORD_HASHERS[0] == ARGON2
    assert issubclass(import_string(ARGON2), Argon2PasswordHasher)
    # Older hashes stay readable, so they can be upgraded at sign-in.
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in portal_settings.PASSWORD_HASHERS


@pytest.mark.django_db
def test_a_new_password_is_stored_with_argon2id(portal_hashers):
    holder = HolderFactory()
    assert holder.password.startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_a_hash_with_djangos_heavier_argon2_parameters_is_remade_at_sign_in(portal_hashers, client):
    holder = HolderFactory(email="heavy@example.org")
    holder.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    holder.save(update_fields=["password"])
    assert "m=102400" in holder.password

    response = client.post(
        reverse("account_login"), {"login": "heavy@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
def test_a_pbkdf2_password_is_upgraded_to_argon2id_at_sign_in(portal_hashers, client):
    holder = HolderFactory(email="legacy@example.org")
    # The password as the portal stored it before Argon2id: a PBKDF2 hash.
    holder.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    holder.save(update_fields=["password"])

    response = client.post(
        reverse("account_login"), {"login": "legacy@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.password.startswith("argon2$argon2id$")
    assert holder.check_password(PASSWORD)


def test_new_passwords_are_hashed_with_argon2id_at_owasps_parameters(portal_hashers):
    # OWASP's first Argon2id option (19 MiB, 2 passes, 1 lane): about 50 ms a check on a
    # 2-core machine against 1.7-2.9 s for the PBKDF2 it replaced. The timings are
    # measured by `python -m bench.password_hash`, not asserted here.
    from django.contrib.auth.hashers import identify_hasher

    encoded = make_password(PASSWORD)
    hasher = identify_hasher(encoded)
    assert encoded.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in encoded
    assert not hasher.must_update(encoded)


def test_the_suite_hashes_with_a_fast_hasher(settings):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.MD5PasswordHasher"
