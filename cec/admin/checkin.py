"""Admin for events (the Expo) and their sessions, with links to each session's phone
check-in page and attendance CSV. Sessions are ordinary class sessions: their CEC value
is computed the same way (SPEC rule 2), and in-network comes from their course."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from cec.admin.classes import SessionCorrectionMixin
from cec.models import CheckIn, ClassSession, Event
from cec.services import ledger as ledger_services


class EventSessionForm(SessionCorrectionMixin, forms.ModelForm):
    class Meta:
        model = ClassSession
        fields = ["course", "date", "start_time", "end_time", "break_minutes", "location"]
        widgets = {
            "start_time": forms.TimeInput(format="%H:%M"),
            "end_time": forms.TimeInput(format="%H:%M"),
        }


class EventSessionInline(admin.TabularInline):
    model = ClassSession
    form = EventSessionForm
    extra = 1
    autocomplete_fields = ["course"]
    fields = [
        "course",
        "date",
        "start_time",
        "end_time",
        "break_minutes",
        "location",
        "cec_hours",
        "in_network",
        "checkin_links",
    ]
    readonly_fields = ["cec_hours", "in_network", "checkin_links"]
    verbose_name = "session"
    verbose_name_plural = (
        "sessions (CEC value = class time less meals and breaks, in hours; in-network "
        "comes from the course)"
    )
    show_change_link = True
    can_delete = False  # a session with attendances is kept; remove it from its own page

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("course")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"edited_by": request.user})
        return formset

    @admin.display(description="in-network", boolean=True)
    def in_network(self, session):
        return session.course.in_network if session.pk else None

    @admin.display(description="check-in")
    def checkin_links(self, session):
        if not session.pk:
            return "–"
        return format_html(
            '<a href="{}">Check-in page</a> · <a href="{}">CSV</a>',
            reverse("checkin:scanner", args=[session.pk]),
            reverse("checkin:attendance_csv", args=[session.pk]),
        )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "location", "session_count"]
    search_fields = ["name", "location"]
    date_hierarchy = "starts_on"
    inlines = [EventSessionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description="sessions", ordering="session_total")
    def session_count(self, event):
        return event.session_total

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # A corrected session's attendees' entries follow it, as in the session admin.
        if formset.model is ClassSession:
            for session, _fields in formset.changed_objects:
                ledger_services.update_session_entries(session, by=request.user)


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """Read-only: who was checked in at the door, by whom and how."""

    list_display = ["attendance", "scanned_by", "scanned_at", "method"]
    list_filter = ["method", "attendance__session__event"]
    search_fields = ["attendance__holder__email", "attendance__holder__last_name"]
    list_select_related = ["attendance__holder", "attendance__session__course", "scanned_by"]
    date_hierarchy = "scanned_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
