"""Admin for invoices: lines and totals are fixed when issued, so everything is read-only
here; payments (card or cheque) change an invoice through the payment services."""

from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from credentials.permissions import RECORD_OFFLINE_PAYMENT
from payments.admin.season_filters import SeasonInvoicesFilter
from payments.models import Invoice, InvoiceLine, InvoiceStatus, PaymentStatus
from renewal_portal.infra.admin_history import HistoryAdmin
from renewal_portal.infra.money import format_cents


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ["position", "kind", "description", "cecs_owed", "amount"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="amount")
    def amount(self, obj):
        return format_cents(obj.amount_cents, obj.invoice.currency)


class MoneyReturnedFilter(admin.SimpleListFilter):
    """Invoices whose payment went back: refunded, disputed, or charged back and open
    again, and paid invoices with a partial refund for staff to decide on."""

    title = "money returned"
    parameter_name = "returned"

    def lookups(self, request, model_admin):
        return [
            ("any", "Any (refunded, disputed, charged back, partly refunded)"),
            ("partial", "Partly refunded: staff to decide"),
            ("disputed", "Dispute open"),
        ]

    def queryset(self, request, queryset):
        returned = (PaymentStatus.REFUNDED, PaymentStatus.DISPUTED, PaymentStatus.CHARGED_BACK)
        if self.value() == "any":
            return queryset.filter(
                Q(payments__status__in=returned) | Q(payments__amount_refunded_cents__gt=0)
            ).distinct()
        if self.value() == "partial":
            return queryset.filter(
                payments__status=PaymentStatus.SUCCEEDED, payments__amount_refunded_cents__gt=0
            ).distinct()
        if self.value() == "disputed":
            return queryset.filter(status=InvoiceStatus.DISPUTED)
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(HistoryAdmin):
    list_display = [
        "number",
        "holder",
        "renewal_year",
        "total",
        "status",
        "issued_on",
        "paid_at",
    ]
    list_filter = [
        "status",
        MoneyReturnedFilter,
        "renewal__year",
        SeasonInvoicesFilter,
        "issued_on",
    ]
    search_fields = [
        "number",
        "renewal__holder__email",
        "renewal__holder__first_name",
        "renewal__holder__last_name",
    ]
    list_select_related = ["renewal__holder"]
    inlines = [InvoiceLineInline]
    fields = readonly_fields = [
        "number",
        "renewal_link",
        "issued_on",
        "currency",
        "total",
        "status",
        "paid_at",
        "cecs_owed",
        "pdf",
    ]
    date_hierarchy = "issued_on"

    def has_add_permission(self, request):
        return False  # invoices are issued with their renewal

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The clerk holding a cheque records it from the invoice they are looking at.
        invoice = self.get_object(request, object_id)
        record_offline_url = ""
        if (
            invoice is not None
            and invoice.status == InvoiceStatus.OPEN
            and request.user.has_perm(RECORD_OFFLINE_PAYMENT)
        ):
            query = urlencode({"invoice": invoice.number})
            record_offline_url = f"{reverse('admin:payments_payment_record_offline')}?{query}"
        extra_context = {**(extra_context or {}), "record_offline_url": record_offline_url}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False  # numbers are never reused, so invoices are never deleted

    @admin.display(description="holder", ordering="renewal__holder__email")
    def holder(self, obj):
        return obj.renewal.holder

    @admin.display(description="renewal year", ordering="renewal__year")
    def renewal_year(self, obj):
        return obj.renewal.year

    @admin.display(description="total", ordering="total_cents")
    def total(self, obj):
        return format_cents(obj.total_cents, obj.currency)

    @admin.display(description="CECs owed")
    def cecs_owed(self, obj):
        return obj.renewal.cecs_owed

    @admin.display(description="renewal")
    def renewal_link(self, obj):
        url = reverse("admin:credentials_renewal_change", args=[obj.renewal_id])
        return format_html('<a href="{}">{}</a>', url, obj.renewal)

    @admin.display(description="PDF")
    def pdf(self, obj):
        url = reverse("payments:invoice_pdf", args=[obj.number])
        return format_html('<a href="{}">Download the invoice PDF</a>', url)
