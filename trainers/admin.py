"""Admin: status fields are read-only and change only through actions that call the services.

No certification, report or honorarium is added or deleted here: each comes from a service that
checks the rules, writes the audit trail and e-mails the person (a certification from the
institute's completion roster), and each keeps its history.
"""

from django.contrib import admin, messages
from django.db import models

from portal.admin import audit_history
from trainers import planning, registration, services, training_requests
from trainers.models import (
    Certification,
    CoFacilitator,
    FacilitationReport,
    Honorarium,
    HonorariumRate,
    MentoringMeeting,
    MentorOffer,
    Mentorship,
    Registration,
    RequestOffer,
    TrainerProfile,
    TrainingRequest,
    TrainingSession,
    TurnkeyTraining,
)


def _run(modeladmin, request, queryset, action, done: str):
    count = 0
    for obj in queryset:
        try:
            action(obj)
            count += 1
        except services.TrainerError as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.WARNING)
    if count:
        modeladmin.message_user(request, f"{count} {done}.", messages.SUCCESS)


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = [
        "participant",
        "module",
        "institute",
        "issued_on",
        "commitment_ends_on",
        "valid_until",
        "status",
        "code",
    ]
    list_filter = ["status", "module", "issued_on"]
    search_fields = ["participant__name", "participant__email", "code", "module__title"]
    list_select_related = ["participant", "module", "institute"]
    autocomplete_fields = ["participant"]
    readonly_fields = [
        "participant",
        "module",
        "institute",
        "issued_on",
        "code",
        "status",
        "revoked_reason",
        "revoked_at",
        "commitment_ends_on",
        "valid_until",
        "renewed_on",
        "issued_by",
        "history",
    ]
    date_hierarchy = "issued_on"
    change_list_template = "admin/trainers/certification/change_list.html"

    def has_add_permission(self, request):
        # Issued from the institute's completion roster, where the completion check runs.
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a certification is revoked, with a reason, never deleted

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)


@admin.register(FacilitationReport)
class FacilitationReportAdmin(admin.ModelAdmin):
    list_display = [
        "trainer",
        "module",
        "starts_on",
        "host_kind",
        "participants_count",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "module", "host_kind"]
    search_fields = ["trainer__name", "trainer__email", "module__title", "audience"]
    list_select_related = ["trainer", "module"]
    readonly_fields = ["status", "review_comment", "reviewed_at", "reviewed_by", "submitted_at", "history"]
    autocomplete_fields = ["trainer", "host_agency", "co_facilitators"]
    actions = ["verify"]

    def has_add_permission(self, request):
        return False  # trainers file reports on the site, where the rules are checked

    def has_delete_permission(self, request, obj=None):
        return False  # a report is returned or verified, and keeps its history

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Verify the selected reports")
    def verify(self, request, queryset):
        _run(
            self, request, queryset, lambda r: services.verify_report(r, by=request.user), "reports verified"
        )


@admin.register(HonorariumRate)
class HonorariumRateAdmin(admin.ModelAdmin):
    list_display = ["module", "basis", "amount", "effective_from"]
    list_filter = ["module", "basis"]
    list_select_related = ["module"]
    date_hierarchy = "effective_from"


@admin.register(Honorarium)
class HonorariumAdmin(admin.ModelAdmin):
    list_display = ["trainer", "report", "amount", "status", "requested_at", "paid_on", "payment_reference"]
    list_filter = ["status"]
    search_fields = ["trainer__name", "trainer__email", "payment_reference"]
    list_select_related = ["trainer", "report__module", "report__trainer"]
    readonly_fields = [
        "trainer",
        "report",
        "rate",
        "amount",
        "status",
        "rejected_reason",
        "requested_at",
        "decided_at",
        "decided_by",
        "payment_reference",
        "paid_on",
        "paid_by",
        "history",
    ]
    actions = ["approve"]

    def has_add_permission(self, request):
        return False  # requested by a facilitator of a verified report, at the rate in force

    def has_delete_permission(self, request, obj=None):
        return False  # rejected or paid, an honorarium stays on the record

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Approve the selected honoraria")
    def approve(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda h: services.approve_honorarium(h, by=request.user),
            "honoraria approved",
        )


@admin.register(TrainerProfile)
class TrainerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "listed", "show_email"]
    list_filter = ["listed"]
    search_fields = ["user__name", "user__email"]
    autocomplete_fields = ["user"]


# --- turnkey trainings: planned on the site by the trainer; the admin reads and corrects details


class TrainingSessionInline(admin.TabularInline):
    model = TrainingSession
    extra = 0
    fields = ["starts_at", "ends_at", "check_in_code"]
    # The planning form writes the series and keeps the training's first and last dates in step.
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CoFacilitatorInline(admin.TabularInline):
    model = CoFacilitator
    extra = 0
    fields = ["person", "status", "responded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # invited by the lead trainer, among those certified for the module


@admin.register(TurnkeyTraining)
class TurnkeyTrainingAdmin(admin.ModelAdmin):
    list_display = ["title", "trainer", "module", "starts_at", "format", "region", "capacity", "status"]
    list_filter = ["status", "format", "module", "region"]
    search_fields = ["title", "trainer__name", "trainer__email", "short_code"]
    list_select_related = ["trainer", "module"]
    date_hierarchy = "starts_at"
    inlines = [TrainingSessionInline, CoFacilitatorInline]
    readonly_fields = [
        "trainer",
        "certification",
        "module",
        "repeat",
        "checklist",
        "short_code",
        "status",
        "published_at",
        "held_at",
        "cancelled_at",
        "cancel_reason",
        "report",
        "host_contact",
        "starts_at",
        "ends_at",
        "history",
    ]
    autocomplete_fields = ["host_agency"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["publish"]

    def has_add_permission(self, request):
        return False  # planned by a certified trainer, for a module they hold

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled with a reason, never deleted: registrants and reports point at it

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Open the selected trainings for registration")
    def publish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda t: planning.publish_training(t, by=request.user),
            "trainings opened for registration",
        )


@admin.register(CoFacilitator)
class CoFacilitatorAdmin(admin.ModelAdmin):
    list_display = ["person", "training", "status", "responded_at"]
    list_filter = ["status"]
    search_fields = ["person__name", "person__email", "training__title"]
    list_select_related = ["person", "training"]
    readonly_fields = ["training", "person", "status", "responded_at", "history"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)


# --- turnkey trainings: registrations ---------------------------------------------------------


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read-only: people register on the training's public page; cancelling runs the service, so
    the first on the waitlist moves up and is told."""

    list_display = ["name", "email", "training", "status", "walk_in", "created_at"]
    list_filter = ["status", "walk_in"]
    search_fields = ["name", "email", "training__title", "training__short_code"]
    list_select_related = ["training"]
    readonly_fields = [
        "training",
        "name",
        "email",
        "agency",
        "other_agency",
        "role",
        "person",
        "status",
        "walk_in",
        "cancelled_at",
        "history",
    ]
    exclude = ["cancel_token"]
    actions = ["cancel_registrations"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Cancel the selected registrations (the first on the waitlist moves up)")
    def cancel_registrations(self, request, queryset):
        count = 0
        for place in queryset:
            try:
                registration.cancel(place, by=request.user)
                count += 1
            except registration.RegistrationError as exc:
                self.message_user(request, f"{place}: {exc}", messages.WARNING)
        if count:
            self.message_user(request, f"{count} registration(s) cancelled.", messages.SUCCESS)


@admin.register(MentorOffer)
class MentorOfferAdmin(admin.ModelAdmin):
    list_display = ["trainer", "module", "region", "capacity", "is_open"]
    list_filter = ["module", "is_open"]
    search_fields = ["trainer__email", "trainer__name", "region"]
    list_select_related = ["trainer", "module"]
    raw_id_fields = ["trainer"]


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    """Paired and ended by the coordinator's page (trainers.mentoring): read only here."""

    list_display = ["mentor", "application", "created_at", "ended_at"]
    list_filter = ["offer__module"]
    search_fields = ["mentor__email", "application__applicant__email"]
    list_select_related = ["mentor", "application__applicant", "application__institute"]
    readonly_fields = ["offer", "mentor", "application", "paired_by", "ended_at"]

    def has_add_permission(self, request):
        return False


@admin.register(MentoringMeeting)
class MentoringMeetingAdmin(admin.ModelAdmin):
    list_display = ["mentorship", "met_on", "logged_by"]
    search_fields = ["mentorship__mentor__email"]
    list_select_related = ["mentorship__mentor", "mentorship__application__applicant", "logged_by"]
    raw_id_fields = ["mentorship", "logged_by"]


# --- agencies' requests -------------------------------------------------------------------------


class RequestOfferInline(admin.TabularInline):
    model = RequestOffer
    extra = 0
    fields = ["trainer", "status", "offered_by", "answered_at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # offered from the request's page, which checks the certification

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrainingRequest)
class TrainingRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "agency", "region", "status", "created_at"]
    list_filter = ["status", "kind", "region", "module"]
    search_fields = ["agency__name", "requester__name", "requester__email"]
    list_select_related = ["agency", "module", "requester"]
    inlines = [RequestOfferInline]
    readonly_fields = [
        "kind",
        "requester",
        "agency",
        "module",
        "status",
        "waiting_since",
        "flagged_at",
        "training",
        "community",
        "history",
    ]
    actions = ["flag_now"]

    def has_add_permission(self, request):
        return False  # asked by an agency's staff through the portal

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="History")
    def history(self, obj):
        return audit_history(obj)

    @admin.action(description="Flag the selected requests to the coordinators now (if still waiting)")
    def flag_now(self, request, queryset):
        _run(self, request, queryset, training_requests.flag, "requests flagged")
