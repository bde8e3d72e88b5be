"""The admin's autocomplete answers (attendee, holder and other people pickers) name each
person by name and email, so two "J. Smith" can be told apart (issue 17 item 19)."""

from types import MethodType

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model


def person_label(user) -> str:
    name = user.get_full_name()
    return f"{name} · {user.email}" if name else user.email


class PortalAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, get_user_model()):
            result["text"] = person_label(obj)
        return result


def _autocomplete_view(site, request):
    return PortalAutocompleteJsonView.as_view(admin_site=site)(request)


def install(site=admin.site) -> None:
    """Answer the site's autocomplete URL with the view above (before its URLs are built)."""
    site.autocomplete_view = MethodType(_autocomplete_view, site)
