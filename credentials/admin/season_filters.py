"""List filters the season dashboard links to (issue 18). Each filters with the same
function of credentials.season that counts the dashboard's number, so a number and the
list behind it always agree."""

from django.contrib import admin

from credentials import season, selectors


def _year(value):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


class SeasonPhaseFilter(admin.SimpleListFilter):
    """Renewals in one phase of the season today (credentials.season), or behind."""

    title = "season phase"
    parameter_name = "season_phase"

    def lookups(self, request, model_admin):
        return [
            *[(key, label) for key, label in season.PHASES if key in season.RENEWAL_PHASES],
            ("behind", "Behind: in grace or CECs short"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "behind":
            return queryset.filter(
                pk__in=[
                    pk
                    for year in queryset.values_list("year", flat=True).distinct()
                    for pk in season.behind(year).values_list("pk", flat=True)
                ]
            )
        if value not in season.RENEWAL_PHASES:
            return queryset.none()
        return season.renewals_in_phase(queryset, value)


class _CurrentYearFilter(admin.SimpleListFilter):
    """A filter with one choice, the current renewal year, keeping the rows whose pk is in
    `members(year)`: the same query the season dashboard counts."""

    choice = ""  # the choice's label, with {year}
    members = None  # year -> a queryset of the rows to keep (set by each filter)

    def lookups(self, request, model_admin):
        year = selectors.current_renewal_year()
        return [(str(year), self.choice.format(year=year))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year = _year(self.value())
        if year is None:
            return queryset.none()
        return queryset.filter(pk__in=self.members(year).values("pk"))


class RenewalNotIssuedFilter(_CurrentYearFilter):
    """Holders due for a year's renewal that has not been issued to them."""

    title = "renewal not issued"
    parameter_name = "not_issued"
    choice = "Due for {year}, not issued"
    members = staticmethod(season.holders_not_issued)


class SeasonInvoicesFilter(_CurrentYearFilter):
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
        year = _year(year)
        selector = {"received": season.payments_received, "refunded": season.payments_refunded}
        if year is None or kind not in selector:
            return queryset.none()
        return queryset.filter(pk__in=selector[kind](year).values("pk"))
