"""Admin: useful columns, filters and search; status fields change only through actions that call services.

No row with a status is added or deleted here behind the services' back: applications are made by
applicants on the site and never deleted (their history stays); an institute is added as a draft
(audited) and deleted only while it is a draft.
"""

from django.contrib import admin, messages

from institutes import services
from institutes.learning import credit_session
from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Attendance,
    Audience,
    Institute,
    InstituteCoordinator,
    Module,
    ModuleFamily,
    PracticeFacilitation,
    PracticeFeedback,
    PracticeResult,
    Rubric,
    RubricCriterion,
    Session,
    Team,
    TeamInvitation,
)
from portal import states
from portal.admin import audit_history


@admin.register(ModuleFamily)
class ModuleFamilyAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "family", "level", "hours", "certification_valid_months", "is_active"]
    list_filter = ["is_active", "family"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class CoordinatorInline(admin.TabularInline):
    model = InstituteCoordinator
    extra = 0
    autocomplete_fields = ["user"]


def _move_institutes(to: str, name: str, description: str):
    def action(modeladmin, request, queryset):
        service = services.INSTITUTE_MOVES[to]
        done = 0
        for institute in queryset:
            try:
                service(institute, by=request.user, note="Moved in the admin")
            except services.ApplicationError as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
            else:
                done += 1
        if done:
            label = Institute.Status(to).label.lower()
            modeladmin.message_user(request, f"{done} institute(s): {label}.", messages.SUCCESS)

    action.__name__ = name
    action.short_description = description
    return action


@admin.register(Institute)
class InstituteAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "module",
        "kind",
        "status",
        "location",
        "capacity",
        "applications_close_at",
        "team_required",
    ]
    list_filter = [
        "kind",
        "status",
        "training_type",
        "location",
        "occurrence",
        "accreditation",
        "team_required",
        "module",
    ]
    search_fields = ["title", "description", "module__title", "sponsor"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["audiences"]
    inlines = [SessionInline, CoordinatorInline]
    date_hierarchy = "applications_close_at"
    readonly_fields = ["status"]
    actions = [
        _move_institutes(
            Institute.Status.OPEN, "open_selected", "Open the selected institutes for applications"
        ),
        _move_institutes(
            Institute.Status.CLOSED, "close_selected", "Close applications to the selected institutes"
        ),
        _move_institutes(
            Institute.Status.RUNNING, "start_selected", "Mark the selected institutes as running"
        ),
        _move_institutes(
            Institute.Status.COMPLETED, "complete_selected", "Mark the selected institutes as completed"
        ),
        _move_institutes(
            Institute.Status.DRAFT, "unpublish_selected", "Take the selected institutes back to draft"
        ),
    ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # A published institute has a public record and history; only a draft can be thrown away.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == Institute.Status.DRAFT)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            # A raised capacity frees seats: the waitlist is offered them, as on the site.
            offered = services.capacity_changed(obj, previous=form.initial["capacity"])
            if offered:
                names = ", ".join(a.applicant.display_name for a in offered)
                self.message_user(request, f"Seats offered from the waitlist to: {names}.", messages.INFO)
        if not change:
            states.record(
                obj, action="created", by=request.user, to_status=obj.status, note="Added in the admin"
            )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Session:
            # A session moved or shortened here moves its participants' hours too.
            for session in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                credit_session(session)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["institute", "date", "starts_at", "ends_at", "place"]
    list_filter = ["institute"]
    search_fields = ["institute__title", "title", "place"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        credit_session(obj)


@admin.register(InstituteCoordinator)
class InstituteCoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "institute", "starts_on", "ends_on"]
    list_filter = ["institute"]
    search_fields = ["user__email", "user__name", "institute__title"]
    autocomplete_fields = ["user"]


def _decide(decision: str, label: str):
    def action(modeladmin, request, queryset):
        result = services.bulk_decide(
            list(queryset), decision=decision, by=request.user, note="Decided in the admin"
        )
        if result.done:
            modeladmin.message_user(request, f"{len(result.done)} application(s) {label}.", messages.SUCCESS)
        for application, reason in result.skipped:
            modeladmin.message_user(request, f"{application}: {reason}", messages.ERROR)

    action.__name__ = f"{decision}_selected"
    action.short_description = f"{decision.capitalize()} the selected applications"
    return action


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "applicant",
        "institute",
        "agency",
        "status",
        "is_eligible",
        "endorsement",
        "submitted_at",
    ]
    list_filter = ["status", "endorsement", "is_eligible", "institute", "agency__region"]
    search_fields = ["applicant__email", "applicant__name", "agency__name", "institute__title"]
    list_select_related = ["applicant", "institute", "agency"]
    autocomplete_fields = ["applicant", "agency"]
    readonly_fields = [
        "status",
        "submitted_at",
        "waitlisted_at",
        "offered_at",
        "offer_expires_at",
        "decided_at",
        "is_eligible",
        "eligibility_reasons",
        "endorsement",
        "endorsement_comment",
        "endorsement_answered_at",
        "part_completed_at",
        "team",
        "history",
    ]
    actions = [
        _decide("accept", "accepted"),
        _decide("waitlist", "waitlisted"),
        _decide("decline", "declined"),
    ]

    def has_add_permission(self, request):
        return False  # applicants apply on the site, where the rules are checked

    def has_delete_permission(self, request, obj=None):
        return False  # an application's history is kept; withdrawing or declining is the way out

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)


class InvitationInline(admin.TabularInline):
    model = TeamInvitation
    extra = 0
    readonly_fields = ["email", "state", "invited_by", "accepted_by", "answered_at"]
    exclude = ["token"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["agency", "institute", "lead", "submitted_at"]
    list_filter = ["institute"]
    search_fields = ["agency__name", "lead__email", "institute__title"]
    readonly_fields = ["submitted_at"]
    inlines = [InvitationInline]


@admin.register(TeamInvitation)
class TeamInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "state", "created_at"]
    list_filter = ["state"]
    search_fields = ["email", "team__agency__name"]
    readonly_fields = ["state", "accepted_by", "answered_at"]
    exclude = ["token"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "institute", "kind", "due_on"]
    list_filter = ["kind", "institute"]
    search_fields = ["title", "instructions", "institute__title"]
    date_hierarchy = "due_on"


@admin.action(description="Accept the selected submissions")
def accept_submissions(modeladmin, request, queryset):
    for submission in queryset:
        try:
            services.review_submission(submission, by=request.user, accept=True)
        except services.ApplicationError as exc:
            modeladmin.message_user(request, f"{submission}: {exc}", messages.ERROR)


@admin.register(AssignmentSubmission)
class AssignmentSubmissionAdmin(admin.ModelAdmin):
    list_display = ["application", "assignment", "state", "submitted_at", "reviewed_by"]
    list_filter = ["state", "assignment__institute"]
    search_fields = ["application__applicant__email", "assignment__title"]
    list_select_related = ["application__applicant", "application__institute", "assignment", "reviewed_by"]
    readonly_fields = ["state", "reviewed_by", "reviewed_at", "revision_count", "original_filename"]
    exclude = ["file"]  # files go out only through the permission-checked download view
    actions = [accept_submissions]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["application", "session", "status", "recorded_by", "recorded_at"]
    list_filter = ["status", "session__institute"]
    search_fields = ["application__applicant__email"]
    list_select_related = [
        "application__applicant",
        "application__institute",
        "session__institute",
        "recorded_by",
    ]

    # Attendance corrected here moves the session's hours, as on the attendance page.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        credit_session(obj.session)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        credit_session(obj.session)

    def delete_queryset(self, request, queryset):
        sessions = list(Session.objects.filter(pk__in=queryset.values("session_id")))
        super().delete_queryset(request, queryset)
        for session in sessions:
            credit_session(session)


@admin.register(PracticeResult)
class PracticeResultAdmin(admin.ModelAdmin):
    """Derived from the rubric scores (institutes.practice.refresh_result): read only here."""

    list_display = ["application", "result", "basis", "recorded_by", "recorded_at"]
    list_filter = ["result", "basis", "application__institute"]
    search_fields = ["application__applicant__email"]
    list_select_related = ["application__applicant", "application__institute", "recorded_by"]
    readonly_fields = ["application", "result", "basis", "rubric", "note", "recorded_by", "recorded_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0
    can_delete = False
    readonly_fields = ["position", "title", "level_descriptions"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    """Kept by coordinators on the rubric page (institutes.practice.save_rubric): read only here."""

    list_display = ["module", "version", "rule", "pass_level", "created_at"]
    list_filter = ["module"]
    search_fields = ["module__title"]
    list_select_related = ["module"]
    readonly_fields = ["module", "version", "levels", "rule", "pass_level", "min_criteria", "created_by"]
    inlines = [RubricCriterionInline]

    def has_add_permission(self, request):
        return False


@admin.register(PracticeFacilitation)
class PracticeFacilitationAdmin(admin.ModelAdmin):
    list_display = ["application", "topic", "given_on", "rubric"]
    list_filter = ["application__institute"]
    search_fields = ["application__applicant__email", "topic"]
    list_select_related = ["application__applicant", "application__institute", "rubric__module"]
    raw_id_fields = ["application", "rubric", "session", "created_by"]


@admin.register(PracticeFeedback)
class PracticeFeedbackAdmin(admin.ModelAdmin):
    """Scores change through the scoring page only (the result follows them): read only here."""

    list_display = ["facilitation", "scorer", "role", "updated_at"]
    list_filter = ["role", "facilitation__application__institute"]
    search_fields = ["scorer__email", "facilitation__application__applicant__email"]
    list_select_related = ["facilitation__application__applicant", "scorer"]
    readonly_fields = ["facilitation", "scorer", "role", "comments"]

    def has_add_permission(self, request):
        return False
