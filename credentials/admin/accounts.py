from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from credentials.models import ContactProfile, User


class ContactProfileInline(admin.StackedInline):
    model = ContactProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name", "profile__employer"]
    inlines = [ContactProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles(self, user):
        names = [group.name for group in user.groups.all()]
        return ", ".join(names) or "Holder"


@admin.register(ContactProfile)
class ContactProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "phone", "city", "state", "employer", "job_title", "updated_at"]
    list_filter = ["state"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "employer", "city"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
