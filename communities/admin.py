from django.contrib import admin

from communities import events, services
from communities.models import (
    Community,
    CommunityFacilitator,
    Event,
    EventRegistration,
    Follow,
    ImplementationPlan,
    Invitation,
    JoinRequest,
    Membership,
    PlanComment,
    PlanDeliverable,
    PlanReflection,
    PlanReview,
    PlanStep,
    PlanTemplate,
    PlanTemplateStep,
    Post,
    Report,
    Resource,
    Thread,
)
from portal.admin import audit_history


class FacilitatorInline(admin.TabularInline):
    model = CommunityFacilitator
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "topic", "region", "visibility", "join_policy"]
    list_filter = ["kind", "visibility", "join_policy", "region"]
    search_fields = ["title", "topic", "region"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["institute"]
    inlines = [FacilitatorInline]


@admin.register(CommunityFacilitator)
class CommunityFacilitatorAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "starts_on", "ends_on"]
    list_filter = ["community"]
    search_fields = ["user__email", "user__name", "community__title"]
    raw_id_fields = ["user", "community"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "joined_at", "notify", "seen_orientation"]
    list_filter = ["notify", "community__kind"]
    search_fields = ["user__email", "user__name", "community__title"]
    raw_id_fields = ["user", "community"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["user__email", "community__title"]
    readonly_fields = ["user", "community", "message", "status", "decided_by", "decided_at", "history"]
    actions = ["approve", "decline"]

    def has_add_permission(self, request):
        return False  # people ask to join on the site, which tells the facilitators

    def has_delete_permission(self, request, obj=None):
        return False  # a request is approved or declined, and its answer is kept

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Approve the selected requests")
    def approve(self, request, queryset):
        for join_request in queryset.filter(status=JoinRequest.Status.PENDING):
            services.decide_join_request(join_request=join_request, approve=True, actor=request.user)

    @admin.action(description="Decline the selected requests")
    def decline(self, request, queryset):
        for join_request in queryset.filter(status=JoinRequest.Status.PENDING):
            services.decide_join_request(join_request=join_request, approve=False, actor=request.user)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email", "community__title"]
    readonly_fields = ["token", "accepted_at", "accepted_by"]
    raw_id_fields = ["community", "invited_by"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "author", "last_activity_at", "pinned", "locked", "hidden"]
    list_filter = ["pinned", "locked", "hidden"]
    search_fields = ["title", "community__title"]
    raw_id_fields = ["community", "author"]
    readonly_fields = ["pinned", "locked", "hidden"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["pk", "thread", "author", "created_at", "edited_at", "hidden"]
    list_filter = ["hidden"]
    search_fields = ["body", "thread__title", "author__email"]
    raw_id_fields = ["thread", "author", "quote"]
    readonly_fields = ["body_html", "hidden"]
    actions = ["hide_posts"]

    @admin.action(description="Hide the selected posts")
    def hide_posts(self, request, queryset):
        for post in queryset:
            services.set_post_hidden(post=post, actor=request.user, hidden=True, note="from the admin")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["post", "reporter", "created_at", "resolved", "resolved_by"]
    list_filter = ["resolved"]
    raw_id_fields = ["post", "reporter", "resolved_by"]
    readonly_fields = ["resolved", "resolved_by", "resolved_at"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "thread", "community", "created_at"]
    raw_id_fields = ["user", "thread", "community"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "topic", "added_by", "created_at"]
    list_filter = ["topic"]
    search_fields = ["title", "description"]
    raw_id_fields = ["community", "added_by"]
    readonly_fields = ["description_html"]


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    readonly_fields = ["status"]  # the plan's owner keeps it on the site


class PlanTemplateStepInline(admin.TabularInline):
    model = PlanTemplateStep
    extra = 0


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    """A planning protocol: a team plan started from it gets its steps (plans already started keep
    theirs)."""

    list_display = ["title", "updated_at"]
    search_fields = ["title"]
    inlines = [PlanTemplateStepInline]


class PlanDeliverableInline(admin.TabularInline):
    model = PlanDeliverable
    extra = 0
    fields = ["title", "url", "file", "added_by", "resource"]
    readonly_fields = ["added_by", "resource"]


@admin.register(ImplementationPlan)
class ImplementationPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "institute", "shared_with", "updated_at"]
    search_fields = ["title", "owner__email"]
    raw_id_fields = ["owner", "shared_with", "institute", "team"]
    filter_horizontal = ["members"]
    inlines = [PlanStepInline, PlanDeliverableInline]


@admin.register(PlanReview)
class PlanReviewAdmin(admin.ModelAdmin):
    list_display = ["plan", "author", "created_at"]
    raw_id_fields = ["plan", "author"]


@admin.register(PlanStep)
class PlanStepAdmin(admin.ModelAdmin):
    list_display = ["description", "plan", "owner_name", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["plan"]
    readonly_fields = ["status"]  # the plan's owner keeps it on the site


@admin.register(PlanReflection)
class PlanReflectionAdmin(admin.ModelAdmin):
    list_display = ["plan", "created_at"]
    raw_id_fields = ["plan"]


@admin.register(PlanComment)
class PlanCommentAdmin(admin.ModelAdmin):
    list_display = ["plan", "author", "created_at"]
    raw_id_fields = ["plan", "author"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "kind", "starts_at", "capacity", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "community__title"]
    readonly_fields = [
        "community",
        "status",
        "starts_at",
        "ends_at",
        "created_by",
        "description_html",
        "materials_shared_at",
        "history",
    ]
    actions = ["cancel"]

    def has_add_permission(self, request):
        return False  # facilitators schedule events on the community's page (dates, e-mails)

    def has_delete_permission(self, request, obj=None):
        return False  # an event is cancelled, which tells the registrants

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Cancel the selected events (registrants are told)")
    def cancel(self, request, queryset):
        for event in queryset.filter(status=Event.Status.SCHEDULED):
            events.cancel_event(event, by=request.user, note="Cancelled by the program.")


@admin.register(EventRegistration)
class EventRegistrationAdmin(admin.ModelAdmin):
    list_display = ["person", "event", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["person__email", "event__title"]
    readonly_fields = ["event", "person", "status", "created_at", "cancelled_at", "history"]

    def has_add_permission(self, request):
        return False  # people register on the event's page, under its capacity lock

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)
