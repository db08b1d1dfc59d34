"""Credits are written by the apps' attendance through the services; the admin only reads them."""

from django.contrib import admin

from portal.learning.models import HoursRecord, LearningCredit


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LearningCredit)
class LearningCreditAdmin(ReadOnlyAdmin):
    list_display = ["person", "title", "kind", "on", "hours", "topic", "community_id"]
    list_filter = ["kind"]
    search_fields = ["person__email", "person__name", "title", "topic"]
    date_hierarchy = "on"
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(HoursRecord)
class HoursRecordAdmin(ReadOnlyAdmin):
    list_display = ["person_name", "period_start", "period_end", "total_hours", "created_at", "superseded_by"]
    search_fields = ["person__email", "person_name", "code"]
    list_select_related = ["person"]
