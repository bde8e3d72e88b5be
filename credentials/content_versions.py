"""Content versions (issue 19): counters the database moves at every write to the rows
a page shows, so a page cached under them is stale as soon as anything it shows changes.

- `holder`, key = the holder's user id: any row that belongs to that holder.
- `catalog`, key 0: the global rows every holder page reads (credential types, courses,
  the FAQ, the office's contact details...).
- `review`, key 0: what the reviewer queue shows.

The counters live in ContentVersion and are moved only by database triggers, generated
by renewal_portal.infra.content_versions from what each app declares for its own tables
(this module declares the credentials app's, and Django's and allauth's tables that
belong to a user). The signed-in user carries its three versions (credentials.backends,
`with_content_versions`), at no extra query."""

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from credentials.models import ContentVersion

HOLDER = ContentVersion.HOLDER
CATALOG = ContentVersion.CATALOG
REVIEW = ContentVersion.REVIEW

# The key of the scopes that are one counter for everybody.
GLOBAL_KEY = 0


def _version(scope, key):
    counter = ContentVersion.objects.filter(scope=scope, key=key).values("version")[:1]
    return Coalesce(Subquery(counter), Value(0))


def with_content_versions(users):
    """`users` (a User queryset) with `holder_version` (the user's own rows),
    `catalog_version` and `review_version`: ints, 0 while nothing has been counted yet,
    read by the database in the same query as the user."""
    return users.annotate(
        holder_version=_version(HOLDER, OuterRef("pk")),
        catalog_version=_version(CATALOG, GLOBAL_KEY),
        review_version=_version(REVIEW, GLOBAL_KEY),
    )
