"""The invoice and receipt pages at desktop and phone width (issue 17.11, 17.12): where to
mail a cheque, a paid invoice's date, method and zero balance, the receipt's number,
method and balance. Screenshots land in test-artifacts/h/."""

from pathlib import Path

import pytest

from credentials.models import OfficeContact
from tests.support.portal_world import HOLDER, build_world, sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "h"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", WIDTHS)
def test_invoice_and_receipt_pages_say_how_to_pay_and_what_was_paid(new_page, live_server, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    world = build_world()
    office = OfficeContact.objects.get()
    office.street = "1155 Kelly Johnson Blvd, Suite 111"
    office.city_line = "Colorado Springs, CO 80920"
    office.save()
    paid = world["paid"]
    paid.refresh_from_db()
    page = new_page(viewport=WIDTHS[width])
    sign_in_by_session(page.context, live_server, world["users"][HOLDER])
    pages = {
        "invoice-open": (
            f"/payments/invoices/{world['invoice'].number}/",
            "1155 Kelly Johnson Blvd, Suite 111",
        ),
        "invoice-paid": (f"/payments/invoices/{paid.invoice.number}/", "Balance due: $0.00"),
        "receipt": (f"/payments/receipts/{paid.invoice.number}/{paid.pk}/", "Balance due"),
    }
    for name, (path, expected) in pages.items():
        page.goto(live_server.url + path)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert expected in page.inner_text("main"), name
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= WIDTHS[width]["width"], f"{name} is {scroll_width} px wide"
