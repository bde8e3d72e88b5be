"""Admin for the credential catalog, requirement sets and holders' credentials."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from simple_history.admin import SimpleHistoryAdmin

from credentials import selectors
from credentials.admin import issuing
from credentials.models import Credential, CredentialStatus, CredentialType, RequirementSet
from payments.money import format_cents


class RequirementSetInline(admin.TabularInline):
    model = RequirementSet
    extra = 0
    fields = [
        "first_year",
        "last_year",
        "cecs_owed",
        "in_network_min",
        "participation_cap",
        "annual_fee_cents",
        "reinstatement_fee_cents",
    ]


@admin.register(CredentialType)
class CredentialTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "formerly", "renews_annually"]
    list_filter = ["renews_annually"]
    search_fields = ["code", "name", "formerly"]
    inlines = [RequirementSetInline]


@admin.register(RequirementSet)
class RequirementSetAdmin(SimpleHistoryAdmin):
    list_display = [
        "credential_type",
        "first_year",
        "last_year",
        "cecs_owed",
        "in_network_min",
        "participation_cap",
        "annual_fee",
        "reinstatement_fee",
        "due_date",
        "grace_end",
    ]
    list_filter = ["credential_type"]
    list_select_related = ["credential_type"]
    search_fields = ["credential_type__code", "credential_type__name"]
    fieldsets = (
        (None, {"fields": ("credential_type", "first_year", "last_year")}),
        ("CECs", {"fields": ("cecs_owed", "in_network_min", "participation_cap")}),
        ("Fees (in cents)", {"fields": ("annual_fee_cents", "reinstatement_fee_cents")}),
        (
            "Calendar",
            {
                "fields": (
                    ("due_month", "due_day"),
                    ("grace_end_month", "grace_end_day"),
                    "reminder_days_before_due",
                    "reminder_days_after_due",
                )
            },
        ),
    )

    @admin.display(description="annual fee", ordering="annual_fee_cents")
    def annual_fee(self, obj):
        return format_cents(obj.annual_fee_cents)

    @admin.display(description="reinstatement fee", ordering="reinstatement_fee_cents")
    def reinstatement_fee(self, obj):
        return format_cents(obj.reinstatement_fee_cents)

    @admin.display(description="due")
    def due_date(self, obj):
        return f"{obj.due_month}/{obj.due_day}"

    @admin.display(description="grace ends")
    def grace_end(self, obj):
        return f"{obj.grace_end_month}/{obj.grace_end_day}"


class CredentialStatusFilter(admin.SimpleListFilter):
    """Status today, by the rules (credential_status_on), as date-range filters."""

    title = "status today"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return CredentialStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in CredentialStatus.values:
            return queryset
        return queryset.filter(selectors.credential_status_q(self.value(), selectors.today()))


@admin.register(Credential)
class CredentialAdmin(SimpleHistoryAdmin):
    list_display = [
        "number",
        "holder",
        "credential_type",
        "earned_on",
        "valid_through",
        "status_today",
        "lapsed_on",
    ]
    list_filter = [CredentialStatusFilter, "credential_type", "valid_through"]
    list_select_related = ["holder", "credential_type"]
    search_fields = ["number", "holder__email", "holder__first_name", "holder__last_name"]
    autocomplete_fields = ["holder"]
    date_hierarchy = "valid_through"
    actions = ["issue_current_renewal"]

    def get_queryset(self, request):
        self._book = selectors.RequirementBook()
        return super().get_queryset(request)

    @admin.display(description="status today")
    def status_today(self, obj):
        book = getattr(self, "_book", None) or selectors.RequirementBook()
        return CredentialStatus(book.status_of(obj, selectors.today())).label

    @admin.action(
        description="Issue the current year's renewal to the holders of these credentials",
        permissions=["add_renewal"],
    )
    def issue_current_renewal(self, request, queryset):
        """Confirm first, then a background issue run of these holders (the one way to
        issue, credentials.admin.issuing)."""
        holder_ids = sorted(set(queryset.values_list("holder_id", flat=True)))
        hidden = [("action", "issue_current_renewal")]
        hidden += [(ACTION_CHECKBOX_NAME, pk) for pk in queryset.values_list("pk", flat=True)]
        return issuing.issue_for_holders(self, request, holder_ids, hidden)

    def has_add_renewal_permission(self, request):
        return request.user.has_perm("credentials.add_renewal")
