"""Accounts and contact profiles in admin, with least privilege for office accounts.

A superuser sees every account and grants roles; AASC staff see holders' accounts only
(never an office account: staff, reviewers, superusers), change their name, email and
contact details, and send them a password-reset email. Nobody but a superuser sets a
password directly. Who may do what is credentials.roles.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html

from credentials import roles
from credentials.admin.season_filters import RenewalNotIssuedFilter
from credentials.forms import refuse_control_characters
from credentials.models import ContactProfile, User
from credentials.permissions import INVITE_HOLDERS
from credentials.services import accounts as account_services
from credentials.services import imports as import_services
from renewal_portal.infra.admin_display import short_datetime
from renewal_portal.infra.admin_history import AdminChangeReasonMixin, HistoryAdmin


class ContactProfileInline(admin.StackedInline):
    model = ContactProfile
    can_delete = False
    extra = 0


class AccountForm(forms.ModelForm):
    """The change form: exactly the fields get_fieldsets lists for the signed-in role."""

    class Meta:
        model = User
        fields = []

    def clean(self):
        cleaned = super().clean()
        refuse_control_characters(self, cleaned)
        return cleaned


class HolderAccountForm(forms.ModelForm):
    """How AASC staff add a holder: name and email only. The holder chooses a password
    from the reset email; nobody in the office ever knows it."""

    class Meta:
        model = User
        fields = list(roles.HOLDER_ACCOUNT_FIELDS)

    def clean(self):
        cleaned = super().clean()
        refuse_control_characters(self, cleaned)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(AdminChangeReasonMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role_names", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_active", RenewalNotIssuedFilter]
    search_fields = ["email", "first_name", "last_name", "profile__employer", "profile__member_id"]
    inlines = [ContactProfileInline]
    form = AccountForm
    add_form_template = None
    actions = ["send_password_reset", "invite_holders"]
    superuser_fieldsets = (
        (None, {"fields": ("email", "password_page")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    staff_fieldsets = (
        (
            None,
            {
                "fields": ("email",),
                "description": "Once a holder has signed in, they change their own email "
                "address (Contact details → change it), so password resets only ever go to "
                "their own mailbox.",
            },
        ),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Access",
            {
                "fields": ("is_active", "role_names", "last_login", "date_joined"),
                "description": "Only a superuser grants roles or changes an account's "
                "access. To let a holder choose a new password, use “Send a "
                "password-reset email” on the list.",
            },
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    staff_add_fieldsets = ((None, {"fields": roles.HOLDER_ACCOUNT_FIELDS}),)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("groups")
        return roles.accounts_visible_to(request.user, queryset)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not roles.may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not roles.may_change_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        superuser = roles.manages_office_accounts(request.user)
        if obj is None:
            return self.add_fieldsets if superuser else self.staff_add_fieldsets
        return self.superuser_fieldsets if superuser else self.staff_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if roles.manages_office_accounts(request.user):
            return ["password_page", "last_login", "date_joined"]
        readonly = ["is_active", "role_names", "last_login", "date_joined"]
        if not roles.may_change_email(request.user, obj):
            readonly.insert(0, "email")
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not roles.manages_office_accounts(request.user):
            kwargs["form"] = HolderAccountForm
            return admin.ModelAdmin.get_form(self, request, obj, **kwargs)
        return super().get_form(request, obj, **kwargs)

    def response_add(self, request, obj, post_url_continue=None):
        if not obj.has_usable_password():
            self.message_user(
                request,
                f"{obj.email} has no password yet: select the account on the list and "
                "“Send a password-reset email” so they can choose one.",
                messages.INFO,
            )
        return super().response_add(request, obj, post_url_continue)

    def user_change_password(self, request, id, form_url=""):
        if not roles.manages_office_accounts(request.user):
            raise PermissionDenied("Only a superuser sets a password directly.")
        return super().user_change_password(request, id, form_url)

    @admin.display(description="roles")
    def role_names(self, user):
        names = [group.name for group in user.groups.all()]
        if user.is_superuser:
            names.insert(0, "Superuser")
        return ", ".join(names) or "Holder"

    @admin.display(description="password")
    def password_page(self, user):
        url = reverse("admin:auth_user_password_change", args=[user.pk])
        return format_html(
            'Passwords are never shown. <a href="{}">Set this account’s password</a>, or '
            "send a password-reset email from the list.",
            url,
        )

    @admin.action(description="Send a password-reset email", permissions=["change"])
    def send_password_reset(self, request, queryset):
        sent = []
        for account in queryset:
            try:
                account_services.send_password_reset(account, by=request.user, request=request)
            except (PermissionDenied, ValidationError) as exc:
                text = " ".join(getattr(exc, "messages", None) or [str(exc)])
                self.message_user(request, f"{account.email}: {text}", messages.ERROR)
            else:
                sent.append(account.email)
        if sent:
            self.message_user(
                request, f"Password-reset email sent to {', '.join(sent)}.", messages.SUCCESS
            )

    @admin.action(
        description="Invite selected holders (email a link to set a password)",
        permissions=["invite"],
    )
    def invite_holders(self, request, queryset):
        holders = list(roles.holder_accounts(queryset))
        count = import_services.invite_holders(holders, request.user)
        skipped = len(holders) - count
        text = f"{count} invitation{'s' if count != 1 else ''} queued."
        if skipped:
            text += (
                f" {skipped} not invited: invited before, or they have a password or have "
                "signed in already."
            )
        self.message_user(request, text, messages.SUCCESS)

    def has_invite_permission(self, request):
        return request.user.has_perm(INVITE_HOLDERS)


@admin.register(ContactProfile)
class ContactProfileAdmin(HistoryAdmin):
    list_display = ["user", "phone", "city", "state", "employer", "job_title", "updated"]
    list_filter = ["state"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "employer", "city"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, profile):
        return short_datetime(profile.updated_at)

    def get_queryset(self, request):
        return roles.profiles_visible_to(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        # Contact details belong to their account: never moved to another one.
        return ["user"] if obj is not None else []
