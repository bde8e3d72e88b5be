"""Roles are Django groups with permissions; this is the one place that says which.

Holders are ordinary users with no group. AASC staff run classes, verify forms and
handle invoices in admin but cannot approve for NAAEI; NAAEI reviewers approve or
reject submissions but cannot verify for AASC and see nothing of payments.

Least privilege for office accounts (issue 15): only a superuser grants roles, sets a
password or touches an office account (staff, reviewers, superusers); staff change a
holder's name, email and contact details and send them a password-reset email. Nobody
credits CECs to their own ledger (separation of duties), and only a superuser changes
what a scheduled task runs.
"""

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q

from credentials.permissions import (
    CHANGE_OUTBOX_MESSAGE,
    CHANGE_USER,
    DECIDE_CLAIM,
    IMPORT_RECORDS,
    INVITE_HOLDERS,
    RECORD_OFFLINE_PAYMENT,
    REFUND_PAYMENT,
    REVIEW_SUBMISSION,
    VERIFY_REPORTING_FORM,
    VIEW_CHECKIN,
    VIEW_CRONTAB_SCHEDULE,
    VIEW_EVIDENCE,
    VIEW_IMPORT_BATCH,
    VIEW_INTERVAL_SCHEDULE,
    VIEW_INVOICE_LINE,
    VIEW_ISSUE_RUN_CHUNK,
    VIEW_LEDGER_ENTRY,
    VIEW_OUTBOX_MESSAGE,
    VIEW_REPORTING_FORM,
    VIEW_SEASON_DASHBOARD,
    VIEW_SUBMISSION,
    VIEW_WEBHOOK_EVENT,
)

AASC_STAFF = "AASC staff"
NAAEI_REVIEWER = "NAAEI reviewer"


def _crud(app, model, actions=("add", "change", "delete", "view")):
    return [f"{app}.{action}_{model}" for action in actions]


ROLE_PERMISSIONS = {
    AASC_STAFF: [
        *_crud("credentials", "user", ("add", "change", "view")),
        *_crud("credentials", "contactprofile", ("change", "view")),
        *_crud("credentials", "credentialtype"),
        *_crud("credentials", "requirementset"),
        *_crud("credentials", "credential", ("add", "change", "view")),
        *_crud("credentials", "renewal", ("add", "change", "view")),
        *_crud("credentials", "faqentry"),
        *_crud("credentials", "officecontact", ("add", "change", "view")),
        VIEW_OUTBOX_MESSAGE,
        CHANGE_OUTBOX_MESSAGE,  # the "retry failed" action; fields are read-only
        *_crud("credentials", "issuerun", ("add", "change", "view")),
        VIEW_ISSUE_RUN_CHUNK,
        *_crud("credentials", "packetbuild", ("add", "view")),  # audit packets of many renewals
        # Issue 18: the claims queue, merging two records, the season dashboard and exports.
        *_crud("credentials", "claim", ("change", "view")),
        DECIDE_CLAIM,
        *_crud("credentials", "holdermerge", ("add", "view")),
        *_crud("credentials", "seasonexport", ("add", "view")),
        VIEW_SEASON_DASHBOARD,
        # Importing the office's spreadsheets and inviting the holders they bring in (issue 18).
        VIEW_IMPORT_BATCH,
        IMPORT_RECORDS,
        INVITE_HOLDERS,
        *_crud("cec", "course"),
        *_crud("cec", "classsession"),
        *_crud("cec", "attendance"),
        *_crud("cec", "event"),
        VIEW_CHECKIN,
        VIEW_CRONTAB_SCHEDULE,
        VIEW_INTERVAL_SCHEDULE,
        *_crud("cec", "ledgerentry", ("change", "view")),
        *_crud("cec", "reportingform", ("change", "view")),
        VERIFY_REPORTING_FORM,
        VIEW_EVIDENCE,
        VIEW_SUBMISSION,
        *_crud("payments", "invoice", ("change", "view")),
        VIEW_INVOICE_LINE,
        *_crud("payments", "payment", ("view",)),
        RECORD_OFFLINE_PAYMENT,
        REFUND_PAYMENT,
        VIEW_WEBHOOK_EVENT,
        *_crud("django_celery_beat", "periodictask", ("change", "view")),
        VIEW_CRONTAB_SCHEDULE,
        VIEW_INTERVAL_SCHEDULE,
    ],
    NAAEI_REVIEWER: [
        REVIEW_SUBMISSION,
        VIEW_SUBMISSION,
        VIEW_LEDGER_ENTRY,
        VIEW_REPORTING_FORM,
        VIEW_EVIDENCE,
    ],
}


def is_aasc_staff(user):
    return user.is_authenticated and (user.is_superuser or _in_group(user, AASC_STAFF))


def is_naaei_reviewer(user):
    return user.is_authenticated and (user.is_superuser or _in_group(user, NAAEI_REVIEWER))


def is_holder(user):
    """Anyone signed in who is not office or reviewer staff holds credentials."""
    return user.is_authenticated and not (
        user.is_superuser or _in_group(user, AASC_STAFF) or _in_group(user, NAAEI_REVIEWER)
    )


def _role_names(user) -> set:
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True)) if user.pk else set()
        user._role_names = cache
    return cache


# --- The facts every request asks, loaded with the user (issue 19) -------------------------

# Stands for membership of a group other than the two roles: it makes an office account.
_OTHER_GROUP = "(another group)"


def with_role_facts(users):
    """`users` (a User queryset) with what every signed-in request asks about its user,
    computed by the database in the same query: membership of each role's group, of any
    other group, whether two-factor authentication is set up, and whether any permission
    is granted to the account itself. Read at every request (credentials.backends), so
    they are never stale and nothing has to invalidate them."""
    member_of = Group.objects.filter(user=OuterRef("pk"))
    return users.annotate(
        role_aasc_staff=Exists(member_of.filter(name=AASC_STAFF)),
        role_naaei_reviewer=Exists(member_of.filter(name=NAAEI_REVIEWER)),
        role_other_group=Exists(member_of.exclude(name__in=[AASC_STAFF, NAAEI_REVIEWER])),
        role_two_factor=Exists(Authenticator.objects.filter(user=OuterRef("pk"))),
        role_own_permissions=Exists(Permission.objects.filter(user=OuterRef("pk"))),
    )


def remember_role_facts(user):
    """Keep the facts of `with_role_facts` on `user`, where the role checks below and
    `has_two_factor` read them instead of asking the database."""
    user._role_names = {
        name
        for name, member in (
            (AASC_STAFF, user.role_aasc_staff),
            (NAAEI_REVIEWER, user.role_naaei_reviewer),
            (_OTHER_GROUP, user.role_other_group),
        )
        if member
    }
    user._two_factor = bool(user.role_two_factor)
    user._own_permissions = bool(user.role_own_permissions)
    return user


def may_hold_permissions(user, source: str) -> bool:
    """Whether `user` may hold any permission from `source` ("user": granted to the
    account itself, "group": through its groups), by the facts loaded with the user;
    True when they were not loaded (then the database is asked)."""
    if source == "user":
        return getattr(user, "_own_permissions", True)
    names = getattr(user, "_role_names", None)
    return names is None or bool(names)


def has_two_factor(user) -> bool:
    """Whether the user has set up two-factor authentication (any allauth authenticator,
    as allauth's is_mfa_enabled says)."""
    known = getattr(user, "_two_factor", None)
    if known is None:
        known = Authenticator.objects.filter(user_id=user.pk).exists()
    return known


def _in_group(user, name):
    return name in _role_names(user)


# --- Office accounts and what staff may do to accounts ------------------------------------

# The fields of a holder's account AASC staff may change; the rest is the superuser's.
HOLDER_ACCOUNT_FIELDS = ("email", "first_name", "last_name")


def office_accounts_q() -> Q:
    """Accounts with any office role: staff, superusers, and members of any group."""
    return Q(is_staff=True) | Q(is_superuser=True) | Q(groups__isnull=False)


def holder_accounts(queryset):
    """`queryset` of users without the office accounts."""
    return queryset.filter(is_staff=False, is_superuser=False).exclude(groups__isnull=False)


def accounts_visible_to(user, queryset):
    """The accounts of `queryset` `user` may see in admin: a superuser every account,
    AASC staff holders' accounts only."""
    if manages_office_accounts(user):
        return queryset
    return holder_accounts(queryset)


def profiles_visible_to(user, queryset):
    """The contact profiles of `queryset` `user` may see in admin: those of the accounts
    `accounts_visible_to` shows them."""
    if manages_office_accounts(user):
        return queryset
    return queryset.filter(user__in=holder_accounts(get_user_model().objects.all()))


def is_office_account(user) -> bool:
    return bool(user.is_staff or user.is_superuser or _role_names(user))


def manages_office_accounts(user) -> bool:
    """Granting roles, setting passwords and changing office accounts: superusers only."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def may_change_account(by, account) -> bool:
    """A superuser any account; AASC staff (change_user) a holder's account only."""
    if manages_office_accounts(by):
        return True
    return by.has_perm(CHANGE_USER) and not is_office_account(account)


def may_change_email(by, account) -> bool:
    """A superuser any account's email; AASC staff only a record nobody has used yet (no
    password, never signed in), e.g. to correct an imported typo. A holder who uses the
    account changes their own address: a clerk who could type in their own mailbox, then
    send the password-reset email, would own the account."""
    if manages_office_accounts(by):
        return True
    return (
        may_change_account(by, account)
        and not account.has_usable_password()
        and account.last_login is None
    )


# --- Separation of duties ----------------------------------------------------------------

SELF_CREDIT_REFUSED = (
    "Nobody can credit CECs to their own ledger: ask another AASC staff member to do it."
)


def credits_own_ledger(by, holder) -> bool:
    """True when `by` would credit (or change) CECs in their own ledger."""
    return by is not None and holder is not None and by.pk == holder.pk


OWN_MONEY_REFUSED = (
    "Nobody records or refunds a payment on their own invoice: ask another AASC staff "
    "member to do it."
)


def settles_own_invoice(by, holder) -> bool:
    """True when `by` would record or give back money on their own invoice (a cheque
    recorded pays their own step 2; a refund to themselves)."""
    return by is not None and holder is not None and by.pk == holder.pk


def changes_schedule_arguments(user) -> bool:
    """What a scheduled task runs (task, arguments, schedule) is the superuser's to change;
    staff pause, resume and run schedules now."""
    return manages_office_accounts(user)


def sync_roles(group_model, permission_model):
    """Create the groups and give each exactly the permissions listed above."""
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            wanted.extend(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, apps=None, **kwargs):
    """post_migrate runs once per app; permissions of every app exist only after the last."""
    from django.apps import apps as global_apps
    from django.contrib.auth.models import Group, Permission

    # Django sends post_migrate only for apps with a models module.
    with_models = [config for config in global_apps.get_app_configs() if config.models_module]
    if sender is not with_models[-1]:
        return
    sync_roles(Group, Permission)
