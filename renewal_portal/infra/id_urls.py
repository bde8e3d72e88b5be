"""The address of one object's page, as reverse(name, args=[id]) gives it, without a
reverse() per object (issue 19): a list page links every row to its object, and
reversing a URL costs as much as rendering a dozen template variables.

The name is reversed once per (URLconf, script prefix) with a marker id; the address of
any id is then the text around the marker with the id in its place. Only for URLs whose
one argument is an int (the `int` converter writes it as str(id)).
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 2_026_120_400


@functools.lru_cache(maxsize=128)
def _around_marker(name, urlconf, script_prefix) -> tuple[str, str]:
    # script_prefix is part of the key only: reverse() reads the current one itself.
    url = reverse(name, args=[_MARKER], urlconf=urlconf)
    parts = url.split(str(_MARKER))
    if len(parts) != 2:
        raise ValueError(f"{name} does not take one id as its argument.")
    return parts[0], parts[1]


def url_with_id(name: str, object_id: int) -> str:
    """reverse(name, args=[object_id]) for a URL of one int argument."""
    if type(object_id) is not int or object_id < 0:
        return reverse(name, args=[object_id])
    before, after = _around_marker(name, get_urlconf(settings.ROOT_URLCONF), get_script_prefix())
    return f"{before}{object_id}{after}"
