"""Admin edits leave a history record with a real reason ("Edited in admin: annual renewal
fee"), never an empty one, like every change a service makes."""

from simple_history.admin import SimpleHistoryAdmin


def admin_change_reason(form, change: bool) -> str:
    if not change:
        return "Created in admin"
    labels = [str(form.fields[name].label or name).lower() for name in form.changed_data]
    reason = f"Edited in admin: {', '.join(labels)}" if labels else "Saved in admin, unchanged"
    return reason[:100]


class ReasonedHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose saves (and its inlines' saves) record why."""

    def save_model(self, request, obj, form, change):
        obj._change_reason = admin_change_reason(form, change)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance._change_reason = admin_change_reason(
                inline_form, inline_form.instance.pk is not None
            )
        super().save_formset(request, form, formset, change)
