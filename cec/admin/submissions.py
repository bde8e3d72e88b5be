"""CEC submissions in admin: read-only. AASC staff can look, but approving for NAAEI
happens only in the reviewer queue (/review/), by reviewers."""

from django.contrib import admin
from django.template.defaultfilters import floatformat
from django.utils.html import format_html_join

from cec.models import Submission
from renewal_portal.infra.admin_display import short_datetime
from renewal_portal.infra.admin_history import HistoryAdmin


@admin.register(Submission)
class SubmissionAdmin(HistoryAdmin):
    list_display = [
        "holder",
        "year",
        "state",
        "cecs",
        "in_network",
        "submitted",
        "decided_by",
        "decided",
    ]
    list_filter = ["state", "renewal__year"]
    search_fields = ["renewal__holder__email", "renewal__holder__last_name"]
    list_select_related = ["renewal__holder", "decided_by"]
    date_hierarchy = "submitted_at"
    fields = [
        "renewal",
        "state",
        "total_hours",
        "in_network_hours",
        "entry_list",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(ordering="renewal__holder__email")
    def holder(self, submission):
        return submission.renewal.holder

    @admin.display(description="CECs", ordering="total_hours")
    def cecs(self, submission):
        return floatformat(submission.total_hours, -2)

    @admin.display(description="in-network", ordering="in_network_hours")
    def in_network(self, submission):
        return floatformat(submission.in_network_hours, -2)

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, submission):
        return short_datetime(submission.submitted_at)

    @admin.display(description="decided", ordering="decided_at")
    def decided(self, submission):
        return short_datetime(submission.decided_at)

    @admin.display(description="year", ordering="renewal__year")
    def year(self, submission):
        return submission.renewal.year

    @admin.display(description="entries")
    def entry_list(self, submission):
        rows = [
            (f"{e.earned_on:%Y-%m-%d}", e.title, e.hours, e.get_state_display())
            for e in submission.entries.all()
        ]
        return format_html_join("", "<div>{} · {} · {} CEC · {}</div>", rows)
