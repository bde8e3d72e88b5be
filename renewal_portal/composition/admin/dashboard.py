"""The season dashboard: a staff page inside the admin site (issue 18).

For the current renewal year: holders by phase, money invoiced, collected and refunded,
the queues waiting for AASC and NAAEI, failed emails; each number links to the admin
list filtered to exactly those rows (the filters call the same renewal_portal.composition.season
functions as the counts). And renewals completed per week, this season against last,
drawn as server-rendered SVG (no script: the CSP allows only the portal's own).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from credentials import selectors
from credentials.models import ExportKind, Renewal
from credentials.permissions import VIEW_SEASON_DASHBOARD
from renewal_portal.composition import season
from renewal_portal.infra.money import format_cents

CHART_HEIGHT = 160


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    count: int
    url: str


def _url(name, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def phase_tiles(year: int, on=None) -> list[Tile]:
    renewals = Renewal.objects.filter(year=year)
    tiles = []
    for key, label in season.PHASES:
        if key == season.NOT_ISSUED:
            count = season.holders_not_issued(year).count()
            url = _url("admin:credentials_user_changelist", not_issued=year)
        else:
            count = season.renewals_in_phase(renewals, key, on).count()
            url = _url("admin:credentials_renewal_changelist", year__exact=year, season_phase=key)
        tiles.append(Tile(key, label, str(count), count, url))
    return tiles


def money_tiles(year: int) -> list[Tile]:
    totals = season.money(year)
    return [
        Tile(
            "invoiced",
            "Invoiced",
            format_cents(totals.invoiced_cents),
            season.invoices_of_year(year).count(),
            _url("admin:payments_invoice_changelist", season_invoiced=year),
        ),
        Tile(
            "collected",
            "Collected",
            format_cents(totals.collected_cents),
            season.payments_received(year).count(),
            _url("admin:payments_payment_changelist", season_money=f"received-{year}"),
        ),
        Tile(
            "refunded",
            "Refunded",
            format_cents(totals.refunded_cents),
            season.payments_refunded(year).count(),
            _url("admin:payments_payment_changelist", season_money=f"refunded-{year}"),
        ),
    ]


def queue_tiles(year: int) -> list[Tile]:
    forms = season.forms_waiting_for_aasc().count()
    submissions = season.submissions_waiting_for_naaei(year).count()
    failed = season.emails_failed().count()
    claims = season.claims_waiting().count()
    return [
        Tile(
            "claims",
            "Claims waiting for the office",
            str(claims),
            claims,
            _url("admin:credentials_claim_changelist", queue="waiting"),
        ),
        Tile(
            "forms",
            "Reporting Forms waiting for AASC",
            str(forms),
            forms,
            _url("admin:cec_reportingform_changelist", queue="sent"),
        ),
        Tile(
            "submissions",
            "Submissions waiting for NAAEI",
            str(submissions),
            submissions,
            _url(
                "admin:cec_submission_changelist",
                state__exact="submitted",
                renewal__year__exact=year,
            ),
        ),
        Tile(
            "emails_failed",
            "Emails failed",
            str(failed),
            failed,
            _url("admin:credentials_outboxmessage_changelist", status__exact="failed"),
        ),
    ]


def chart(year: int, on=None) -> dict:
    """Bars of completions per week (this season and last), scaled to the chart's height."""
    weeks = season.completions_per_week(year, on)
    top = max([1, *[w.this_season for w in weeks], *[w.last_season for w in weeks]])
    # Early in the season there are few weeks: wider slots keep the chart readable.
    slot = max(24, min(72, 560 // len(weeks)))
    bar = slot * 2 // 5
    bars = []
    for index, week in enumerate(weeks):
        x = 40 + index * slot
        for offset, count, kind in (
            (0, week.last_season, "last"),
            (bar + 1, week.this_season, "this"),
        ):
            height = round(count * CHART_HEIGHT / top)
            bars.append(
                {
                    "x": x + offset,
                    "y": 10 + CHART_HEIGHT - height,
                    "width": bar,
                    "height": height,
                    "kind": kind,
                    "count": count,
                    "week": week.week,
                }
            )
    every = max(1, 96 // slot)
    return {
        "weeks": weeks,
        "bars": bars,
        "top": top,
        "width": 40 + len(weeks) * slot + 10,
        "height": CHART_HEIGHT + 40,
        "baseline": 10 + CHART_HEIGHT,
        "label_y": CHART_HEIGHT + 28,
        "labels": [
            {"x": 40 + i * slot + bar, "text": f"{w.starts_on:%b %-d}"}
            for i, w in enumerate(weeks)
            if i % every == 0
        ],
        "this_total": sum(w.this_season for w in weeks),
        "last_total": sum(w.last_season for w in weeks),
    }


def season_dashboard(request):
    if not request.user.has_perm(VIEW_SEASON_DASHBOARD):
        raise PermissionDenied("The season dashboard is for AASC staff.")
    year = selectors.current_renewal_year()
    on = selectors.today()
    context = {
        **admin.site.each_context(request),
        "title": f"The {year} season",
        "year": year,
        "today": on,
        "phases": phase_tiles(year, on),
        "money": money_tiles(year),
        "queues": queue_tiles(year),
        "chart": chart(year, on),
        "exports": [
            (kind.label, _url("admin:credentials_seasonexport_add", kind=kind.value, year=year))
            for kind in ExportKind
        ],
    }
    return TemplateResponse(request, "admin/season_dashboard.html", context)
