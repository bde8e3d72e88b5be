"""Django admin, walked for every registered model: AASC staff see what their role's
permissions allow and nothing else; holders and reviewers never get in."""

import pytest
from django.contrib import admin
from django.contrib.admin.options import ModelAdmin
from django.urls import reverse

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", [m for m, _ in REGISTRY], ids=lambda m: m._meta.label)
def test_staff_see_a_changelist_only_with_the_view_or_change_permission(model, staff, staff_client):
    opts = model._meta
    allowed = staff.has_perm(f"{opts.app_label}.view_{opts.model_name}") or staff.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
    response = staff_client.get(_changelist(model))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("model", [m for m, _ in REGISTRY], ids=lambda m: m._meta.label)
def test_holders_and_reviewers_never_reach_the_admin(model, holder_client, reviewer_client):
    for client in (holder_client, reviewer_client):
        response = client.get(_changelist(model))
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_staff_cannot_approve_submissions_in_the_admin(staff):
    from cec.models import Submission

    model_admin = admin.site._registry[Submission]
    request = type("Request", (), {"user": staff, "GET": {}, "POST": {}})()
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not staff.has_perm("cec.review_submission")


def _custom_actions(model_admin: ModelAdmin):
    for action in model_admin.actions or []:
        func = action if callable(action) else getattr(model_admin, action)
        yield func


OUR_APPS = ("credentials", "cec", "payments")


@pytest.mark.parametrize(
    "model",
    # Our apps' admins, and third-party ones we replaced (the beat schedules).
    [m for m, a in REGISTRY if type(a).__module__.split(".")[0] in OUR_APPS],
    ids=lambda m: m._meta.label,
)
def test_every_admin_action_names_the_permissions_it_needs(model):
    """Django then hides the action from, and refuses it to, anyone without them."""
    model_admin = admin.site._registry[model]
    for func in _custom_actions(model_admin):
        assert getattr(func, "allowed_permissions", None), f"{model_admin}: {func.__name__}"


# --- The user admin: who may change which field of which account (issue 15.1) ----------

USER_FIELDS = ["email", "first_name", "last_name", "password", "is_active", "is_staff"]
USER_FIELDS += ["is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
# What each role may change on a holder's account; everything else is shown read-only
# or left out of the page. Reviewers never reach the admin (see above).
USER_ADMIN_MATRIX = {
    "superuser": {
        "editable": {"email", "first_name", "last_name", "is_active", "is_staff"}
        | {"is_superuser", "groups", "user_permissions"},
        "readonly": {"password_page", "last_login", "date_joined"},
        "absent": {"password"},  # set only on its own page, never in this form
    },
    "staff": {
        # A holder who uses their account changes their own email: a clerk who could type
        # in their own mailbox and then send the reset email would own the account.
        "editable": {"first_name", "last_name"},
        "readonly": {"email", "is_active", "role_names", "last_login", "date_joined"},
        "absent": {"password", "is_staff", "is_superuser", "groups", "user_permissions"},
    },
}


@pytest.fixture
def superuser(db):
    from tests.factories import SuperuserFactory

    return SuperuserFactory(email="root@example.org")


@pytest.fixture
def superuser_client(superuser):
    from django.test import Client

    client = Client()
    client.force_login(superuser)
    return client


def _user_change_url(user):
    return reverse("admin:credentials_user_change", args=[user.pk])


@pytest.fixture
def clients(staff_client, superuser_client):
    return {"staff": staff_client, "superuser": superuser_client}


@pytest.mark.parametrize("role", sorted(USER_ADMIN_MATRIX))
def test_each_role_sees_exactly_its_fields_of_a_holders_account(role, clients, holder):
    from tests.support.admin_forms import editable_fields, readonly_fields

    response = clients[role].get(_user_change_url(holder))
    assert response.status_code == 200
    expected = USER_ADMIN_MATRIX[role]
    assert editable_fields(response) == expected["editable"]
    assert readonly_fields(response) == expected["readonly"]
    page = response.content.decode()
    for name in expected["absent"]:
        assert f'name="{name}"' not in page, name


def test_staff_edit_a_holders_name_and_contact_details_but_not_their_email(staff_client, holder):
    from tests.support.admin_forms import admin_post_data

    data = admin_post_data(staff_client.get(_user_change_url(holder)))
    data.update(first_name="Renamed", last_name="Holder", email="clerk-mailbox@example.org")
    data["profile-0-phone"] = "(719) 555-0199"
    response = staff_client.post(_user_change_url(holder), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    holder.refresh_from_db()
    assert (holder.first_name, holder.email) == ("Renamed", "holder-a@example.org")
    assert holder.profile.phone == "(719) 555-0199"


def test_staff_correct_the_email_of_a_record_nobody_has_signed_into(staff_client):
    from tests.factories import HolderFactory
    from tests.support.admin_forms import admin_post_data

    record = HolderFactory(email="typo@exmaple.org", password=None)
    record.set_unusable_password()
    record.save()
    data = admin_post_data(staff_client.get(_user_change_url(record)))
    data.update(email="fixed@example.org")
    response = staff_client.post(_user_change_url(record), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    record.refresh_from_db()
    assert record.email == "fixed@example.org"


def test_a_clerk_cannot_take_over_a_holders_account_by_email_and_reset(
    staff_client, holder, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.support.admin_forms import admin_post_data

    data = admin_post_data(staff_client.get(_user_change_url(holder)))
    data.update(email="clerk-mailbox@example.org")
    staff_client.post(_user_change_url(holder), data)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:credentials_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [str(holder.pk)]},
        )
    assert all(message.to == [holder.email] for message in mailoutbox)
    assert holder.email == "holder-a@example.org"
    assert "clerk-mailbox@example.org" not in {to for m in mailoutbox for to in m.to}


def test_a_crafted_post_by_staff_grants_nothing(staff_client, staff, holder):
    from django.contrib.auth.models import Group, Permission

    from tests.support.admin_forms import admin_post_data

    for target in (holder, staff):
        password_before = type(target).objects.get(pk=target.pk).password
        url = _user_change_url(target)
        data = admin_post_data(staff_client.get(_user_change_url(holder)))
        data.update(
            is_superuser="on",
            is_staff="on",
            is_active="",
            groups=[str(g.pk) for g in Group.objects.all()],
            user_permissions=[str(p.pk) for p in Permission.objects.all()[:20]],
            password="pbkdf2_sha256$1$salt$forged",
            password1="new-password-123",
            password2="new-password-123",
        )
        staff_client.post(url, data)
        target.refresh_from_db()
        assert not target.is_superuser
        assert target.is_active
        assert target.password == password_before
        assert not target.user_permissions.exists()
    assert not holder.is_staff and not holder.groups.exists()
    assert set(staff.groups.values_list("name", flat=True)) == {"AASC staff"}


@pytest.mark.parametrize("office", ["staff_colleague", "reviewer", "superuser"])
def test_staff_do_not_see_or_change_office_accounts(office, staff_client, reviewer, superuser):
    from tests.factories import StaffFactory

    account = {
        "staff_colleague": lambda: StaffFactory(email="colleague@example.org"),
        "reviewer": lambda: reviewer,
        "superuser": lambda: superuser,
    }[office]()
    changelist = staff_client.get(reverse("admin:credentials_user_changelist"))
    assert account.email not in changelist.content.decode()
    response = staff_client.get(_user_change_url(account))
    assert response.status_code == 302  # "doesn't exist. Perhaps it was deleted?"
    staff_client.post(_user_change_url(account), {"email": account.email, "first_name": "X"})
    account.refresh_from_db()
    assert account.first_name != "X"


def test_staff_do_not_see_their_own_account_in_the_user_admin(staff_client, staff):
    assert staff_client.get(_user_change_url(staff)).status_code == 302


@pytest.mark.parametrize("role", ["staff", "superuser"])
def test_only_a_superuser_sets_a_password_directly(role, clients, holder):
    url = reverse("admin:auth_user_password_change", args=[holder.pk])
    before = type(holder).objects.get(pk=holder.pk).password
    data = {"password1": "Another-pass-2026!", "password2": "Another-pass-2026!"}
    data["usable_password"] = "true"
    get = clients[role].get(url)
    post = clients[role].post(url, data)
    holder.refresh_from_db()
    if role == "staff":
        assert get.status_code == 403 and post.status_code == 403
        assert holder.password == before
    else:
        assert get.status_code == 200 and post.status_code == 302
        assert holder.check_password("Another-pass-2026!")


def test_a_superuser_grants_roles_and_the_change_is_logged(superuser_client, holder):
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Group

    from tests.support.admin_forms import admin_post_data

    data = admin_post_data(superuser_client.get(_user_change_url(holder)))
    data.update(is_staff="on", groups=[str(Group.objects.get(name="AASC staff").pk)])
    response = superuser_client.post(_user_change_url(holder), data)
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.is_staff and holder.groups.filter(name="AASC staff").exists()
    assert LogEntry.objects.filter(object_id=str(holder.pk)).exists()


def test_staff_add_a_holder_without_a_password_or_a_role(staff_client):
    from tests.support.admin_forms import admin_post_data, editable_fields

    url = reverse("admin:credentials_user_add")
    response = staff_client.get(url)
    assert editable_fields(response) == {"email", "first_name", "last_name"}
    data = admin_post_data(response)
    data.update(
        {
            "email": "new-holder@example.org",
            "first_name": "New",
            "last_name": "Holder",
            "password1": "Chosen-by-staff-1",
            "password2": "Chosen-by-staff-1",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": ["1", "2"],
        }
    )
    assert staff_client.post(url, data).status_code == 302
    from credentials.models import User

    created = User.objects.get(email="new-holder@example.org")
    assert not created.is_superuser and not created.is_staff
    assert not created.groups.exists()
    assert not created.has_usable_password()


def test_staff_send_a_holder_a_password_reset_email(
    staff_client, holder, mailoutbox, django_capture_on_commit_callbacks
):
    # Account emails go through the outbox, which sends after the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:credentials_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [str(holder.pk)]},
        )
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [[holder.email]]
    assert "password" in mailoutbox[0].subject.lower()


def test_staff_cannot_send_a_reset_email_to_an_office_account(
    staff_client, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:credentials_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [str(superuser.pk)]},
        )
    assert mailoutbox == []


def test_reviewers_never_reach_the_user_admin(reviewer_client, holder):
    for url in (
        _user_change_url(holder),
        reverse("admin:credentials_user_add"),
        reverse("admin:auth_user_password_change", args=[holder.pk]),
    ):
        response = reviewer_client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("role", sorted(USER_ADMIN_MATRIX))
def test_contact_profiles_of_office_accounts_are_hidden_from_staff(role, clients, staff):
    from tests.factories import ContactProfileFactory

    profile = ContactProfileFactory(user=staff)
    url = reverse("admin:credentials_contactprofile_change", args=[profile.pk])
    response = clients[role].get(url)
    assert response.status_code == (302 if role == "staff" else 200)


@pytest.mark.parametrize("role", sorted(USER_ADMIN_MATRIX))
def test_a_contact_profile_is_never_moved_to_another_account(role, clients, holder, superuser):
    from tests.support.admin_forms import admin_post_data

    url = reverse("admin:credentials_contactprofile_change", args=[holder.profile.pk])
    data = admin_post_data(clients[role].get(url))
    data.update(user=str(superuser.pk), phone="(719) 555-0111")
    clients[role].post(url, data)
    holder.profile.refresh_from_db()
    assert holder.profile.user_id == holder.pk
    assert holder.profile.phone == "(719) 555-0111"


# --- History pages are for reading: no "Revert" (issue 15.2) ------------------------------


def test_every_admin_with_a_history_keeps_it_read_only():
    from simple_history.admin import SimpleHistoryAdmin

    from renewal_portal.infra.admin_history import HistoryAdmin

    for model, model_admin in REGISTRY:
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, HistoryAdmin), model._meta.label


def _history_url(obj, record):
    opts = obj._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_simple_history"
    return reverse(name, args=[obj.pk, record.history_id])


def test_staff_cannot_revert_a_withdrawn_ledger_entry(staff_client, staff, holder):
    import datetime as dt

    from cec.models import EntryState
    from cec.services.ledger import record_attendance, remove_attendance
    from tests.factories import ClassSessionFactory

    entry = record_attendance(ClassSessionFactory(date=dt.date(2026, 5, 1)), holder, by=staff)
    credited = entry.history.earliest()
    remove_attendance(entry.attendance, by=staff)
    response = staff_client.post(_history_url(entry, credited), {})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.state == EntryState.WITHDRAWN


def test_viewing_a_reporting_forms_history_cannot_restore_it(staff_client, staff):
    from cec.models import FormState
    from tests.factories import verified_form

    form = verified_form(staff)
    sent = form.history.filter(state=FormState.SENT).latest()
    assert staff_client.get(_history_url(form, sent)).status_code == 200
    assert staff_client.post(_history_url(form, sent), {}).status_code == 403
    form.refresh_from_db()
    assert form.state == FormState.VERIFIED


# --- Admin pages with a rule of their own, per role (issue 15.1, 15.2) ---------------------

ADMIN_LOGIN = "login"


def _first_schedule():
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.order_by("pk").first()


ADMIN_PAGES = {
    # Issue 18: the season dashboard (its own permission) and the claims queue.
    "season dashboard": (
        lambda h, s, su, c: reverse("season_dashboard"),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 200, "superuser": 200},
    ),
    "claims queue": (
        lambda h, s, su, c: reverse("admin:credentials_claim_changelist"),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 200, "superuser": 200},
    ),
    "merge two holder records": (
        lambda h, s, su, c: reverse("admin:credentials_holdermerge_add"),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 200, "superuser": 200},
    ),
    "season exports": (
        lambda h, s, su, c: reverse("admin:credentials_seasonexport_add"),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 200, "superuser": 200},
    ),
    # name: (args from (holder, staff, superuser, credential), expected per role)
    "password of a holder": (
        lambda h, s, su, c: reverse("admin:auth_user_password_change", args=[h.pk]),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 403, "superuser": 200},
    ),
    "account of a holder": (
        lambda h, s, su, c: reverse("admin:credentials_user_change", args=[h.pk]),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 200, "superuser": 200},
    ),
    "account of the superuser": (
        lambda h, s, su, c: reverse("admin:credentials_user_change", args=[su.pk]),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 302, "superuser": 200},
    ),
    "account of a staff member": (
        lambda h, s, su, c: reverse("admin:credentials_user_change", args=[s.pk]),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 302, "superuser": 200},
    ),
    "change validity dates": (
        lambda h, s, su, c: reverse("admin:credentials_credential_validity", args=[c.pk]),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 200, "superuser": 200},
    ),
    "a beat schedule": (
        lambda h, s, su, c: reverse(
            "admin:django_celery_beat_periodictask_change", args=[_first_schedule().pk]
        ),
        {"holder": ADMIN_LOGIN, "reviewer": ADMIN_LOGIN, "staff": 200, "superuser": 200},
    ),
}


@pytest.mark.parametrize("page", sorted(ADMIN_PAGES))
def test_admin_pages_with_their_own_rule_answer_each_role(
    page, holder, holder_client, reviewer_client, staff, staff_client, superuser, superuser_client
):
    from tests.factories import CredentialFactory

    credential = CredentialFactory(holder=holder)
    url_for, expected = ADMIN_PAGES[page]
    url = url_for(holder, staff, superuser, credential)
    clients = {
        "holder": holder_client,
        "reviewer": reviewer_client,
        "staff": staff_client,
        "superuser": superuser_client,
    }
    for role, client in clients.items():
        response = client.get(url)
        if expected[role] == ADMIN_LOGIN:
            assert response.status_code == 302 and "/login" in response["Location"], role
        else:
            assert response.status_code == expected[role], role


def test_a_superuser_adds_an_account_with_a_password(superuser_client):
    from credentials.models import User
    from tests.support.admin_forms import admin_post_data, editable_fields

    url = reverse("admin:credentials_user_add")
    response = superuser_client.get(url)
    # Django's creation form also carries "usable_password" (not shown: always usable).
    assert editable_fields(response) - {"usable_password"} == {"email", "password1", "password2"}
    data = admin_post_data(response)
    data.update(
        email="new-clerk@example.org", password1="Chosen-1-pass!", password2="Chosen-1-pass!"
    )
    assert superuser_client.post(url, data).status_code == 302
    assert User.objects.get(email="new-clerk@example.org").check_password("Chosen-1-pass!")


# --- The imports of the office's spreadsheets (issue 18) ---------------------------------

IMPORT_PAGES = ["admin:credentials_importbatch_changelist", "admin:credentials_importbatch_add"]


@pytest.mark.parametrize("name", IMPORT_PAGES)
def test_staff_reach_the_import_pages_and_holders_and_reviewers_never_do(
    name, staff_client, holder_client, reviewer_client
):
    assert staff_client.get(reverse(name)).status_code == 200
    for client in (holder_client, reviewer_client):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_a_batch_and_its_steps_are_staff_only(staff, holder_client, reviewer_client):
    from credentials.models import ImportBatch

    batch = ImportBatch.objects.create(kind="holders", file_name="a.csv", file_data=b"Email\n")
    for name in ("change", "confirm", "undo", "invite", "progress"):
        url = reverse(f"admin:credentials_importbatch_{name}", args=[batch.pk])
        for client in (holder_client, reviewer_client):
            response = (
                client.post(url) if name in ("confirm", "undo", "invite") else client.get(url)
            )
            assert response.status_code == 302 and "/login" in response["Location"], name


def test_importing_needs_its_own_permission(staff):
    from django.contrib.auth.models import Group

    from credentials import roles

    assert staff.has_perm("credentials.import_records")
    assert staff.has_perm("credentials.invite_holders")
    assert (
        not Group.objects.get(name=roles.NAAEI_REVIEWER)
        .permissions.filter(codename__in=["import_records", "invite_holders", "view_importbatch"])
        .exists()
    )
