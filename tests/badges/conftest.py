import pytest
from django.core.cache import cache

from credentials.badges import keys


@pytest.fixture(autouse=True)
def _badge_keys_in_tmp(settings, tmp_path):
    """Every badge test signs with keys made in its own tmp_path, never var/badge-keys."""
    settings.BADGE_KEY_DIR = str(tmp_path / "badge-keys")
    settings.BADGE_PRIVATE_KEY = ""
    settings.SITE_URL = "https://renew.aasc.example.org"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issuer_key(_badge_keys_in_tmp):
    key, _ = keys.generate()
    return key
