"""Roles are Django groups with permissions; this is the one place that says which.

Holders are ordinary users with no group. AASC staff run classes, verify forms and
handle invoices in admin but cannot approve for NAAEI; NAAEI reviewers approve or
reject submissions but cannot verify for AASC and see nothing of payments.
"""

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
        "credentials.view_outboxmessage",
        "credentials.change_outboxmessage",  # the "retry failed" action; fields are read-only
        *_crud("credentials", "issuerun", ("add", "change", "view")),
        "credentials.view_issuerunchunk",
        *_crud("credentials", "packetbuild", ("add", "view")),  # audit packets of many renewals
        *_crud("cec", "course"),
        *_crud("cec", "classsession"),
        *_crud("cec", "attendance"),
        *_crud("cec", "event"),
        "cec.view_checkin",
        *_crud("cec", "ledgerentry", ("change", "view")),
        *_crud("cec", "reportingform", ("change", "view")),
        "cec.verify_reportingform",
        "cec.view_evidence",
        "cec.view_submission",
        *_crud("payments", "invoice", ("change", "view")),
        "payments.view_invoiceline",
        *_crud("payments", "payment", ("view",)),
        "payments.record_offline_payment",
        "payments.refund_payment",
        "payments.view_webhookevent",
        *_crud("django_celery_beat", "periodictask", ("change", "view")),
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.view_intervalschedule",
    ],
    NAAEI_REVIEWER: [
        "cec.review_submission",
        "cec.view_submission",
        "cec.view_ledgerentry",
        "cec.view_reportingform",
        "cec.view_evidence",
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


def _in_group(user, name):
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return name in cache


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

    if sender is not list(global_apps.get_app_configs())[-1]:
        return
    sync_roles(Group, Permission)
