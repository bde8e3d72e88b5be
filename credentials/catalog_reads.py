"""Reads of the catalog kept in the process while the catalog version stays the same
(issue 19): the office's contact details, the requirement sets, the credential types.

Every signed-in request knows the catalog's version (`request.user.catalog_version`,
loaded with the user: credentials.content_versions), which the database moves at any
write to a catalog table. A read made at version v is kept with v and given again to the
requests that see v; a request that sees another version reads the database again. The
version is read before the rows, so what is kept under v is never older than v, in any
worker. Callers without a version (None: no signed-in user) read the database.

The rows kept are shared by the requests of the process: read them, never change them.
"""

from credentials.models import CredentialType, OfficeContact, RequirementSet
from renewal_portal.infra.transactions import in_open_transaction

_ALL = []


class KeptPerCatalogVersion:
    """`load()`'s result, loaded again only when the catalog version differs from the
    one it was loaded at."""

    def __init__(self, load):
        self._load = load
        self._kept = None  # (version, value): one tuple, replaced whole (threads)
        _ALL.append(self)

    def __call__(self, catalog_version: int | None):
        kept = self._kept
        if catalog_version is not None and kept is not None and kept[0] == catalog_version:
            return kept[1]
        value = self._load()
        # Kept only from committed rows: a rollback moves the version back as well.
        if catalog_version is not None and not in_open_transaction():
            self._kept = (catalog_version, value)
        return value

    def forget(self) -> None:
        self._kept = None


def forget_all() -> None:
    """Drop every kept read (tests: a rolled-back database hands its versions out again)."""
    for kept in _ALL:
        kept.forget()


# credentials.selectors.office_contact(): the office's name and address.
office_contact = KeptPerCatalogVersion(lambda: OfficeContact.objects.order_by("pk").first())

# Every requirement set with its credential type: what a RequirementBook is made of.
requirement_sets = KeptPerCatalogVersion(
    lambda: tuple(RequirementSet.objects.select_related("credential_type"))
)

# (code, name) of every credential type, by code (the review queue's filter).
credential_type_names = KeptPerCatalogVersion(
    lambda: tuple(CredentialType.objects.order_by("code").values_list("code", "name"))
)
