"""`make run` (scripts/run.sh) points absolute links at the port it serves on."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_env(**environ):
    """PORT and SITE_URL as scripts/run.sh sets them, given these variables."""
    script = 'source scripts/lib/run-env.sh; portal_run_env; echo "$PORT $SITE_URL"'
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **environ},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_links_follow_the_port_the_portal_is_served_on():
    assert run_env(PORT="8100") == ["8100", "http://127.0.0.1:8100"]


def test_the_default_port_is_8000():
    assert run_env() == ["8000", "http://127.0.0.1:8000"]


def test_a_given_site_url_is_kept():
    assert run_env(PORT="8100", SITE_URL="https://renew.aasc.example.org") == [
        "8100",
        "https://renew.aasc.example.org",
    ]


def test_run_sh_sets_the_environment_before_anything_starts():
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    assert run_sh.index("portal_run_env") < run_sh.index("manage.py migrate")
