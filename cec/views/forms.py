"""The holder's CEC Reporting Forms, and the checked downloads of evidence and signed forms.

Every queryset is scoped to the person asking: another holder's form is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cec.form_pdf import signed_form_document
from cec.forms_reporting import ReportingFormForm
from cec.selectors import forms as selectors
from cec.services import forms as services
from credentials import page_versions
from renewal_portal.infra.downloads import download, limit_document_downloads
from renewal_portal.infra.page_cache import cache_page_by_version


@login_required
@require_GET
@cache_page_by_version(page_versions.holder_page)
def form_list(request):
    forms = selectors.forms_of(request.user).prefetch_related("evidence")
    return render(request, "cec/forms/list.html", {"forms": forms})


@login_required
@require_http_methods(["GET", "POST"])
@cache_page_by_version(page_versions.holder_page)
def form_create(request):
    return _edit(request, None)


@login_required
@require_http_methods(["GET", "POST"])
@cache_page_by_version(page_versions.holder_page)
def form_edit(request, pk):
    form = get_object_or_404(selectors.forms_of(request.user), pk=pk)
    if not form.is_editable:
        messages.info(request, f"This form is “{form.get_state_display()}”: it cannot be edited.")
        return redirect("cec_forms:detail", pk=form.pk)
    return _edit(request, form)


def _edit(request, instance):
    sending = "send" in request.POST
    django_form = ReportingFormForm(
        request.POST or None,
        request.FILES or None,
        instance=instance,
        sending=sending,
        holder=request.user,
    )
    if request.method == "POST" and django_form.is_valid():
        try:
            saved = services.save_form(
                by=request.user,
                form=instance,
                fields=django_form.editable_values(),
                evidence=django_form.cleaned_data["evidence"],
                send=sending,
            )
        except ValidationError as exc:
            for message in exc.messages:
                django_form.add_error(None, message)
        else:
            if sending:
                messages.success(request, "Your form is sent to the AASC office for verification.")
            else:
                messages.success(request, "Your form is saved as a draft.")
            if note := selectors.window_note(saved):
                messages.warning(request, note)
            return redirect("cec_forms:detail", pk=saved.pk)
    return render(
        request,
        "cec/forms/edit.html",
        {
            "form": django_form,
            "reporting_form": instance,
            "window_note": selectors.window_note(instance) if instance else "",
        },
    )


@login_required
@require_GET
def form_detail(request, pk):
    form = get_object_or_404(selectors.forms_of(request.user).select_related("signed_by"), pk=pk)
    return render(
        request,
        "cec/forms/detail.html",
        {
            "reporting_form": form,
            "evidence": form.evidence.all(),
            "trail": selectors.form_audit_trail(form),
            "entry": form.ledger_entries.first(),
            "window_note": selectors.window_note(form),
        },
    )


@login_required
@require_POST
def form_send(request, pk):
    form = get_object_or_404(selectors.forms_of(request.user), pk=pk)
    try:
        services.send_form(form, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your form is sent to the AASC office for verification.")
    return redirect("cec_forms:detail", pk=form.pk)


@login_required
@require_POST
def evidence_remove(request, pk):
    evidence = get_object_or_404(selectors.evidence_of(request.user), pk=pk)
    form_pk = evidence.form_id
    try:
        services.remove_evidence(evidence, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("cec_forms:detail", pk=form_pk)
    messages.success(request, f"“{evidence.original_name}” is removed.")
    return redirect("cec_forms:edit", pk=form_pk)


@xframe_options_sameorigin  # the admin shows PDFs inline in a frame of the same site
@login_required
@require_GET
def evidence_file(request, pk):
    """An evidence file, only for its holder, AASC staff and NAAEI reviewers of it."""
    evidence = get_object_or_404(selectors.evidence_visible_to(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    return download(
        handle,
        content_type=evidence.content_type,
        filename=evidence.original_name,
        inline="download" not in request.GET,
    )


@login_required
@require_GET
@limit_document_downloads
def signed_pdf(request, pk):
    form = get_object_or_404(
        selectors.signed_forms_visible_to(request.user).select_related("holder", "signed_by"),
        pk=pk,
    )
    return download(signed_form_document(form))
