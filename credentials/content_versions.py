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

import secrets

from django.core import checks
from django.db import connections
from django.db.models import BigIntegerField, ExpressionWrapper, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from credentials.models import ContentVersion
from renewal_portal.infra import content_versions

HOLDER = ContentVersion.HOLDER
CATALOG = ContentVersion.CATALOG
REVIEW = ContentVersion.REVIEW
EPOCH = ContentVersion.EPOCH

# The key of the scopes that are one counter for everybody.
GLOBAL_KEY = 0


def _version(scope, key):
    counter = ContentVersion.objects.filter(scope=scope, key=key).values("version")[:1]
    return Coalesce(Subquery(counter), Value(0))


def with_content_versions(users):
    """`users` (a User queryset) with `holder_version` (the user's own rows),
    `catalog_version` and `review_version`: ints, read by the database in the same query
    as the user. Each is its counter (0 while nothing has been counted yet) plus the
    database's epoch (0 until a restore starts one)."""
    epoch = _version(EPOCH, GLOBAL_KEY)
    return users.annotate(
        holder_version=_plus(_version(HOLDER, OuterRef("pk")), epoch),
        catalog_version=_plus(_version(CATALOG, GLOBAL_KEY), epoch),
        review_version=_plus(_version(REVIEW, GLOBAL_KEY), epoch),
    )


def _plus(version, epoch):
    return ExpressionWrapper(version + epoch, output_field=BigIntegerField())


def start_new_epoch(using="default") -> int:
    """Move every version at once, far from any number seen before: after a restore the
    counters are the backup's, and pages cached (and catalog reads kept by workers) in
    the timeline the restore threw away must never match the restored one's versions.
    A random offset of 2**61 or more: the timelines' counters never meet."""
    epoch = secrets.randbits(61) | (1 << 61)
    ContentVersion.objects.using(using).update_or_create(
        scope=EPOCH, key=GLOBAL_KEY, defaults={"version": epoch}
    )
    return epoch


# --- What moves the counters -----------------------------------------------------------

REGISTRY = content_versions.Registry(counter_table=ContentVersion._meta.db_table)

HOLDER_ID = "{row}.holder_id"
# The way from a row that hangs off a renewal to the renewal (whose holder_id is the key).
THROUGH_RENEWAL = (("renewal_id", "credentials_renewal"),)

HISTORY_ONLY_IN_ADMIN = (
    "simple-history's copies: holder pages show the rows themselves, whose own writes "
    "move the counters; history is read in admin"
)


def _holder(table, key=HOLDER_ID, through=()):
    return content_versions.Bump(table, HOLDER, key, through=through)


def _catalog(table):
    return content_versions.Bump(table, CATALOG, str(GLOBAL_KEY))


def _not_shown(table, reason):
    return content_versions.NotShown(table, reason)


def declare(registry=REGISTRY):
    """The credentials app's tables, and Django's and allauth's that belong to a user."""
    registry.declare(
        # The holder's account: name and email (every page's header), sign-in facts.
        _holder("credentials_user", "{row}.id"),
        _holder("credentials_user_groups", "{row}.user_id"),
        _holder("account_emailaddress", "{row}.user_id"),
        _holder("mfa_authenticator", "{row}.user_id"),
        _holder("credentials_contactprofile", "{row}.user_id"),
        _holder("credentials_credential"),
        _holder("credentials_renewal"),
        _holder("credentials_renewalcredential", through=THROUGH_RENEWAL),
        # The claim page lists the claimant's claims; the record claimed is a holder's.
        _holder("credentials_claim", "{row}.claimant_id"),
        _holder("credentials_claim", "{row}.record_id"),
        _catalog("credentials_credentialtype"),
        _catalog("credentials_requirementset"),
        _catalog("credentials_faqentry"),
        _catalog("credentials_officecontact"),
        _not_shown(
            "credentials_user_user_permissions",
            "permissions granted to one account: office accounts only, read by admin",
        ),
        _not_shown(
            "account_emailconfirmation",
            "allauth's stored confirmation keys (unused: confirmations are signed links)",
        ),
        _not_shown("django_admin_log", "admin's own log of staff actions"),
        _not_shown(
            "credentials_holdermerge",
            "the record of a merge, read in admin; the rows the merge moves bump both holders",
        ),
        _not_shown("credentials_seasonexport", "an office export, read in admin"),
        _not_shown("credentials_importbatch", "an office import, read in admin"),
        _not_shown("credentials_importedrow", "a row of an office import, read in admin"),
        _not_shown("credentials_issuerun", "the office's invoice run, read in admin"),
        _not_shown("credentials_issuerunchunk", "a part of an invoice run, read in admin"),
        _not_shown("credentials_packetbuild", "an office's audit packet build, read in admin"),
        _not_shown("credentials_packetbuilditem", "a renewal of a packet build, read in admin"),
        _not_shown(
            "credentials_packettoken",
            "an audit packet's verification token: its public page is not cached",
        ),
        _not_shown(
            "credentials_outboxmessage", "emails waiting to be sent: no page but admin shows them"
        ),
        _not_shown("credentials_contentversion", "the counters themselves"),
        *(
            _not_shown(f"credentials_historical{name}", HISTORY_ONLY_IN_ADMIN)
            for name in ("contactprofile", "credentialtype", "requirementset", "claim")
            + ("credential", "renewal")
        ),
    )


def install_after_migrate(using="default", **kwargs):
    """Every declared trigger, after every migrate (idempotent): a table rebuilt by a
    migration gets its triggers back."""
    REGISTRY.install(connections[using])


def drop_before_migrate(using="default", **kwargs):
    """SQLite cannot rebuild a table another table's trigger reads: the triggers go
    before a migrate and come back after it (install_after_migrate)."""
    REGISTRY.drop_for_migrate(connections[using])


def triggers_check(app_configs=None, databases=None, **kwargs):
    """System check: every declared trigger exists. Without one, a write goes uncounted
    and a cached page stays stale. Registered for `manage.py check --deploy --database
    default` (credentials.apps), not before `migrate`, which is what installs them."""
    errors = []
    for alias in databases or ():
        missing = REGISTRY.missing(connections[alias])
        if missing:
            more = ", ..." if len(missing) > 5 else ""
            errors.append(
                checks.Error(
                    f"The database {alias!r} lacks {len(missing)} content version "
                    f"trigger(s): {', '.join(missing[:5])}{more}",
                    hint="Run `manage.py migrate`: it installs them after every migration.",
                    id="portal.E002",
                )
            )
    return errors
