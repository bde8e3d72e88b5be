"""Admin for the credential catalog, requirement sets and holders' credentials."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from credentials import roles, rules, selectors
from credentials.admin import issuing
from credentials.models import Credential, CredentialStatus, CredentialType, RequirementSet
from credentials.permissions import ADD_RENEWAL
from credentials.services import validity
from renewal_portal.infra.admin_history import HistoryAdmin
from renewal_portal.infra.history import history_of
from renewal_portal.infra.money import format_cents
from renewal_portal.infra.money_fields import DollarsAdminMixin


def requirement_sets_in_use(objs) -> list[str]:
    """Why each set in `objs` cannot be deleted: renewals were judged by it."""
    reasons = []
    for requirement_set in objs:
        count = selectors.renewals_governed_by(requirement_set).count()
        if count:
            reasons.append(
                f"{requirement_set}: in use by {count} renewal{'s' if count != 1 else ''}. "
                "Set its last year instead, and add a new set for the years after."
            )
    return reasons


class RequirementSetInline(DollarsAdminMixin, admin.TabularInline):
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
class CredentialTypeAdmin(HistoryAdmin):
    list_display = ["code", "name", "formerly", "renews_annually"]
    list_filter = ["renews_annually"]
    search_fields = ["code", "name", "formerly"]
    inlines = [RequirementSetInline]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for credential_type in objs:
            protected = [
                *protected,
                *requirement_sets_in_use(credential_type.requirement_sets.all()),
            ]
        return deleted, counts, perms_needed, protected


@admin.register(RequirementSet)
class RequirementSetAdmin(DollarsAdminMixin, HistoryAdmin):
    list_display = [
        "__str__",
        "cecs",
        "in_network",
        "participation",
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
        ("Fees", {"fields": ("annual_fee_cents", "reinstatement_fee_cents")}),
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

    def get_deleted_objects(self, objs, request):
        # A set in use is "protected": the delete page (one set or the bulk action) lists
        # why and offers no button to confirm.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *requirement_sets_in_use(objs)]

    @admin.display(description="CECs", ordering="cecs_owed")
    def cecs(self, obj):
        return floatformat(obj.cecs_owed, -2)

    @admin.display(description="in-network", ordering="in_network_min")
    def in_network(self, obj):
        return floatformat(obj.in_network_min, -2)

    @admin.display(description="particip. cap", ordering="participation_cap")
    def participation(self, obj):
        return "–" if obj.participation_cap is None else floatformat(obj.participation_cap, -2)

    @admin.display(description="annual fee", ordering="annual_fee_cents")
    def annual_fee(self, obj):
        return format_cents(obj.annual_fee_cents)

    @admin.display(description="reinstating", ordering="reinstatement_fee_cents")
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


class CredentialAddForm(forms.ModelForm):
    added_by = None  # the signed-in clerk (set by CredentialAdmin.get_form)

    class Meta:
        model = Credential
        fields = ["holder", "credential_type", "number", "earned_on", "valid_through"]

    def clean_holder(self):
        holder = self.cleaned_data["holder"]
        if roles.credits_own_ledger(self.added_by, holder):
            raise ValidationError(
                "Nobody adds a credential to their own account: ask another AASC staff member."
            )
        return holder

    def clean(self):
        cleaned = super().clean()
        earned_on = cleaned.get("earned_on")
        if earned_on is not None:
            refusal = rules.credential_dates_refusal(
                earned_on, cleaned.get("valid_through"), selectors.today()
            )
            if refusal:
                raise ValidationError(refusal)
        return cleaned


class ValidityDatesForm(forms.Form):
    earned_on = forms.DateField(label="Earned on")
    valid_through = forms.DateField(
        label="Valid through", required=False, help_text="Blank for lifetime credentials."
    )
    reason = forms.CharField(
        label="Reason (kept in the credential's history)",
        max_length=validity.REASON_MAX_LENGTH,
        error_messages={"required": "Say why the dates change (it goes into the history)."},
        widget=forms.TextInput(attrs={"size": 60}),
    )


@admin.register(Credential)
class CredentialAdmin(HistoryAdmin):
    list_display = [
        "number",
        "holder",
        "type_code",
        "valid_through",
        "status_today",
        "lapsed_on",
    ]
    list_filter = [CredentialStatusFilter, "credential_type", "valid_through"]
    list_select_related = ["holder", "credential_type"]
    search_fields = ["number", "holder__email", "holder__first_name", "holder__last_name"]
    autocomplete_fields = ["holder"]
    date_hierarchy = "valid_through"
    actions = ["issue_current_renewal", "change_validity_dates"]
    add_form = CredentialAddForm
    # The dates change through "Change validity dates" (a reason, a history record);
    # a credential stays with its holder.
    DATE_FIELDS = ["earned_on", "valid_through", "lapsed_on", "lapse_reason"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return CredentialAddForm.Meta.fields
        return ["holder", "credential_type", "number", *self.DATE_FIELDS, "validity_dates"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["holder", *self.DATE_FIELDS, "validity_dates"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"added_by": request.user})

    @admin.display(description="change the dates")
    def validity_dates(self, credential):
        url = reverse("admin:credentials_credential_validity", args=[credential.pk])
        return format_html(
            '<a class="button" href="{}">Change validity dates</a> (with a reason, kept in '
            "the history)",
            url,
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.validity_view)
        return [
            path("<int:pk>/validity/", view, name="credentials_credential_validity"),
            *super().get_urls(),
        ]

    def validity_view(self, request, pk):
        credential = get_object_or_404(
            Credential.objects.select_related("holder", "credential_type"), pk=pk
        )
        if not self.has_change_permission(request, credential):
            raise PermissionDenied
        change_url = reverse("admin:credentials_credential_change", args=[credential.pk])
        initial = {"earned_on": credential.earned_on, "valid_through": credential.valid_through}
        dates = ValidityDatesForm(request.POST or None, initial=initial)
        if request.method == "POST" and dates.is_valid():
            try:
                validity.change_validity_dates(credential, by=request.user, **dates.cleaned_data)
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect(change_url)
            except ValidationError as exc:
                dates.add_error(None, exc)
            else:
                self.message_user(
                    request, f"The dates of {credential} were changed.", messages.SUCCESS
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": credential,
            "title": f"Change validity dates: {credential}",
            "dates": dates,
            "change_url": change_url,
            "history": history_of(credential, newest_first=True)[:10],
        }
        return TemplateResponse(request, "admin/credentials/credential/validity.html", context)

    @admin.action(description="Change validity dates (one credential)", permissions=["change"])
    def change_validity_dates(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, "Select one credential to change its dates.", messages.WARNING
            )
            return None
        return redirect(reverse("admin:credentials_credential_validity", args=[queryset.get().pk]))

    def get_queryset(self, request):
        self._book = selectors.RequirementBook()
        return super().get_queryset(request)

    @admin.display(description="type", ordering="credential_type__code")
    def type_code(self, obj):
        return obj.credential_type.code

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
        return request.user.has_perm(ADD_RENEWAL)
