"""Admin for instruments and their questions, frozen once answered; invitations and quotes read-only.

An answered instrument can be neither edited nor deleted, here or anywhere (the models refuse
it): "Start a new version" copies it as an unpublished draft, and "Publish" makes a version the
one new invitations use. Quotes move through the review service, like the coordinators' queue.
"""

from django.contrib import admin, messages
from django.db.models import Count

from portal.admin import audit_history
from portal.surveys import services
from portal.surveys.models import Instrument, Invitation, Question, Quote, SurveyError


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "prompt", "help_text", "choices", "required", "quotable"]

    def _editable(self, obj) -> bool:
        return obj is None or not obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.action(description="Start a new version (an unpublished copy)")
def start_new_version(modeladmin, request, queryset):
    for instrument in queryset:
        copy = services.new_version(instrument, by=request.user)
        messages.success(request, f"{copy} started: edit its questions, then publish it.")


@admin.action(description="Publish (new invitations use the newest published version)")
def publish(modeladmin, request, queryset):
    for instrument in queryset:
        try:
            if services.publish(instrument, by=request.user):
                messages.success(request, f"{instrument} is published.")
        except SurveyError as exc:
            messages.error(request, f"{instrument}: {exc}")


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "version", "anonymous", "published_at", "answers"]
    list_filter = ["key", "anonymous"]
    search_fields = ["title", "key"]
    inlines = [QuestionInline]
    actions = [start_new_version, publish]
    fields = ["key", "version", "title", "intro", "anonymous", "valid_days", "published_at", "history"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answer_count=Count("responses"))

    @admin.display(description="answers", ordering="answer_count")
    def answers(self, obj) -> int:
        return obj.answer_count

    @admin.display(description="history")
    def history(self, obj) -> str:
        return audit_history(obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return self.fields
        return ["published_at", "history"] if obj is None else ["key", "version", "published_at", "history"]

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.is_frozen) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would not ask each instrument
        return actions


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "instrument", "purpose", "sent_at", "answered_at", "expires_at"]
    list_filter = ["purpose", "instrument__key"]
    search_fields = ["email", "name"]
    list_select_related = ["instrument"]
    readonly_fields = [f.name for f in Invitation._meta.concrete_fields]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False  # invitations come from services.invite, with their e-mail

    def has_change_permission(self, request, obj=None):
        return False


def _review(approve: bool):
    def action(modeladmin, request, queryset):
        for quote in queryset:
            try:
                services.review_quote(quote, approve=approve, by=request.user)
            except SurveyError as exc:
                messages.error(request, str(exc))

    action.__name__ = "approve" if approve else "decline"
    return admin.action(description=f"{'Approve' if approve else 'Decline'} the selected quotes")(action)


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["text", "state", "created_at", "reviewed_by"]
    list_filter = ["state"]
    search_fields = ["text"]
    readonly_fields = ["text", "state", "created_at", "reviewed_by", "reviewed_at", "history"]
    fields = readonly_fields
    actions = [_review(True), _review(False)]

    @admin.display(description="history")
    def history(self, obj) -> str:
        return audit_history(obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
