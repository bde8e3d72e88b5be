"""The base of every admin with a history: the history is there to read.

django-simple-history's "Revert" saves an old version of a record over the current one
without the service that guards it (no checks, no reason recorded), and its history
form saves on any POST, even for a user who may only view the record. Every state
change goes through a service, so the history pages never save anything.
"""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("A past version is there to read; it cannot be restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)
