"""What a browser would post back from a Django admin add or change page.

`admin_post_data(response)` reads the form and inline formsets of the page (as rendered
for the signed-in user) and returns the POST data that saves them unchanged; a test then
edits or adds keys to try what a crafted request could change.
"""

from django.forms import MultiWidget

__all__ = ["admin_post_data", "editable_fields", "readonly_fields"]


def _put(data, bound_field):
    value = bound_field.value()
    widget = bound_field.field.widget
    if value is None:
        return
    if isinstance(widget, MultiWidget):
        parts = widget.decompress(value)
        for index, part in enumerate(parts):
            if part is not None:
                data[f"{bound_field.html_name}_{index}"] = str(part)
        return
    if isinstance(value, bool):
        if value:
            data[bound_field.html_name] = "on"
        return
    if isinstance(value, (list, tuple)):
        data[bound_field.html_name] = [str(item) for item in value]
        return
    data[bound_field.html_name] = str(value)


def admin_post_data(response) -> dict:
    context = response.context
    data = {}
    forms = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            _put(data, management[name])
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            _put(data, form[name])
    return data


def editable_fields(response) -> set[str]:
    """The main form's fields the page lets the user change."""
    form = response.context["adminform"].form
    return {name for name, field in form.fields.items() if not field.disabled}


def readonly_fields(response) -> set[str]:
    """The main form's fields the page shows without letting the user change them."""
    return set(response.context["adminform"].readonly_fields)
