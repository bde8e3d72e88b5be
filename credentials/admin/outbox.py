"""The outbox in admin: every email the portal sent or tried to, with its error, and a
"retry failed" action. Messages are records: nobody edits or deletes them here."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import Truncator

from credentials.models import OutboxMessage
from credentials.permissions import CHANGE_OUTBOX_MESSAGE
from credentials.services import outbox
from renewal_portal.infra.admin_display import short_datetime


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created",
        "kind",
        "to_email",
        "subject",
        "status_badge",
        "sent",
    ]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["to_email", "subject", "dedupe_key", "holder__email", "holder__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["holder"]
    actions = ["retry_failed"]
    fieldsets = (
        (None, {"fields": ("kind", "status", "holder", "renewal", "to_email", "subject")}),
        ("Delivery", {"fields": ("attempts", "last_error", "created_at", "sent_at")}),
        ("Content", {"fields": ("body_text", "body_html", "attachments", "dedupe_key")}),
    )
    # An account email carries a one-time link or code that signs the holder in or sets
    # their password: staff see that it was sent, never its text.
    account_fieldsets = (
        (None, {"fields": ("kind", "status", "holder", "to_email", "subject")}),
        ("Delivery", {"fields": ("attempts", "last_error", "created_at", "sent_at")}),
        ("Content", {"fields": ("hidden_content",)}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.kind.startswith("account_"):
            return self.account_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["hidden_content"]

    @admin.display(description="content")
    def hidden_content(self, obj):
        return "Not shown: this account email holds a one-time link or code for the holder."

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm(CHANGE_OUTBOX_MESSAGE)

    @admin.display(description="queued", ordering="created_at")
    def created(self, obj):
        return short_datetime(obj.created_at)

    @admin.display(description="sent", ordering="sent_at")
    def sent(self, obj):
        return short_datetime(obj.sent_at)

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        # A failure's error follows its status in the same cell (the full text on hover and
        # on the message's page), so the list needs no column of its own for it.
        colour = {"sent": "#1e7e34", "failed": "#b02a37"}.get(obj.status, "#6c757d")
        tries = f" ({obj.attempts} tries)" if obj.attempts > 1 else ""
        error = f": {self.error(obj)}" if obj.last_error else ""
        return format_html(
            '<strong style="color: {}" title="{}">{}</strong>{}{}',
            colour,
            obj.last_error,
            obj.get_status_display(),
            tries,
            error,
        )

    @admin.display(description="error")
    def error(self, obj):
        return Truncator(obj.last_error).chars(80) if obj.last_error else ""

    @admin.action(description="Retry the selected failed messages", permissions=["retry"])
    def retry_failed(self, request, queryset):
        count = outbox.retry_failed(queryset)
        skipped = queryset.count() - count
        if count:
            self.message_user(request, f"{count} failed message(s) queued to be sent again.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected message(s) were not failed and were left alone.",
                messages.WARNING,
            )
