from django.contrib import admin

from credentials.models import FaqEntry, OfficeContact


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "position", "published"]
    list_editable = ["position", "published"]
    search_fields = ["question", "answer"]


@admin.register(OfficeContact)
class OfficeContactAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "hours"]
