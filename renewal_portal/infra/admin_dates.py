"""The admin's date drill-down (`date_hierarchy`) never answers a 500 (attack round 2).

Django builds the drill-down's bounds with `datetime(int(year), ...)` and turns a
ValueError into "incorrect lookup parameters", but a year too big for a C integer
(`?issued_on__year=99999999999`) raises OverflowError, a 500 on every admin list with a
drill-down. `SafeDatesChangeList` treats it like any other impossible date: the list
opens unfiltered with Django's "?e=1" notice.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class SafeDatesChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


def _safe_changelist(model_admin, request, **kwargs):
    return SafeDatesChangeList


def install():
    """Every admin list (ours and third-party ones) uses the safe change list."""
    admin.ModelAdmin.get_changelist = _safe_changelist
