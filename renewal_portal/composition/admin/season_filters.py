"""The renewal list's season-phase filter (issue 18): the same function of
renewal_portal.composition.season that counts the dashboard's number, so a number and
the list behind it always agree. The core's and payments' season filters live in their
own admin packages."""

from django.contrib import admin

from renewal_portal.composition import season


class SeasonPhaseFilter(admin.SimpleListFilter):
    """Renewals in one phase of the season today (renewal_portal.composition.season), or behind."""

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
