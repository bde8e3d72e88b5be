"""Season list filters of payments (issue 18): the invoices and the money of a renewal
year, from the same queries the season dashboard counts (payments.season)."""

from django.contrib import admin

from credentials import selectors
from credentials.admin.season_filters import CurrentYearFilter, season_year
from payments import season


class SeasonInvoicesFilter(CurrentYearFilter):
    """The invoices of a renewal year that count as invoiced (not void)."""

    title = "invoiced in season"
    parameter_name = "season_invoiced"
    choice = "{year} renewals, not void"
    members = staticmethod(season.invoices_of_year)


class SeasonPaymentsFilter(admin.SimpleListFilter):
    """Payments of a renewal year: money received, or money that went back."""

    title = "season money"
    parameter_name = "season_money"

    def lookups(self, request, model_admin):
        year = selectors.current_renewal_year()
        return [
            (f"received-{year}", f"Received for {year}"),
            (f"refunded-{year}", f"Refunded, {year}"),
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        kind, _, year = self.value().partition("-")
        year = season_year(year)
        selector = {"received": season.payments_received, "refunded": season.payments_refunded}
        if year is None or kind not in selector:
            return queryset.none()
        return queryset.filter(pk__in=selector[kind](year).values("pk"))
