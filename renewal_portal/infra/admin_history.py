"""The base of every admin with a history: the history is there to read, and every admin
save records why.

django-simple-history's "Revert" saves an old version of a record over the current one
without the service that guards it (no checks, no reason recorded), and its history
form saves on any POST, even for a user who may only view the record. Every state
change goes through a service, so the history pages never save anything.

Admin edits leave a history record with a real reason ("Edited in admin: annual renewal
fee"), never an empty one, like every change a service makes.
"""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from renewal_portal.infra.history import stamp


def admin_change_reason(form, change: bool) -> str:
    if not change:
        return "Created in admin"
    labels = [str(form.fields[name].label or name).lower() for name in form.changed_data]
    reason = f"Edited in admin: {', '.join(labels)}" if labels else "Saved in admin, unchanged"
    return reason[:100]


class AdminChangeReasonMixin:
    """Every save through an admin page (the record and its inlines) records who and why,
    also in admins that are not HistoryAdmin (the account admin's contact details inline)."""

    def save_model(self, request, obj, form, change):
        if not getattr(obj, "_change_reason", None):
            stamp(obj, by=request.user, why=admin_change_reason(form, change))
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if not getattr(inline_form.instance, "_change_reason", None):
                why = admin_change_reason(inline_form, inline_form.instance.pk is not None)
                stamp(inline_form.instance, by=request.user, why=why)
        super().save_formset(request, form, formset, change)


class HistoryAdmin(AdminChangeReasonMixin, SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("A past version is there to read; it cannot be restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)
