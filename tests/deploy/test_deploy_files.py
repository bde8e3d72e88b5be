"""The deployment files agree with the code: env.example documents every setting that
settings.py and gunicorn.conf.py read, and the web server's upload limit fits evidence."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = (ROOT / "deploy" / "env.example").read_text()


def documented():
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, re.MULTILINE))


def read_by(path, pattern):
    return set(re.findall(pattern, (ROOT / path).read_text(), re.DOTALL))


def test_env_example_lists_every_setting_that_settings_py_reads():
    names = read_by("renewal_portal/settings.py", r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "OFFICE_SIGNATURE"} <= names
    assert names - documented() == set()


def test_env_example_lists_every_setting_of_gunicorn_and_the_worker_unit():
    names = read_by("deploy/gunicorn.conf.py", r"os\.environ\.get\(\"([A-Z][A-Z0-9_]*)\"")
    names |= read_by("deploy/systemd/aasc-portal-worker.service", r"\$\{([A-Z][A-Z0-9_]*)\}")
    assert names
    assert names - documented() == set()


def test_every_documented_setting_explains_itself():
    # A setting, or a group of settings on consecutive lines, sits under its comment.
    setting = re.compile(r"^#?[A-Z][A-Z0-9_]*=")
    lines = ENV_EXAMPLE.splitlines()
    for index, line in enumerate(lines):
        if setting.match(line):
            above = index - 1
            while above >= 0 and setting.match(lines[above]):
                above -= 1
            assert lines[above].startswith("# "), f"no comment above {line!r}"


def test_nginx_accepts_an_evidence_file_with_its_form():
    conf = (ROOT / "deploy" / "nginx" / "aasc-portal.conf").read_text()
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert limit_mb * 1024 * 1024 > settings.EVIDENCE_MAX_BYTES
    assert limit_mb * 1024 * 1024 >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert "location /media/" in conf and "return 404" in conf
    for header in ("X-Forwarded-Proto", "X-Forwarded-For", "X-Request-ID", "Host"):
        assert f"proxy_set_header {header}" in conf


def test_nginx_passes_the_client_address_it_saw_and_the_portal_trusts_one_proxy():
    conf = (ROOT / "deploy" / "nginx" / "aasc-portal.conf").read_text()
    # Replaced, not appended to: a client cannot choose the address it is throttled under.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf
    assert re.search(r"^TRUSTED_PROXY_COUNT=1$", ENV_EXAMPLE, re.MULTILINE)


def test_production_settings_from_env_example_pass_check_deploy(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE; production never does.
        if not key.startswith("S3_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    for name, value in re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, re.MULTILINE):
        env[name] = value.strip('"')
    env.update(STATIC_ROOT=str(tmp_path / "static"), MEDIA_ROOT=str(tmp_path / "media"))

    def check_deploy():
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    # The placeholders themselves are refused (portal.E001), each secret by name.
    refused = check_deploy()
    assert refused.returncode != 0
    for name in (
        "SECRET_KEY",
        "STRIPE_SECRET_KEY",
        "STRIPE_PUBLISHABLE_KEY",
        "STRIPE_WEBHOOK_SECRET",
    ):
        assert f"portal.E001) {name} " in refused.stderr, refused.stderr

    env.update(
        SECRET_KEY="a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        STRIPE_SECRET_KEY="sk_live_0123456789abcdefABCDEF",
        STRIPE_PUBLISHABLE_KEY="pk_live_0123456789abcdefABCDEF",
        STRIPE_WEBHOOK_SECRET="whsec_0123456789abcdefABCDEF0123456789",
    )
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr


def test_uploads_go_to_a_private_s3_bucket_when_configured():
    script = (
        "from django.conf import settings\n"
        "import json; print(json.dumps(settings.STORAGES['default']))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renewal_portal.settings",
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": "aasc-evidence",
        "S3_ENDPOINT_URL": "https://s3.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    storage = __import__("json").loads(result.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "aasc-evidence"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.org"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["querystring_auth"] is True


def test_uploads_stay_on_local_disk_by_default():
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
