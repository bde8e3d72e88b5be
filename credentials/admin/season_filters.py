"""Season list filters of the core (issue 18), and the one-choice "current year" filter
that payments' season filters build on. Each filters with the same function the season
dashboard counts with, so a number and the list behind it always agree."""

from django.contrib import admin

from credentials import season, selectors


def season_year(value):
    """A year from a filter's query string, or None for anything else."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


class CurrentYearFilter(admin.SimpleListFilter):
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
        year = season_year(self.value())
        if year is None:
            return queryset.none()
        return queryset.filter(pk__in=self.members(year).values("pk"))


class RenewalNotIssuedFilter(CurrentYearFilter):
    """Holders due for a year's renewal that has not been issued to them."""

    title = "renewal not issued"
    parameter_name = "not_issued"
    choice = "Due for {year}, not issued"
    members = staticmethod(season.holders_not_issued)
