from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import format_html, format_html_join

from portal import emails
from portal.agencies import import_agencies
from portal.forms import AgencyImportForm
from portal.models import Agency, AuditEntry, NotificationPreference, OutboundEmail, SigningKey, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "agency", "position", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "name", "agency__name"]
    autocomplete_fields = ["agency"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "agency", "position", "phone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "consortium", "caep_funded", "is_lea", "cds_code", "is_active"]
    list_filter = ["kind", "caep_funded", "is_lea", "is_active", "region"]
    search_fields = ["name", "cds_code", "consortium", "region", "email_domains"]
    readonly_fields = ["is_lea", "created_at", "updated_at"]
    change_list_template = "admin/portal/agency/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="portal_agency_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            messages.error(request, "You may not import agencies.")
            return redirect("admin:portal_agency_changelist")
        form = AgencyImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = import_agencies(form.cleaned_data["file"])
            messages.success(request, f"Import finished: {report.summary()}.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "title": "Import agencies from CSV",
        }
        return render(request, "admin/portal/agency/import.html", context)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["recipient", "subject", "object_ref"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send the selected failed e-mails again")
    def resend(self, request, queryset):
        failed = queryset.filter(state=OutboundEmail.State.FAILED)
        for email in failed:
            emails.requeue(email)
        self.message_user(request, f"{failed.count()} e-mail(s) queued again.", messages.SUCCESS)


def audit_history(obj) -> str:
    """An object's audit trail as a read-only list, for the change page of any model with a status."""
    entries = AuditEntry.objects.about(obj).select_related("actor", "content_type")
    rows = format_html_join(
        "",
        "<li>{} · {}: {}{}</li>",
        (
            (
                f"{entry.at:%Y-%m-%d %H:%M}",
                entry.who,
                (f"{entry.from_label} → " if entry.from_status else "") + entry.to_label
                if entry.to_status
                else entry.action_label,
                f" (“{entry.note}”)" if entry.note else "",
            )
            for entry in entries
        ),
    )
    return format_html("<ol>{}</ol>", rows) if rows else "Nothing recorded yet."


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is read here and never written: services write it, nobody edits or deletes it."""

    list_display = ["at", "content_type", "object_id", "action", "from_status", "to_status", "who", "note"]
    list_filter = ["content_type", "action"]
    search_fields = ["note", "actor__email", "actor__name", "actor_label", "action"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Who turned which reminders off: for answering "why did I (not) get this e-mail?".

    People change their choices on their profile or with an e-mail's unsubscribe link; an admin
    may switch one back on or off for them, category by category (transactional e-mails always go).
    """

    list_display = ["user", "category", "enabled", "updated_at"]
    list_filter = ["category", "enabled"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    """The public keys badges were signed with. Rows are written by signing, never here; the one
    thing to set is ``withdrawn_at``, and only if a private key leaked."""

    list_display = ["kid", "algorithm", "first_used_at", "withdrawn_at"]
    readonly_fields = ["kid", "algorithm", "public_jwk", "first_used_at"]
    fields = ["kid", "algorithm", "public_jwk", "first_used_at", "withdrawn_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
