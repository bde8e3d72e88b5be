"""Admin for payments and Stripe webhook events.

Payments are read-only here: they change only through the payment services, which staff
reach through two doors: "Record offline payment" (a cheque; permission
payments.record_offline_payment) and the "Refund through Stripe" action (permission
payments.refund_payment).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from credentials.permissions import RECORD_OFFLINE_PAYMENT, REFUND_PAYMENT
from payments.admin.season_filters import SeasonPaymentsFilter
from payments.models import Invoice, Payment, PaymentMethod, PaymentStatus, WebhookEvent
from payments.providers import ProviderError
from payments.services import payments as payment_services
from payments.services import reversals
from renewal_portal.infra.admin_display import short_datetime
from renewal_portal.infra.admin_history import HistoryAdmin
from renewal_portal.infra.money import format_cents


class OfflinePaymentForm(forms.Form):
    invoice = forms.CharField(label="Invoice number", max_length=20)
    amount = forms.DecimalField(
        label="Amount (USD)",
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="The cheque's amount; it must equal the invoice total.",
    )
    cheque_number = forms.CharField(max_length=40)
    received_on = forms.DateField(label="Date received", widget=AdminDateWidget)

    def clean_invoice(self):
        number = self.cleaned_data["invoice"].strip()
        invoice = Invoice.objects.filter(number=number).select_related("renewal__holder").first()
        if invoice is None:
            raise forms.ValidationError(f"There is no invoice {number}.")
        return invoice

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future.")
        return received_on

    @property
    def amount_cents(self) -> int:
        return int(self.cleaned_data["amount"] * 100)  # exact: two decimal places at most


class ChequeRefundForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=80,
        help_text="Why the office gave the money back; it goes into the payment's history.",
        error_messages={"required": "Give the reason for the refund."},
        widget=forms.TextInput(attrs={"size": 60}),
    )


class MoneyReturnedFilter(admin.SimpleListFilter):
    """Payments whose money went back, or partly back: what staff must look at."""

    title = "money returned"
    parameter_name = "returned"

    def lookups(self, request, model_admin):
        return [
            ("any", "Any (refunded, disputed, charged back, partly refunded)"),
            ("partial", "Partly refunded: staff to decide"),
            ("disputed", "Dispute open"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "any":
            return queryset.filter(
                Q(status__in=RETURNED) | Q(amount_refunded_cents__gt=0)
            ).distinct()
        if self.value() == "partial":
            return queryset.filter(status=PaymentStatus.SUCCEEDED, amount_refunded_cents__gt=0)
        if self.value() == "disputed":
            return queryset.filter(status=PaymentStatus.DISPUTED)
        return queryset


RETURNED = (PaymentStatus.REFUNDED, PaymentStatus.DISPUTED, PaymentStatus.CHARGED_BACK)


@admin.register(Payment)
class PaymentAdmin(HistoryAdmin):
    list_display = [
        "invoice",
        "holder",
        "method",
        "status",
        "amount",
        "created",
        "reference",
    ]
    list_filter = [
        "status",
        MoneyReturnedFilter,
        "method",
        "currency",
        "created_at",
        "invoice__renewal__year",
        SeasonPaymentsFilter,
    ]
    search_fields = [
        "invoice__number",
        "invoice__renewal__holder__email",
        "stripe_payment_intent",
        "stripe_customer",
        "stripe_dispute",
        "cheque_number",
    ]
    list_select_related = ["invoice__renewal__holder"]
    date_hierarchy = "created_at"
    actions = ["refund_through_stripe"]
    fields = readonly_fields = [
        "invoice_link",
        "method",
        "status",
        "amount",
        "currency",
        "stripe_payment_intent",
        "stripe_customer",
        "failure_message",
        "flag_reason",
        "refunded",
        "stripe_dispute",
        "cheque_number",
        "received_on",
        "recorded_by",
        "created_at",
        "updated_at",
        "refunded_at",
        "receipt",
    ]

    def has_add_permission(self, request):
        return False  # cheques are recorded with the form below, cards by the holder

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_refund_permission(self, request):
        return request.user.has_perm(REFUND_PAYMENT)

    def has_record_offline_permission(self, request):
        return request.user.has_perm(RECORD_OFFLINE_PAYMENT)

    @admin.display(description="holder", ordering="invoice__renewal__holder__email")
    def holder(self, obj):
        return obj.invoice.renewal.holder

    @admin.display(description="created", ordering="created_at")
    def created(self, obj):
        return short_datetime(obj.created_at)

    @admin.display(description="reference")
    def reference(self, obj):
        """The cheque number, or Stripe's PaymentIntent id."""
        if obj.cheque_number:
            return f"cheque {obj.cheque_number}"
        return obj.stripe_payment_intent or "–"

    @admin.display(description="amount", ordering="amount_cents")
    def amount(self, obj):
        return format_cents(obj.amount_cents, obj.currency)

    @admin.display(description="refunded", ordering="amount_refunded_cents")
    def refunded(self, obj):
        return format_cents(obj.amount_refunded_cents, obj.currency)

    @admin.display(description="invoice")
    def invoice_link(self, obj):
        url = reverse("admin:payments_invoice_change", args=[obj.invoice_id])
        return format_html('<a href="{}">{}</a>', url, obj.invoice.number)

    @admin.display(description="receipt")
    def receipt(self, obj):
        if obj.status not in ("succeeded", "refunded"):
            return "—"
        url = reverse("payments:receipt_pdf", args=[obj.invoice.number, obj.pk])
        return format_html('<a href="{}">Receipt PDF</a>', url)

    @admin.action(description="Refund through Stripe", permissions=["refund"])
    def refund_through_stripe(self, request, queryset):
        for payment in queryset.select_related("invoice"):
            try:
                payment = reversals.refund_payment(payment, by=request.user)
            except payment_services.PaymentError as exc:
                self.message_user(request, f"{payment}: {exc.message}", messages.ERROR)
            except ProviderError as exc:
                self.message_user(
                    request, f"{payment}: Stripe refused the refund ({exc}).", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    f"Refunded {format_cents(payment.amount_cents, payment.currency)} for "
                    f"invoice {payment.invoice.number}; step 2 of the renewal is open again "
                    "(a completed renewal is undone and its credentials are back to their "
                    "previous dates). The holder and the office are told by email.",
                    messages.SUCCESS,
                )

    def get_urls(self):
        return [
            path(
                "record-offline/",
                self.admin_site.admin_view(self.record_offline_view),
                name="payments_payment_record_offline",
            ),
            path(
                "<int:pk>/cheque-refund/",
                self.admin_site.admin_view(self.cheque_refund_view),
                name="payments_payment_cheque_refund",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        payment = self.get_object(request, object_id)
        refundable = (
            payment is not None
            and payment.method == PaymentMethod.CHEQUE
            and payment.status == PaymentStatus.SUCCEEDED
            and self.has_refund_permission(request)
        )
        extra_context = {
            **(extra_context or {}),
            "cheque_refund_url": reverse("admin:payments_payment_cheque_refund", args=[payment.pk])
            if refundable
            else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def cheque_refund_view(self, request, pk):
        """Record that the office gave a cheque back: the invoice reopens like a card refund."""
        if not self.has_refund_permission(request):
            raise PermissionDenied
        payment = get_object_or_404(
            Payment.objects.select_related("invoice"), pk=pk, method=PaymentMethod.CHEQUE
        )
        form = ChequeRefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reversals.record_cheque_refund(
                    payment, by=request.user, reason=form.cleaned_data["reason"]
                )
            except payment_services.PaymentError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    f"Refund of cheque {payment.cheque_number} recorded: invoice "
                    f"{payment.invoice.number} is open again; the holder and the office are "
                    "told by email.",
                    messages.SUCCESS,
                )
                return redirect("admin:payments_payment_change", payment.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Record a cheque refund",
            "form": form,
            "payment": payment,
            "amount": format_cents(payment.amount_cents, payment.currency),
        }
        return TemplateResponse(request, "admin/payments/payment/cheque_refund.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_record_offline": self.has_record_offline_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def record_offline_view(self, request):
        """Record a cheque for an invoice: step 2 completes the same way a card does."""
        if not self.has_record_offline_permission(request):
            raise PermissionDenied
        initial = {
            "invoice": request.GET.get("invoice", "")[:20],
            "received_on": timezone.localdate(),
        }
        form = OfflinePaymentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                payment = payment_services.record_offline_payment(
                    form.cleaned_data["invoice"],
                    form.amount_cents,
                    form.cleaned_data["cheque_number"],
                    form.cleaned_data["received_on"],
                    by=request.user,
                )
            except payment_services.PaymentError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                self.message_user(
                    request,
                    f"Cheque {payment.cheque_number} recorded: invoice "
                    f"{payment.invoice.number} is paid.",
                    messages.SUCCESS,
                )
                return redirect("admin:payments_payment_change", payment.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Record an offline payment (cheque)",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/payments/payment/record_offline.html", context)


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "outcome"]
    list_filter = ["type", "received_at", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "outcome"]
    date_hierarchy = "received_at"
    fields = readonly_fields = [
        "event_id",
        "type",
        "received_at",
        "processed_at",
        "outcome",
        "payload",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
