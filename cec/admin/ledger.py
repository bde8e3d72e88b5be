"""Admin for the CEC ledger: read-mostly, with each entry's history.

Entries change only through services (attendance, Reporting Forms, submissions), so
the office sees everything here and edits nothing by hand.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from cec.models import LedgerEntry
from renewal_portal.infra.admin_display import short_date
from renewal_portal.infra.admin_history import HistoryAdmin


@admin.register(LedgerEntry)
class LedgerEntryAdmin(HistoryAdmin):
    list_display = [
        "holder",
        "earned",
        "title",
        "cecs",
        "source",
        "counts_as",
        "state",
    ]
    list_filter = ["state", "source", "in_network", "participation", "earned_on"]
    search_fields = [
        "holder__email",
        "holder__first_name",
        "holder__last_name",
        "title",
        "certificate_number",
    ]
    list_select_related = ["holder"]
    date_hierarchy = "earned_on"
    fields = [
        "holder",
        "earned_on",
        "title",
        "hours",
        "source",
        "in_network",
        "participation",
        "state",
        "came_from",
        "certificate_number",
        "certificate",
        "provider",
        "evidence_reference",
        "created_at",
    ]
    readonly_fields = fields
    history_list_display = ["state", "hours", "earned_on"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("holder", "attendance__session__course", "reporting_form")
        )

    @admin.display(description="earned", ordering="earned_on")
    def earned(self, entry):
        return short_date(entry.earned_on)

    @admin.display(description="CECs", ordering="hours")
    def cecs(self, entry):
        return entry.hours

    @admin.display(description="kind")
    def counts_as(self, entry):
        return entry.credit_kind.label

    @admin.display(description="the record it came from")
    def came_from(self, entry):
        if entry.attendance_id:
            session = entry.attendance.session
            url = reverse("admin:cec_classsession_change", args=[session.pk])
            return format_html('Attendance at <a href="{}">{}</a>', url, session)
        if entry.reporting_form_id:
            url = reverse("admin:cec_reportingform_change", args=[entry.reporting_form_id])
            return format_html('<a href="{}">{}</a>', url, entry.reporting_form)
        return "–"

    @admin.display(description="certificate")
    def certificate(self, entry):
        if not entry.certificate_number:
            return "–"
        pdf = reverse("cec:certificate", args=[entry.pk])
        verify = reverse("cec:verify", args=[entry.verification_token])
        return format_html(
            '<a href="{}">Download the PDF</a> · <a href="{}">public verification page</a>',
            pdf,
            verify,
        )
