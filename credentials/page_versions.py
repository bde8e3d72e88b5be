"""Which content versions a cached page is a function of (issue 19): the `versions_of`
of renewal_portal.infra.page_cache.cache_page_by_version, for the holder pages and the
reviewer queue.

A page is cached only for the viewer whose rows it shows: a holder's own pages only for
that holder (an office account opening an invoice sees another person's rows, which its
own versions do not cover), the queue only for reviewers. The role facts are part of the
key, since the layout shows each role its own navigation. A user loaded without its
versions (credentials.backends) is never cached."""

from credentials import roles


def _versions(user, *names):
    try:
        return tuple(int(getattr(user, name)) for name in names)
    except (AttributeError, TypeError, ValueError):
        return None


def _role_facts(user) -> tuple:
    return (
        user.is_active,
        user.is_staff,
        user.is_superuser,
        roles.is_aasc_staff(user),
        roles.is_naaei_reviewer(user),
        roles.is_holder(user),
        roles.has_two_factor(user),
    )


def holder_page(request):
    """A holder's own page: their rows (holder version), the catalog and today's date."""
    user = request.user
    if not user.is_authenticated or not roles.is_holder(user) or user.is_staff:
        return None
    versions = _versions(user, "holder_version", "catalog_version")
    if versions is None:
        return None
    return ("holder", *_role_facts(user), *versions)


def review_queue_page(request):
    """The reviewer queue: what it lists (review version), the catalog's names and the
    reviewer's own rows (the layout shows their name). The age filter counts from the
    time of day, so a queue filtered by age is rendered fresh."""
    user = request.user
    if not user.is_authenticated or not roles.is_naaei_reviewer(user):
        return None
    if request.GET.get("age"):
        return None
    versions = _versions(user, "holder_version", "catalog_version", "review_version")
    if versions is None:
        return None
    return ("review", *_role_facts(user), *versions)
