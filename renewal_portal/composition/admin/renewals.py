"""Admin for renewals: who is behind, their invoices, and issuing a year's renewals."""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from cec.models import Submission, SubmissionState
from credentials import rules, selectors
from credentials.admin import issuing
from credentials.models import Renewal, RenewalCredential
from credentials.permissions import ADD_PACKET_BUILD
from payments.models import Invoice, InvoiceStatus
from renewal_portal.composition.admin.season_filters import SeasonPhaseFilter
from renewal_portal.composition.packets import services as packet_services
from renewal_portal.composition.renewal_steps import invoice_of, renewal_steps
from renewal_portal.infra.admin_display import short_date
from renewal_portal.infra.admin_history import HistoryAdmin
from renewal_portal.infra.money import format_cents


def _approved_submission():
    return Exists(Submission.objects.filter(renewal=OuterRef("pk"), state=SubmissionState.APPROVED))


class PhaseFilter(admin.SimpleListFilter):
    """Where a renewal stands today (rules.renewal_phase_on, by selectors.renewal_phase_q)."""

    title = "phase today"
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        return [
            (rules.RENEWAL_DUE, "Due (before the due date)"),
            (rules.IN_GRACE, "In grace"),
            (rules.LAPSED, "Grace ended, not completed"),
            ("completed", "Completed"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "completed":
            return queryset.filter(completed_at__isnull=False)
        if value in (rules.RENEWAL_DUE, rules.IN_GRACE, rules.LAPSED):
            return queryset.filter(selectors.renewal_phase_q(value, selectors.today(), queryset))
        return queryset


class CecsFilter(admin.SimpleListFilter):
    title = "CECs"
    parameter_name = "cecs"

    def lookups(self, request, model_admin):
        return [("missing", "Not approved yet"), ("approved", "Approved")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(~_approved_submission())
        if self.value() == "approved":
            return queryset.filter(_approved_submission())
        return queryset


class FollowUpFilter(admin.SimpleListFilter):
    title = "follow up"
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [
            ("grace_cecs_missing", "In grace with CECs missing"),
            ("grace_unpaid", "In grace, unpaid"),
            ("contact_unconfirmed", "Contact details not confirmed"),
        ]

    def queryset(self, request, queryset):
        in_grace = selectors.renewal_phase_q(rules.IN_GRACE, selectors.today(), queryset)
        if self.value() == "grace_cecs_missing":
            return queryset.filter(in_grace).filter(~_approved_submission())
        if self.value() == "grace_unpaid":
            return queryset.filter(in_grace).exclude(invoice__status=InvoiceStatus.PAID)
        if self.value() == "contact_unconfirmed":
            return queryset.filter(completed_at__isnull=True, contact_confirmed_at__isnull=True)
        return queryset


class PaidFilter(admin.SimpleListFilter):
    title = "invoice"
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return [("paid", "Paid"), ("unpaid", "Not paid")]

    def queryset(self, request, queryset):
        if self.value() == "paid":
            return queryset.filter(invoice__status=InvoiceStatus.PAID)
        if self.value() == "unpaid":
            return queryset.exclude(invoice__status=InvoiceStatus.PAID)
        return queryset


class RenewalCredentialInline(admin.TabularInline):
    model = RenewalCredential
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "credential",
        "cecs_owed",
        "in_network_min",
        "participation_cap",
        "fee",
        "reinstatement_fee",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="fee")
    def fee(self, obj):
        return format_cents(obj.fee_cents)

    @admin.display(description="reinstatement fee")
    def reinstatement_fee(self, obj):
        return format_cents(obj.reinstatement_fee_cents) if obj.reinstatement_fee_cents else "–"


class InvoiceInline(admin.StackedInline):
    model = Invoice
    extra = 0
    can_delete = False
    fields = readonly_fields = ["invoice_link", "issued_on", "total", "status", "paid_at", "pdf"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="invoice")
    def invoice_link(self, obj):
        url = reverse("admin:payments_invoice_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.number)

    @admin.display(description="total")
    def total(self, obj):
        return format_cents(obj.total_cents, obj.currency)

    @admin.display(description="PDF")
    def pdf(self, obj):
        url = reverse("payments:invoice_pdf", args=[obj.number])
        return format_html('<a href="{}">Download</a>', url)


@admin.register(Renewal)
class RenewalAdmin(HistoryAdmin):
    list_display = [
        "holder",
        "year",
        "credential_codes",
        "cecs",
        "invoice_number",
        "invoice_status",
        "steps_done",
        "phase",
        "completed",
    ]
    list_filter = [
        SeasonPhaseFilter,
        FollowUpFilter,
        PhaseFilter,
        CecsFilter,
        PaidFilter,
        "year",
        "reinstatement",
    ]
    search_fields = [
        "holder__email",
        "holder__first_name",
        "holder__last_name",
        "invoice__number",
        "items__credential__number",
    ]
    list_select_related = ["holder", "invoice", "governing_type"]
    inlines = [RenewalCredentialInline, InvoiceInline]
    readonly_fields = [
        "holder",
        "year",
        "cecs_owed",
        "in_network_min",
        "participation_cap",
        "governing_type",
        "due_on",
        "grace_ends_on",
        "reinstatement",
        "issued_at",
        "contact_confirmed_at",
        "cec_status_seen_at",
        "completed_at",
        "steps",
        "audit_packet",
    ]
    fields = readonly_fields
    actions = ["build_audit_packets"]
    change_list_template = "admin/credentials/renewal/change_list.html"

    def get_queryset(self, request):
        # The steps column reads each renewal's submissions: one query for the page's rows.
        return (
            super()
            .get_queryset(request)
            .prefetch_related("items__credential__credential_type", "submissions")
        )

    def has_add_permission(self, request):
        return False  # renewals are issued (below), never typed in

    @admin.display(description="credentials")
    def credential_codes(self, obj):
        return " + ".join(item.credential.credential_type.code for item in obj.items.all())

    @admin.display(description="invoice", ordering="invoice__number")
    def invoice_number(self, obj):
        invoice = invoice_of(obj)
        return invoice.number if invoice else "–"

    @admin.display(description="paid?")
    def invoice_status(self, obj):
        invoice = invoice_of(obj)
        return invoice.get_status_display() if invoice else "–"

    @admin.display(description="CECs", ordering="cecs_owed")
    def cecs(self, obj):
        return floatformat(obj.cecs_owed, -2)

    @admin.display(description="completed", ordering="completed_at")
    def completed(self, obj):
        # The day is what staff look for in the list; the time is on the renewal's page.
        return short_date(timezone.localtime(obj.completed_at).date() if obj.completed_at else None)

    @admin.display(description="steps")
    def steps_done(self, obj):
        return f"{renewal_steps(obj).done_count} of 4"

    @admin.display(description="phase")
    def phase(self, obj):
        return selectors.renewal_phase(obj).replace("_", " ")

    @admin.display(description="steps")
    def steps(self, obj):
        return format_html(
            "<br>".join(["{}"] * 4),
            *[
                f"{step.number}. {step.title}: {'done' if step.done else 'to do'}"
                f"{' – ' + step.detail if step.detail else ''}"
                for step in renewal_steps(obj)
            ],
        )

    @admin.display(description="audit packet")
    def audit_packet(self, obj):
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">ZIP with evidence files</a>',
            reverse("credentials:packet_pdf", args=[obj.pk]),
            reverse("credentials:packet_zip", args=[obj.pk]),
        )

    @admin.action(
        description="Build audit packets of the selected renewals (in the background)",
        permissions=["build_packets"],
    )
    def build_audit_packets(self, request, queryset):
        """Filter a year (and select all) to build every packet of that year: one archive,
        built by Celery, with progress on the build's page."""
        build = packet_services.start_packet_build(queryset, by=request.user)
        self.message_user(
            request,
            f"Building {build.renewals_total} audit packet(s) in the background.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:credentials_packetbuild_change", args=[build.pk]))

    def has_build_packets_permission(self, request):
        return request.user.has_perm(ADD_PACKET_BUILD)

    def get_urls(self):
        return [
            path(
                "issue/",
                self.admin_site.admin_view(self.issue_view),
                name="credentials_renewal_issue",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_issue": issuing.can_issue(request)}
        return super().changelist_view(request, extra_context)

    def issue_view(self, request):
        """Issue renewals for a year: confirm, then a background issue run (the same
        run `manage.py issue_renewals` and the season's schedule start)."""
        return issuing.issue_year_view(self, request)
