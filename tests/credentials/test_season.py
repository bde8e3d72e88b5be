"""The season dashboard and exports (issue 18): every number on the dashboard equals the
count of the admin list it links to; the payments export reconciles to the cent with the
invoices; exports are CSV and XLSX through django-import-export, never run a formula, and
are built in the background as a download."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from credentials.models import ExportFormat, ExportKind, SeasonExport, User
from credentials.services.claims import submit_claim
from payments.models import Invoice, InvoiceStatus
from payments.providers import Refunded, Succeeded
from payments.services.payments import record_payment
from payments.services.reversals import record_cheque_refund, record_refund
from renewal_portal.composition import export_runs as export_services
from renewal_portal.composition import exports, season
from tests.factories import (
    ContactProfileFactory,
    CredentialFactory,
    HolderFactory,
    LedgerEntryFactory,
)
from tests.factories.renewal_states import (
    complete,
    earn_enough,
    pay_by_cheque,
    renewal_due,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 12, 1)]
DENVER = ZoneInfo("America/Denver")


def at(year, month, day):
    return dt.datetime(year, month, day, 10, 0, tzinfo=DENVER)


def pay_by_card(renewal, intent_id):
    invoice = renewal.invoice
    return record_payment(
        invoice,
        Succeeded(reference=intent_id, amount_cents=invoice.total_cents, currency="usd"),
    )


def refund(payment, cents):
    return record_refund(
        Refunded(
            charge=payment.stripe_payment_intent,
            amount_cents=payment.amount_cents,
            amount_refunded_cents=cents,
        )
    )


@pytest.fixture
def season_world(clock, staff, reviewer):
    """December 2026, the 2027 season: one holder in each phase before the due date, and
    money paid by card and cheque with a full and a partial refund."""
    clock.move_to(at(2026, 12, 1))
    not_issued = HolderFactory(last_name="Notissued")
    CredentialFactory(holder=not_issued, valid_through=dt.date(2026, 12, 31))
    invoiced = renewal_due(HolderFactory(last_name="Invoiced"))
    short = renewal_due(HolderFactory(last_name="Short"))
    pay_by_cheque(short, staff)
    paid = renewal_due(HolderFactory(last_name="Paid"))
    pay_by_cheque(paid, staff)
    earn_enough(paid)
    submitted = renewal_due(HolderFactory(last_name="Submitted"))
    submit(submitted)
    done = renewal_due(HolderFactory(last_name="Done"))
    complete(done, staff, reviewer)
    carded = renewal_due(HolderFactory(last_name="Card"))
    pay_by_card(carded, "pi_card_kept")
    refunded = renewal_due(HolderFactory(last_name="Refunded"))
    refund(pay_by_card(refunded, "pi_card_refunded"), refunded.invoice.total_cents)
    part = renewal_due(HolderFactory(last_name="Part"))
    refund(pay_by_card(part, "pi_card_part"), 2500)
    bounced = renewal_due(HolderFactory(last_name="Bounced"))
    record_cheque_refund(pay_by_cheque(bounced, staff), by=staff, reason="Cheque bounced")
    return {
        "invoiced": invoiced,
        "short": short,
        "paid": paid,
        "submitted": submitted,
        "done": done,
        "refunded": refunded,
        "part": part,
        "card": carded,
        "bounced": bounced,
    }


@pytest.fixture
def december(clock):
    """The day after the season's world was built."""
    clock.move_to(at(2026, 12, 2))
    return clock


def _list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context_data["cl"].result_count


def test_every_dashboard_number_equals_the_list_it_links_to(
    season_world, december, staff_client, holder
):
    record = User.objects.create_user(email="kept@example.org", last_name="Kept")
    ContactProfileFactory(user=record, postal_code="80903")
    CredentialFactory(holder=record, number="CAS-1")
    submit_claim(holder, number="CAS-1", last_name="Kept", postal_code="80903")
    response = staff_client.get(reverse("season_dashboard"))
    assert response.status_code == 200
    tiles = [*response.context["phases"], *response.context["money"], *response.context["queues"]]
    for tile in tiles:
        assert _list_count(staff_client, tile.url) == tile.count, tile.label
    counts = {tile.key: tile.count for tile in response.context["phases"]}
    assert counts == {
        "not_issued": 2,  # a holder, and the record waiting to be claimed
        # unpaid, and the fully refunded card and cheque invoices are unpaid again
        "invoiced": 3,
        "paid": 1,
        # paid without CECs: by cheque, by card, and partly refunded (still paid)
        "cecs_short": 3,
        "submitted": 1,
        "complete": 1,
        "in_grace": 0,
        "lapsed": 0,
    }
    assert {tile.key: tile.count for tile in response.context["queues"]}["claims"] == 1


def test_in_grace_and_lapsed_follow_the_calendar(clock, season_world, staff, staff_client):
    clock.move_to(at(2027, 2, 15))
    staff_client.force_login(staff)
    response = staff_client.get(reverse("season_dashboard"))
    phases = {tile.key: tile for tile in response.context["phases"]}
    assert phases["in_grace"].count == 8  # every open renewal, the submitted one too
    assert _list_count(staff_client, phases["in_grace"].url) == 8
    clock.move_to(at(2027, 4, 2))
    staff_client.force_login(staff)
    response = staff_client.get(reverse("season_dashboard"))
    phases = {tile.key: tile for tile in response.context["phases"]}
    assert phases["lapsed"].count == 8 and phases["complete"].count == 1


def test_the_dashboard_shows_money_and_a_weekly_chart(season_world, december, staff_client):
    page = staff_client.get(reverse("season_dashboard")).content.decode()
    totals = season.money(2027)
    assert totals.refunded_cents == (
        season_world["refunded"].invoice.total_cents
        + 2500
        + season_world["bounced"].invoice.total_cents
    )
    assert "<svg" in page and "Renewals completed per week" in page
    assert reverse("admin:credentials_seasonexport_add") in page


def test_the_admin_index_links_to_the_dashboard(staff_client):
    assert reverse("season_dashboard") in staff_client.get(reverse("admin:index")).content.decode()


def test_the_payments_export_totals_the_invoices_paid_minus_refunds(season_world, december):
    dataset = exports.build_dataset(ExportKind.PAYMENTS, 2027)
    rows = list(csv.DictReader(io.StringIO(exports.render(dataset, ExportFormat.CSV).decode())))
    total = sum(Decimal(row["Amount"]) for row in rows)
    paid_invoices = Invoice.objects.filter(
        renewal__year=2027, status__in=[InvoiceStatus.PAID, InvoiceStatus.REFUNDED]
    )
    ever_paid = sum(invoice.total_cents for invoice in paid_invoices)
    refunds = (
        season_world["refunded"].invoice.total_cents
        + 2500
        + season_world["bounced"].invoice.total_cents
    )
    assert total == Decimal(ever_paid - refunds) / 100
    kinds = [row["Kind"] for row in rows]
    assert kinds.count("Refund") == 3 and kinds.count("Payment") == paid_invoices.count() == 7


def test_the_renewals_export_has_each_phase_and_cecs(season_world, december):
    dataset = exports.build_dataset(ExportKind.RENEWALS, 2027)
    rows = {row["Last name"]: row for row in dataset.dict}
    assert rows["Paid"]["Phase"] == "Paid, CECs earned"
    assert rows["Paid"]["CECs earned"] == Decimal("9.00")
    assert rows["Short"]["Phase"] == "Paid, CECs short"
    assert rows["Done"]["Phase"] == "Complete"


def test_who_is_behind_lists_the_cecs_short_with_contact_details(season_world, december):
    dataset = exports.build_dataset(ExportKind.BEHIND, 2027)
    names = {row["Last name"] for row in dataset.dict}
    assert {"Short", "Invoiced"} <= names and "Paid" not in names and "Done" not in names
    assert all(row["Phone"] and row["Mailing address"] for row in dataset.dict)


def test_the_cec_ledger_export_is_the_earning_year(season_world, december):
    LedgerEntryFactory(
        holder=season_world["paid"].holder, earned_on=dt.date(2025, 5, 1), title="Too early"
    )
    titles = [row["Title"] for row in exports.build_dataset(ExportKind.CEC_LEDGER, 2027).dict]
    assert titles and "Too early" not in titles


def test_a_name_typed_as_a_formula_stays_text_in_csv_and_xlsx(clock, staff):
    renewal_due(HolderFactory(first_name="=HYPERLINK(1)", last_name="@evil"))
    clock.move_to(at(2026, 12, 2))
    dataset = exports.build_dataset(ExportKind.RENEWALS, 2027)
    text = exports.render(dataset, ExportFormat.CSV).decode()
    assert "'=HYPERLINK(1)" in text and "'@evil" in text
    book = openpyxl.load_workbook(io.BytesIO(exports.render(dataset, ExportFormat.XLSX)))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in cells
    assert Decimal(str(cells[cells.index("CECs owed") + len(exports.RENEWAL_COLUMNS)])) > 0


def test_an_export_runs_in_the_background_and_lands_as_a_download(
    season_world, december, staff, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:credentials_seasonexport_add"),
            {"kind": ExportKind.PAYMENTS, "year": 2027, "file_format": ExportFormat.XLSX},
        )
    assert response.status_code == 302
    export = SeasonExport.objects.get()
    assert export.status == SeasonExport.Status.DONE and export.rows_done == export.rows_total
    assert export_services.progress(export)["percent"] == 100
    download = staff_client.get(reverse("admin:credentials_seasonexport_file", args=[export.pk]))
    assert download.status_code == 200
    assert "aasc-payments-2027.xlsx" in download["Content-Disposition"]


def test_holders_and_reviewers_reach_no_export_or_dashboard(holder_client, reviewer_client):
    for client in (holder_client, reviewer_client):
        for url in (
            reverse("season_dashboard"),
            reverse("admin:credentials_seasonexport_changelist"),
            reverse("admin:credentials_claim_changelist"),
        ):
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response["Location"]
