"""AASC staff's queue of CEC Reporting Forms: read the form and its evidence, then
"Verify and sign" or "Return to holder" (both call cec.services.forms)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from cec.forms_reporting import ReturnForm, VerifyForm
from cec.models import Evidence, FormState, ReportingForm
from cec.selectors.forms import form_audit_trail
from cec.services import forms as services
from credentials.permissions import VERIFY_REPORTING_FORM
from renewal_portal.infra.admin_display import short_date, short_datetime
from renewal_portal.infra.admin_history import HistoryAdmin


class QueueFilter(admin.SimpleListFilter):
    """Opens on the forms waiting for the office; other states are a click away."""

    title = "state"
    parameter_name = "queue"
    DEFAULT = FormState.SENT

    def lookups(self, request, model_admin):
        return [
            (FormState.SENT, "Waiting for AASC"),
            (FormState.RETURNED, "Returned to holder"),
            (FormState.VERIFIED, "Verified and signed"),
            (FormState.DRAFT, "Draft (not sent)"),
            ("all", "All"),
        ]

    def choices(self, changelist):
        current = self.value() or self.DEFAULT
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.DEFAULT
        if value == "all":
            return queryset
        if value not in FormState.values:
            return queryset.none()
        return queryset.filter(state=value)


def evidence_preview(evidence, height=320):
    url = reverse("cec_forms:evidence", args=[evidence.pk])
    if evidence.content_type.startswith("image/"):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" '
            'style="max-height:{}px;max-width:100%;border:1px solid #ccc"></a>',
            url,
            url,
            evidence.original_name,
            height,
        )
    return format_html(
        '<iframe src="{}" title="{}" style="width:100%;max-width:640px;height:{}px;'
        'border:1px solid #ccc"></iframe><br><a href="{}" target="_blank" rel="noopener">'
        "Open {}</a>",
        url,
        evidence.original_name,
        height,
        url,
        evidence.original_name,
    )


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["preview", "original_name", "content_type", "size_bytes", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = "evidence (served through the checked view)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="evidence")
    def preview(self, evidence):
        return evidence_preview(evidence)


@admin.register(ReportingForm)
class ReportingFormAdmin(HistoryAdmin):
    change_form_template = "admin/cec/reportingform/change_form.html"
    list_display = [
        "title",
        "holder",
        "activity_type",
        "started",
        "hours_claimed",
        "state",
        "sent",
    ]
    list_filter = [QueueFilter, "activity_type", "sent_at"]
    search_fields = [
        "title",
        "organiser",
        "description",
        "holder__email",
        "holder__first_name",
        "holder__last_name",
    ]
    list_select_related = ["holder"]
    date_hierarchy = "started_on"
    ordering = ["sent_at", "pk"]
    inlines = [EvidenceInline]
    fieldsets = [
        ("Holder", {"fields": ["holder"]}),
        (
            "Activity",
            {
                "fields": [
                    "activity_type",
                    "title",
                    "organiser",
                    ("started_on", "ended_on"),
                    "hours_claimed",
                    "description",
                ]
            },
        ),
        (
            "Office",
            {
                "fields": [
                    "state",
                    "sent_at",
                    "in_network",
                    ("signed_by", "signed_at"),
                    "signature_note",
                    "return_reason",
                    "signed_form",
                ]
            },
        ),
        ("Audit history", {"fields": ["audit_trail"]}),
    ]
    readonly_fields = ["signed_form", "audit_trail"]

    @admin.display(description="date", ordering="started_on")
    def started(self, form):
        return short_date(form.started_on)

    @admin.display(description="sent", ordering="sent_at")
    def sent(self, form):
        return short_datetime(form.sent_at)

    # The form is the holder's statement: staff decide on it with the buttons, never
    # edit it, so the admin is read-only apart from the two decisions.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="signed form")
    def signed_form(self, form):
        if form.state != FormState.VERIFIED:
            return "–"
        return format_html(
            '<a href="{}">Download the signed form (PDF)</a>',
            reverse("cec_forms:signed_pdf", args=[form.pk]),
        )

    @admin.display(description="history (who, when, from, to, note)")
    def audit_trail(self, form):
        rows = [
            (
                f"{timezone.localtime(step.when):%Y-%m-%d %H:%M %Z}",  # the office's zone
                step.who,
                f"{step.from_state} → {step.to_state}"
                if step.from_state and step.from_state != step.to_state
                else step.to_state,
                step.note or step.action,
            )
            for step in form_audit_trail(form)
        ]
        return format_html(
            "<table><tr><th>When</th><th>Who</th><th>Change</th><th>Note</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/verify/", wrap(self.verify_view), name="cec_reportingform_verify"),
            path("<int:pk>/return/", wrap(self.return_view), name="cec_reportingform_return"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_verify": request.user.has_perm(VERIFY_REPORTING_FORM),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def verify_view(self, request, pk):
        return self._decide(
            request,
            pk,
            form_class=VerifyForm,
            title="Verify and sign",
            action=lambda form, data: services.verify_form(
                form,
                by=request.user,
                note=data["note"],
                in_network=data["in_network"],
                hours=data.get("hours"),
            ),
            done="Verified and signed “{}”. The holder is told by email.",
        )

    def return_view(self, request, pk):
        return self._decide(
            request,
            pk,
            form_class=ReturnForm,
            title="Return to holder",
            action=lambda form, data: services.return_form(
                form, by=request.user, reason=data["reason"]
            ),
            done="Returned “{}” to the holder with your reason.",
        )

    def _decide(self, request, pk, *, form_class, title, action, done):
        if not request.user.has_perm(VERIFY_REPORTING_FORM):
            raise PermissionDenied
        reporting_form = get_object_or_404(ReportingForm.objects.select_related("holder"), pk=pk)
        change_url = reverse("admin:cec_reportingform_change", args=[reporting_form.pk])
        if reporting_form.state != FormState.SENT:
            self.message_user(
                request,
                f"This form is “{reporting_form.get_state_display()}”: only a form sent to "
                "AASC can be verified or returned.",
                messages.ERROR,
            )
            return redirect(change_url)
        kwargs = {"claimed": reporting_form.hours_claimed} if form_class is VerifyForm else {}
        decision = form_class(request.POST or None, **kwargs)
        if request.method == "POST" and decision.is_valid():
            try:
                action(reporting_form, decision.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", None) or [str(exc)])
                self.message_user(request, text, messages.ERROR)
                return redirect(change_url)
            self.message_user(request, done.format(reporting_form.title), messages.SUCCESS)
            return redirect(reverse("admin:cec_reportingform_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": reporting_form,
            "title": f"{title}: {reporting_form.title}",
            "decision": decision,
            "button": title,
            "change_url": change_url,
            "evidence": [evidence_preview(e, 240) for e in reporting_form.evidence.all()],
        }
        return TemplateResponse(request, "admin/cec/reportingform/decide.html", context)
