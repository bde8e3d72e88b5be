"""The addresses the base layout links to, reversed once per process (issue 19).

Reversing a URL costs about as much as rendering a dozen template variables, and the
base layout links to fifteen of them on every page. What they reverse to depends only on
the URLconf and the script prefix the site is served under, which change with a deploy,
not between requests; so they are reversed once per (URLconf, script prefix) and the
layout reads them from the `nav` mapping the context processor gives it.
"""

import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# The layout's name for a link -> the URL name it reverses.
LINKS = {
    "home": "credentials:home",
    "check_in_code": "checkin:my_code",
    "contact_details": "credentials:profile",
    "office_admin": "admin:index",
    "expo_check_in": "checkin:sessions",
    "faq": "credentials:faq",
    "contact": "credentials:contact",
    "sign_out": "account_logout",
    "sign_in": "account_login",
    "sign_up": "account_signup",
}
# Links a URLconf may leave out (the layout then shows no link), as `{% url ... as x %}`
# allows: a page whose URLconf lacks one of LINKS fails, as `{% url %}` would make it.
OPTIONAL_LINKS = {
    "renewal": "credentials:renewal",
    "credentials": "credentials:credentials",
    "ledger": "cec:ledger",
    "reporting_forms": "cec_forms:list",
    "review_queue": "review:queue",
}


@functools.lru_cache(maxsize=16)
def _reversed(urlconf, script_prefix) -> dict[str, str]:
    # script_prefix is part of the key only: reverse() reads the current one itself.
    urls = {name: reverse(url_name, urlconf=urlconf) for name, url_name in LINKS.items()}
    for name, url_name in OPTIONAL_LINKS.items():
        try:
            urls[name] = reverse(url_name, urlconf=urlconf)
        except NoReverseMatch:
            pass
    return urls


def links() -> dict[str, str]:
    """The layout's link name -> its address in the URLconf serving this request; an
    optional link its URLconf lacks is not in the mapping."""
    return _reversed(get_urlconf(settings.ROOT_URLCONF), get_script_prefix())
