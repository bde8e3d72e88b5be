"""Admin for courses, class sessions and attendance (AASC staff run classes here).

Every attendance recorded or removed here, by hand or by roster, goes through
cec.services.ledger, so the holder's ledger entry appears (or is withdrawn) at once.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html
from import_export.admin import ImportMixin
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import RowResult

from cec.imports import RosterCSV, RosterError, RosterResource, check_roster_file
from cec.models import Attendance, ClassSession, Course, LedgerEntry
from cec.services import ledger as ledger_services
from credentials import rules
from credentials.permissions import ADD_ATTENDANCE
from renewal_portal.infra.admin_display import short_datetime
from renewal_portal.infra.ids import IdModelChoiceField


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "in_network", "session_count"]
    list_filter = ["category", "in_network"]
    search_fields = ["title", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description="sessions", ordering="session_total")
    def session_count(self, course):
        return course.session_total


class AttendanceInlineForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["holder"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A recorded attendance is removed (withdrawing its entry), never re-pointed.
            self.fields["holder"].disabled = True


class AttendanceFormSet(forms.BaseInlineFormSet):
    recorded_by = None  # the signed-in clerk (set by AttendanceInline.get_formset)

    def clean(self):
        super().clean()
        session = self.instance
        refused = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    # A deleted form's own errors are ignored by the formset: refuse it here.
                    entry = LedgerEntry.objects.filter(attendance=form.instance).first()
                    try:
                        ledger_services.check_can_remove(entry)
                    except ValidationError as exc:
                        refused.extend(exc.messages)
            elif not form.instance.pk and form.cleaned_data.get("holder") and session.date:
                try:
                    ledger_services.check_can_attend(
                        session, form.cleaned_data["holder"], by=self.recorded_by
                    )
                except ValidationError as exc:
                    form.add_error("holder", exc)
        if refused:
            raise ValidationError(refused)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    form = AttendanceInlineForm
    formset = AttendanceFormSet
    extra = 1
    autocomplete_fields = ["holder"]
    fields = ["holder", "certificate", "recorded_by", "recorded_at"]
    readonly_fields = ["certificate", "recorded_by", "recorded_at"]
    verbose_name = "attendee"
    verbose_name_plural = "attendees (saving credits each new attendee's CEC ledger at once)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("holder", "recorded_by", "ledger_entry")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"recorded_by": request.user})

    @admin.display(description="ledger entry")
    def certificate(self, attendance):
        entry = getattr(attendance, "ledger_entry", None) if attendance.pk else None
        if entry is None:
            return "–"
        url = reverse("admin:cec_ledgerentry_change", args=[entry.pk])
        return format_html('<a href="{}">{}</a>', url, entry.certificate_number or entry.pk)


class SessionCorrectionMixin:
    """A class's date, times or course are not corrected by someone who attended it (that
    would change their own CECs): a message on the form, in the session admin and in the
    event's sessions inline alike."""

    edited_by = None  # the signed-in clerk (set by the admin's get_form / get_formset)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and set(self.changed_data) & set(ledger_services.CREDIT_FIELDS):
            try:
                ledger_services.check_can_correct_session(self.instance, self.edited_by)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
        return cleaned


class ClassSessionForm(SessionCorrectionMixin, forms.ModelForm):
    class Meta:
        model = ClassSession
        fields = [
            "course",
            "event",
            "instructor",
            "location",
            "capacity",
            "date",
            "start_time",
            "end_time",
            "break_minutes",
        ]
        widgets = {
            "start_time": forms.TimeInput(format="%H:%M"),
            "end_time": forms.TimeInput(format="%H:%M"),
        }


@admin.register(ClassSession)
class ClassSessionAdmin(admin.ModelAdmin):
    form = ClassSessionForm
    list_display = [
        "course",
        "date",
        "time_span",
        "cecs",
        "location",
        "attendee_count",
    ]
    list_filter = ["course__category", "event", "date", "course"]
    search_fields = ["course__title", "instructor", "location"]
    date_hierarchy = "date"
    list_select_related = ["course"]
    autocomplete_fields = ["course"]
    readonly_fields = ["cec_value", "roster_import"]
    fieldsets = [
        (None, {"fields": ["course", "event", "instructor", "location", "capacity"]}),
        (
            "When",
            {
                "fields": ["date", "start_time", "end_time", "break_minutes", "cec_value"],
                "description": "The CEC value is the instructional time (the class less meals "
                "and breaks) in hours, to two decimals, never rounded up.",
            },
        ),
        ("Attendance", {"fields": ["roster_import"]}),
    ]
    inlines = [AttendanceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendee_total=Count("attendances"))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"edited_by": request.user})

    @admin.display(description="attendees", ordering="attendee_total")
    def attendee_count(self, session):
        return session.attendee_total

    @admin.display(description="time", ordering="start_time")
    def time_span(self, session):
        # "9:00–11:30 a.m.", or "9:00 a.m.–12:00 p.m." across noon
        same_half = (session.start_time.hour < 12) == (session.end_time.hour < 12)
        start = dateformat.format(session.start_time, "g:i" if same_half else "g:i a")
        return f"{start}–{dateformat.format(session.end_time, 'g:i a')}"

    @admin.display(description="CECs", ordering="cec_hours")
    def cecs(self, session):
        return session.cec_hours

    @admin.display(description="CEC value")
    def cec_value(self, session):
        if not session.pk:
            return "Computed when you save: (end − start − meals and breaks) ÷ 60."
        minutes = rules.minutes_between(session.start_time, session.end_time)
        return (
            f"{session.cec_hours} CEC = ({minutes} min − {session.break_minutes} min of "
            f"meals and breaks) ÷ 60"
        )

    @admin.display(description="roster")
    def roster_import(self, session):
        if not session.pk:
            return "Save the session first, then import its roster."
        url = reverse("admin:cec_attendance_import") + f"?session={session.pk}"
        return format_html('<a class="button" href="{}">Import a CSV roster</a>', url)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            changed = ledger_services.update_session_entries(obj, by=request.user)
            if changed:
                messages.info(request, f"{changed} attendee ledger entries were updated.")

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attendance:
            return super().save_formset(request, form, formset, change)
        session = form.instance
        new_attendances = formset.save(commit=False)
        for attendance in formset.deleted_objects:
            ledger_services.remove_attendance(attendance, by=request.user)
        for attendance in new_attendances:
            if attendance.pk is None:
                ledger_services.record_attendance(session, attendance.holder, by=request.user)


# --- Attendance, with the roster import --------------------------------------------------


class RosterImportForm(ImportForm):
    session = IdModelChoiceField(
        queryset=ClassSession.objects.select_related("course"),
        help_text="The class session the roster lists attendees of.",
    )
    field_order = ["session", "resource", "import_file", "format"]

    def clean(self):
        # A file that cannot be a roster is refused here, in one sentence beside the field,
        # before import-export reads a row (where a failure would show as a traceback).
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        try:
            check_roster_file(data, cleaned.get("session"))
        except RosterError as exc:
            self.add_error("import_file", str(exc))
        return cleaned


class RosterConfirmForm(ConfirmImportForm):
    session = IdModelChoiceField(queryset=ClassSession.objects.all(), widget=forms.HiddenInput())

    @property
    def session_label(self) -> str:
        session_id = str(self.initial.get("session", ""))
        if not session_id.isdigit():
            return ""
        session = ClassSession.objects.select_related("course").filter(pk=session_id).first()
        return f"{session}, {session.cec_hours} CEC each" if session else ""


class AttendanceForm(forms.ModelForm):
    recorded_by = None  # the signed-in clerk (set by AttendanceAdmin.get_form)

    class Meta:
        model = Attendance
        fields = ["session", "holder"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("session") and cleaned.get("holder"):
            try:
                ledger_services.check_can_attend(
                    cleaned["session"], cleaned["holder"], by=self.recorded_by
                )
            except ValidationError as exc:
                field = "holder" if exc.code == "self_credit" else "session"
                self.add_error(field, exc)
        return cleaned


@admin.register(Attendance)
class AttendanceAdmin(ImportMixin, admin.ModelAdmin):
    form = AttendanceForm
    list_display = ["holder", "session", "entry_link", "recorded_by", "recorded"]
    list_filter = ["session__course__category", "session__date"]
    search_fields = [
        "holder__email",
        "holder__first_name",
        "holder__last_name",
        "holder__credentials__number",
        "session__course__title",
    ]
    list_select_related = ["holder", "session__course", "recorded_by", "ledger_entry"]
    autocomplete_fields = ["session", "holder"]
    date_hierarchy = "session__date"

    resource_classes = [RosterResource]
    import_formats = [RosterCSV]
    import_form_class = RosterImportForm
    confirm_form_class = RosterConfirmForm
    import_template_name = "admin/cec/attendance/import.html"

    def get_readonly_fields(self, request, obj=None):
        return ["session", "holder", "recorded_by", "recorded_at"] if obj else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"recorded_by": request.user})

    @admin.display(description="recorded", ordering="recorded_at")
    def recorded(self, attendance):
        return short_datetime(attendance.recorded_at)

    @admin.display(description="ledger entry")
    def entry_link(self, attendance):
        entry = getattr(attendance, "ledger_entry", None)
        if entry is None:
            return "–"
        url = reverse("admin:cec_ledgerentry_change", args=[entry.pk])
        return format_html('<a href="{}">{}</a>', url, entry.certificate_number or entry.pk)

    def save_model(self, request, obj, form, change):
        if change:
            return  # a recorded attendance is never re-pointed (all fields are read-only)
        entry = ledger_services.record_attendance(obj.session, obj.holder, by=request.user)
        obj.pk = entry.attendance_id

    def delete_model(self, request, obj):
        ledger_services.remove_attendance(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        attendances = list(queryset.select_related("ledger_entry"))
        # Refuse the whole batch before touching any of it.
        for attendance in attendances:
            ledger_services.check_can_remove(getattr(attendance, "ledger_entry", None))
        with transaction.atomic():
            for attendance in attendances:
                ledger_services.remove_attendance(attendance, by=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        return self._refuse_locked(request, super().delete_view, object_id, extra_context)

    def _refuse_locked(self, request, view, *args):
        try:
            return view(request, *args)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("admin:cec_attendance_changelist"))

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.get_full_path())

    # -- roster import ----------------------------------------------------------------------

    def has_import_permission(self, request):
        return request.user.has_perm(ADD_ATTENDANCE)

    def get_import_form_initial(self, request):
        initial = super().get_import_form_initial(request)
        session_id = request.GET.get("session", "")
        if session_id.isdigit():
            initial["session"] = session_id
        return initial

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["session"] = import_form.cleaned_data["session"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        return {"session": cleaned.get("session"), "recorded_by": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs.pop("form", None)
        kwargs.pop("request", None)
        return kwargs

    def add_success_message(self, result, request):
        credited = result.totals[RowResult.IMPORT_TYPE_NEW]
        skipped = result.totals[RowResult.IMPORT_TYPE_SKIP]
        attendees = "1 attendee" if credited == 1 else f"{credited} attendees"
        text = f"Roster imported: {attendees} credited with their CECs."
        if skipped:
            if skipped == 1:
                text += " 1 was already recorded and was left as it was."
            else:
                text += f" {skipped} were already recorded and were left as they were."
        messages.success(request, text)

    def process_result(self, result, request):
        response = super().process_result(result, request)
        session_id = request.POST.get("session", "")
        if session_id.isdigit() and ClassSession.objects.filter(pk=session_id).exists():
            return HttpResponseRedirect(reverse("admin:cec_classsession_change", args=[session_id]))
        return response
