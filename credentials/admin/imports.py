"""Importing the office's spreadsheets in admin (issue 18): upload a file of holders,
credentials or CEC history; read the dry run's counts and errors (row and column as the
spreadsheet shows them); confirm a clean file, which is written in the background with
progress; undo an import; invite the holders it brought in.

Each step is a service in credentials.services.imports; the pages only ask for it.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html

from credentials.imports.files import MAX_BYTES, ImportFileError
from credentials.models import ImportBatch
from credentials.permissions import IMPORT_RECORDS, INVITE_HOLDERS
from credentials.services import imports
from credentials.tasks import run_import_batch
from renewal_portal.infra.runs.admin import progress_bar_of, progress_json

SAMPLES = [
    ("holders", "Holders", "samples/holders.csv", "samples/holders.xlsx"),
    ("credentials", "Credentials", "samples/credentials.csv", "samples/credentials.xlsx"),
    ("cec_history", "CEC history", "samples/cec_history.csv", "samples/cec_history.xlsx"),
]

# What each file needs, said on the upload page (the columns people write are accepted too).
COLUMN_HELP = {
    "holders": "Email (required), First Name, Last Name (or Name), Member ID, Phone, Address, "
    "Address 2, City, State, ZIP, Employer, Job Title.",
    "credentials": "Email or Member ID (the holder), Type (CAM, CAPS, CALP or NALP, CAS, AIME, "
    "CAMT), Credential Number, Earned On, Valid Through (blank for CAMT), Status (Active or "
    "Lapsed).",
    "cec_history": "Email or Member ID, Date, Title, Hours, Kind (AASC class, In-network, "
    "Other, Participation), Source, Evidence, Verified (yes or no; blank means yes).",
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="The file holds", choices=ImportBatch.Kind.choices, widget=forms.RadioSelect
    )
    import_file = forms.FileField(
        label="Spreadsheet",
        help_text=f"CSV or Excel (.xlsx), at most {MAX_BYTES // 1024 // 1024} MB, a header row "
        "first.",
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; an import can be at most "
                f"{MAX_BYTES // 1024 // 1024} MB. Split it into several files."
            )
        return upload


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "uploaded_by",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["file_name"]
    list_select_related = ["uploaded_by"]

    class Media:
        js = ["js/admin-progress.js"]

    # -- Who may do what -----------------------------------------------------------------------

    def has_add_permission(self, request):
        return request.user.has_perm(IMPORT_RECORDS)

    def has_change_permission(self, request, obj=None):
        return False  # a batch is a record; confirm and undo are their own steps

    def has_delete_permission(self, request, obj=None):
        return False

    def _require(self, request, perm):
        if not request.user.has_perm(perm):
            raise PermissionDenied

    # -- Pages ---------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/confirm/", view(self.confirm_view), name="credentials_importbatch_confirm"
            ),
            path("<int:pk>/undo/", view(self.undo_view), name="credentials_importbatch_undo"),
            path("<int:pk>/invite/", view(self.invite_view), name="credentials_importbatch_invite"),
            path(
                "<int:pk>/progress.json",
                view(self.progress_view),
                name="credentials_importbatch_progress",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """The upload page: choose the kind, upload the file, see the dry run."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            try:
                batch = imports.check_upload(
                    form.cleaned_data["kind"], upload.name, upload.read(), request.user
                )
            except ImportFileError as exc:
                form.add_error("import_file", str(exc))
            else:
                return HttpResponseRedirect(
                    reverse("admin:credentials_importbatch_change", args=[batch.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import a spreadsheet",
            "form": form,
            "samples": [
                (kind, label, static(csv_path), static(xlsx_path), COLUMN_HELP[kind])
                for kind, label, csv_path, xlsx_path in SAMPLES
            ],
            "max_mb": MAX_BYTES // 1024 // 1024,
            "mistakes_url": static("samples/holders_with_mistakes.csv"),
        }
        return TemplateResponse(request, "admin/credentials/importbatch/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The batch: the dry run's counts and errors, then its progress and outcome."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        # self.get_object turns an id that is not a number into None, not a 500.
        batch = self.get_object(request, object_id)
        if batch is None:
            raise Http404("No such import.")
        user = request.user
        holders = imports.holders_of(batch) if batch.kind == ImportBatch.Kind.HOLDERS else None
        undo_refusal = ""
        if batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED):
            undo_refusal = imports.undo_refusal(batch)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(batch),
            "batch": batch,
            "Status": ImportBatch.Status,
            "progress": self.progress(batch),
            "may_import": user.has_perm(IMPORT_RECORDS),
            "may_invite": user.has_perm(INVITE_HOLDERS),
            "undo_refusal": undo_refusal,
            "uninvited": self._uninvited(holders) if holders is not None else None,
            "errors_hidden": max(batch.error_count - len(batch.errors), 0),
        }
        return TemplateResponse(request, "admin/credentials/importbatch/detail.html", context)

    def _uninvited(self, holders):
        candidates = imports.invitable(holders)
        invited = imports.invited_ids([h.pk for h in candidates])
        return len([h for h in candidates if h.pk not in invited])

    def _back(self, batch):
        return HttpResponseRedirect(
            reverse("admin:credentials_importbatch_change", args=[batch.pk])
        )

    def confirm_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._require(request, IMPORT_RECORDS)
        batch = get_object_or_404(ImportBatch, pk=pk)
        try:
            with transaction.atomic():
                batch = imports.confirm(batch, request.user)
                transaction.on_commit(partial(run_import_batch.delay, batch.pk))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Importing {batch.file_name}: the rows are being written.")
        return self._back(batch)

    def undo_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._require(request, IMPORT_RECORDS)
        batch = get_object_or_404(ImportBatch, pk=pk)
        try:
            imports.undo_batch(batch, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The import of {batch.file_name} was undone.")
        return self._back(batch)

    def invite_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._require(request, INVITE_HOLDERS)
        batch = get_object_or_404(ImportBatch, pk=pk, status=ImportBatch.Status.DONE)
        count = imports.invite_holders(imports.holders_of(batch), request.user)
        messages.success(
            request,
            f"{count} invitation{'s' if count != 1 else ''} queued. Holders who were invited "
            "before, have a password or have signed in are not invited again.",
        )
        return self._back(batch)

    def progress_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=pk)
        return progress_json(self._progress(batch), done_key="done", total_key="total", noun="rows")

    def _progress(self, batch):
        finished = batch.status not in (ImportBatch.Status.RUNNING,)
        return {
            "percent": imports.progress(batch),
            "done": batch.rows_done,
            "total": batch.rows_total,
            "failing": batch.error_count if batch.status == ImportBatch.Status.FAILED else 0,
            "finished": finished,
            "status": batch.get_status_display(),
            "summary": f"{batch.created_count} created, {batch.updated_count} updated, "
            f"{batch.unchanged_count} unchanged so far."
            if not finished
            else "",
        }

    @admin.display(description="progress")
    def progress(self, batch):
        return progress_bar_of(
            self._progress(batch),
            noun="rows written",
            url=reverse("admin:credentials_importbatch_progress", args=[batch.pk]),
        )

    @admin.display(description="file")
    def file_link(self, batch):
        return format_html("{}", batch.file_name)
