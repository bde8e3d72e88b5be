"""A clerk's first morning (issue 18): upload the office's holders spreadsheet, read the
dry run, confirm it, invite everyone; and see a file with mistakes refused row by row."""

from pathlib import Path

import pytest

from credentials.models import ImportBatch, OutboxMessage, User
from tests.browser.conftest import sign_in
from tests.factories import StaffFactory
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "i"
SAMPLES = Path(__file__).resolve().parents[2] / "static" / "samples"


def _shoot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _upload(clerk, live_server, kind_label, path):
    clerk.goto(f"{live_server.url}/admin/credentials/importbatch/add/")
    clerk.get_by_label(kind_label, exact=True).check()
    clerk.locator("input[type=file]").set_input_files(str(path))
    clerk.get_by_role("button", name="Check the file").click()
    clerk.wait_for_load_state()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_clerk_imports_holders_from_upload_to_confirmed_import(new_page, live_server, width):
    StaffFactory(email="clerk@example.org")
    clerk = new_page(viewport={"width": width, "height": 900})
    sign_in(clerk, live_server, "clerk@example.org", PASSWORD)

    clerk.goto(f"{live_server.url}/admin/credentials/importbatch/add/")
    assert clerk.get_by_role("link", name="Excel").first.is_visible()
    _shoot(clerk, f"import-upload-{width}")

    _upload(clerk, live_server, "Holders", SAMPLES / "holders.xlsx")
    assert clerk.locator("[data-count=created]").inner_text() == "36"
    assert clerk.locator("[data-count=errors]").inner_text() == "0"
    assert not User.objects.filter(email__endswith="@sample.aasc-demo.org").exists()
    _shoot(clerk, f"import-dry-run-{width}")

    clerk.get_by_role("button", name="Confirm the import").click()
    clerk.wait_for_load_state()
    clerk.locator(".import-status", has_text="Imported").wait_for()
    assert User.objects.filter(email__endswith="@sample.aasc-demo.org").count() == 36
    _shoot(clerk, f"import-confirmed-{width}")

    clerk.get_by_role("button", name="Invite everyone from this import").click()
    clerk.wait_for_load_state()
    assert clerk.locator(".messagelist .success").is_visible()
    assert OutboxMessage.objects.filter(kind="invitation").count() == 36
    _shoot(clerk, f"import-invited-{width}")
    assert ImportBatch.objects.get().status == ImportBatch.Status.DONE


@pytest.mark.parametrize("width", [1280, 390])
def test_a_file_with_mistakes_lists_each_cell(new_page, live_server, width):
    StaffFactory(email="clerk@example.org")
    clerk = new_page(viewport={"width": width, "height": 900})
    sign_in(clerk, live_server, "clerk@example.org", PASSWORD)
    _upload(clerk, live_server, "Holders", SAMPLES / "holders_with_mistakes.csv")
    errors = clerk.locator("table.import-errors tbody tr")
    assert errors.count() == 3
    assert "not an email address" in errors.first.inner_text()
    assert clerk.get_by_role("button", name="Confirm the import").count() == 0
    _shoot(clerk, f"import-errors-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_invited_holder_sets_a_password_and_sees_the_imported_credential(
    new_page, live_server, width
):
    import re

    from credentials.services import imports

    clerk = StaffFactory(email="clerk@example.org")
    for kind in ("holders", "credentials"):
        batch = imports.check_upload(
            kind, f"{kind}.csv", (SAMPLES / f"{kind}.csv").read_bytes(), clerk
        )
        imports.confirm(batch, clerk)
        imports.run_batch(batch.pk)
    avery = User.objects.get(email="avery.alvarez0@sample.aasc-demo.org")
    imports.invite_holders([avery], clerk)
    body = OutboxMessage.objects.get(kind="invitation").body_text
    path = re.search(r"https?://[^/\s]+(/account/invitation/\S+)", body).group(1)

    holder = new_page(viewport={"width": width, "height": 900})
    holder.goto(f"{live_server.url}{path}")
    holder.locator("input[name=new_password1]").fill("a-long-new-passphrase-9")
    holder.locator("input[name=new_password2]").fill("a-long-new-passphrase-9")
    _shoot(holder, f"invitation-set-password-{width}")
    holder.get_by_role("button", name="Set my password and sign in").click()
    holder.wait_for_load_state()
    holder.goto(f"{live_server.url}/credentials/")
    assert "CAM-40100" in holder.content()
    _shoot(holder, f"invitation-credentials-{width}")
