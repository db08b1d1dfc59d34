"""The permission matrix: every project URL, tried by every role, with other people's ids.

Each row names a URL, the object it points at, the method, and the roles that get through
(200, or a redirect that is not to the log-in page). Every other role must be turned away
(403, 404, or a redirect to log in). A POST is sent without form data, so a role that gets
through sees the form's errors or a "not possible now" message rather than changing anything;
each cell runs in a savepoint that is rolled back, so the cells do not affect one another.
All mismatches are reported at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from institutes.services import endorsement_token
from portal.credentials.keys import current as current_key
from portal.notifications import ALL_OPTIONAL, unsubscribe_token
from tests.security.conftest import ROLES

ALL = frozenset(ROLES)
USERS = ALL - {"visitor"}
COORDS = frozenset({"coordinator", "other_coordinator", "admin"})  # staff-wide coordinators
INST = frozenset({"coordinator", "admin"})  # the coordinator of THIS institute (and the superuser)
MEMBERS = frozenset({"applicant", "trainer"})  # members of the members-only community
FINANCE = frozenset({"finance", "admin"})
TEAM = frozenset({"applicant", "trainer"})  # the planning network team's members (Ana and Tess)
RESULTS = INST | COORDS | {"state_office"}  # an institute's survey results
PROGRAM = COORDS | {"state_office"}  # who reads the program's reach and impact
NOBODY = frozenset()
AGENCY_STAFF = frozenset(
    {"applicant", "other_applicant", "trainer", "other_trainer"}
)  # an agency on their profile
# A certification, the reports on its module (with their files) and their honoraria: the
# coordinator of an institute of that module (Cora; Carl coordinates another module's), the
# superuser, and the state office, which reads them all (its POSTs are refused: see INST rows).
MODULE = INST | {"state_office"}

PROJECT_APPS = ("portal", "institutes", "communities", "trainers")


@dataclass(frozen=True)
class Row:
    name: str
    target: str  # which object, in words (for the report)
    args: Callable
    method: str
    allowed: frozenset

    def url(self, world) -> str:
        return reverse(self.name, kwargs=self.args(world))


def rows(name, target, args, allowed, methods=("GET",)):
    return [Row(name, target, args, method, frozenset(allowed)) for method in methods]


def none(w):
    return {}


GP = ("GET", "POST")
P = ("POST",)

TABLE: list[Row] = [
    # --- portal -------------------------------------------------------------------------------
    *rows("home", "-", none, ALL),
    *rows("healthz", "-", none, ALL),
    *rows("dashboard", "-", none, USERS),
    *rows("profile", "own profile", none, USERS, GP),
    # A signed link: whoever holds it may use it (it only turns e-mail off).
    *rows(
        "unsubscribe",
        "Ana's link",
        lambda w: {"token": unsubscribe_token(w.users["applicant"], ALL_OPTIONAL)},
        ALL,
        GP,
    ),
    *rows("unsubscribe", "forged link", lambda w: {"token": "forged"}, NOBODY, GP),
    *rows("admin:index", "-", none, {"admin"}),
    # --- credentials: the public keys and issuer profile verifiers elsewhere read ---------------
    *rows("credentials:keys", "-", none, ALL),
    *rows("credentials:key", "the current key", lambda w: {"kid": current_key().kid}, ALL),
    *rows("credentials:key", "unknown key", lambda w: {"kid": "no-such-key-0123456789"}, NOBODY),
    *rows("credentials:issuer", "-", none, ALL),
    # --- professional-learning hours: a transcript and its records are the person's own --------
    *rows("learning:transcript", "own transcript", none, USERS),
    *rows("learning:record-issue", "own record", none, USERS, P),
    *rows("learning:record", "Ana's record", lambda w: {"pk": w.hours_record.pk}, {"applicant"}),
    *rows("learning:record", "Ben's record", lambda w: {"pk": w.other_hours_record.pk}, {"other_applicant"}),
    *rows("learning:export", "-", none, PROGRAM),
    # --- surveys --------------------------------------------------------------------------------
    # The one-use link is the secret: whoever holds it may answer (an empty POST gets the errors).
    *rows("surveys:answer", "Ana's survey link", lambda w: {"token": w.survey_token}, ALL, GP),
    *rows("surveys:answer", "forged link", lambda w: {"token": "forged-token"}, NOBODY, GP),
    *rows("surveys:thanks", "-", none, ALL),
    *rows("surveys:quote-queue", "-", none, COORDS),
    *rows("surveys:quote-review", "Ben's quote", lambda w: {"pk": w.quote.pk}, COORDS, P),
    # --- institutes -----------------------------------------------------------------------------
    *rows("institutes:catalog", "-", none, ALL),
    *rows("institutes:coordinate", "-", none, COORDS),
    *rows("institutes:institute-detail", "open institute", lambda w: {"slug": w.institute.slug}, ALL),
    *rows("institutes:institute-detail", "draft institute", lambda w: {"slug": w.draft_institute.slug}, INST),
    *rows("institutes:institute-ics", "open institute", lambda w: {"slug": w.institute.slug}, ALL),
    *rows("institutes:institute-ics", "draft institute", lambda w: {"slug": w.draft_institute.slug}, INST),
    *rows("institutes:apply", "open institute", lambda w: {"slug": w.institute.slug}, USERS, GP),
    *rows("institutes:apply", "draft institute", lambda w: {"slug": w.draft_institute.slug}, INST),
    *rows("institutes:team-start", "team institute", lambda w: {"slug": w.other_institute.slug}, USERS, P),
    *rows("institutes:team-invite", "Ana's team", lambda w: {"pk": w.team.pk}, {"applicant"}, P),
    # The invitation token is the secret; any signed-in holder sees it (accepting checks the e-mail).
    *rows(
        "institutes:team-invitation",
        "invitation to Ben",
        lambda w: {"token": w.team_invitation.token},
        USERS,
        GP,
    ),
    *rows("institutes:team-invitation", "unknown token", lambda w: {"token": "nope"}, NOBODY),
    *rows(
        "institutes:endorse",
        "Ana's endorsement link",
        lambda w: {"token": endorsement_token(w.application)},
        ALL,
        GP,
    ),
    *rows("institutes:endorse", "forged link", lambda w: {"token": "forged:token"}, NOBODY),
    *rows(
        "institutes:application-detail",
        "Ana's application",
        lambda w: {"pk": w.application.pk},
        {"applicant"} | INST,
    ),
    *rows(
        "institutes:application-detail",
        "Ben's application",
        lambda w: {"pk": w.other_application.pk},
        {"other_applicant"} | INST,
    ),
    *rows(
        "institutes:application-withdraw",
        "Ana's application",
        lambda w: {"pk": w.application.pk},
        {"applicant"},
        P,
    ),
    # Only the applicant answers a seat offered to them (a coordinator decides on the queue).
    *rows(
        "institutes:application-offer",
        "Ana's application",
        lambda w: {"pk": w.application.pk},
        {"applicant"},
        P,
    ),
    *rows(
        "institutes:application-offer",
        "Ben's application",
        lambda w: {"pk": w.other_application.pk},
        {"other_applicant"},
        P,
    ),
    *rows(
        "institutes:application-decide",
        "Ana's application",
        lambda w: {"pk": w.application.pk},
        INST,
        P,
    ),
    *rows(
        "institutes:application-endorsement",
        "Tess's submitted application",
        lambda w: {"pk": w.waiting_application.pk},
        INST,
        P,
    ),
    *rows(
        "institutes:assignment-detail",
        "assignment",
        lambda w: {"pk": w.assignment.pk},
        {"applicant", "other_applicant"} | INST,
        GP,
    ),
    *rows("institutes:submission-review", "Ana's submission", lambda w: {"pk": w.submission.pk}, INST, P),
    *rows(
        "institutes:submission-download",
        "Ana's submission",
        lambda w: {"pk": w.submission.pk},
        {"applicant"} | INST,
    ),
    *rows(
        "institutes:submission-download",
        "Ben's submission",
        lambda w: {"pk": w.other_submission.pk},
        {"other_applicant"} | INST,
    ),
    *rows("institutes:attendance", "session", lambda w: {"pk": w.session.pk}, INST, GP),
    *rows("institutes:review-queue", "Cora's institute", lambda w: {"slug": w.institute.slug}, INST),
    *rows(
        "institutes:review-queue",
        "Carl's institute",
        lambda w: {"slug": w.other_institute.slug},
        {"other_coordinator", "admin"},
    ),
    *rows("institutes:review-bulk", "Cora's institute", lambda w: {"slug": w.institute.slug}, INST, P),
    *rows("institutes:applications-csv", "Cora's institute", lambda w: {"slug": w.institute.slug}, INST),
    *rows("institutes:assignments", "Cora's institute", lambda w: {"slug": w.institute.slug}, INST, GP),
    *rows("institutes:roster", "Cora's institute", lambda w: {"slug": w.institute.slug}, INST, GP),
    # Practice: the cohort's list (its participants and coordinator), a participant's page (she,
    # the coordinator, her mentor Tess), a facilitation (they, and Ben the peer who may score it:
    # scorers post, the participant does not score herself), the module's rubric (coordinators).
    *rows(
        "institutes:institute-practice",
        "Cora's institute",
        lambda w: {"slug": w.institute.slug},
        INST | {"applicant", "other_applicant"},
    ),
    *rows(
        "institutes:institute-practice",
        "Carl's institute",
        lambda w: {"slug": w.other_institute.slug},
        {"other_coordinator", "admin"},
    ),
    *rows(
        "institutes:application-practice",
        "Ana's practice",
        lambda w: {"pk": w.application.pk},
        INST | {"applicant", "trainer"},
    ),
    *rows(
        "institutes:application-practice",
        "Ana's practice",
        lambda w: {"pk": w.application.pk},
        INST | {"applicant"},
        P,
    ),
    *rows(
        "institutes:application-practice",
        "Ben's practice (not Tess's mentee)",
        lambda w: {"pk": w.other_application.pk},
        INST | {"other_applicant"},
        GP,
    ),
    *rows(
        "institutes:practice-detail",
        "Ana's facilitation",
        lambda w: {"pk": w.facilitation.pk},
        INST | {"applicant", "other_applicant", "trainer"},
    ),
    *rows(
        "institutes:practice-detail",
        "Ana's facilitation",
        lambda w: {"pk": w.facilitation.pk},
        INST | {"other_applicant", "trainer"},
        P,
    ),
    *rows(
        "institutes:rubric", "the module's rubric", lambda w: {"slug": w.institute.module.slug}, COORDS, GP
    ),
    *rows("institutes:institute-results", "Cora's institute", lambda w: {"slug": w.institute.slug}, RESULTS),
    *rows(
        "institutes:institute-results", "draft institute", lambda w: {"slug": w.draft_institute.slug}, INST
    ),
    *rows("institutes:session-results", "session", lambda w: {"pk": w.session.pk}, RESULTS),
    # A planning network's follow-up: its own coordinator reviews the teams' plans.
    *rows("institutes:team-plans", "Cora's planning network", lambda w: {"slug": w.network.slug}, INST),
    *rows("institutes:team-plans", "a certifying institute", lambda w: {"slug": w.institute.slug}, NOBODY),
    *rows(
        "institutes:team-plan-review",
        "the team plan, in Cora's network",
        lambda w: {"slug": w.network.slug, "plan_pk": w.team_plan.pk},
        INST,
        P,
    ),
    *rows(
        "institutes:team-plan-review",
        "Ana's private plan, through Cora's network",
        lambda w: {"slug": w.network.slug, "plan_pk": w.plan.pk},
        NOBODY,
        P,
    ),
    *rows("institutes:module-detail", "module", lambda w: {"slug": w.institute.module.slug}, ALL),
    # --- communities ----------------------------------------------------------------------------
    *rows("communities:directory", "-", none, ALL),
    *rows("communities:search", "-", none, ALL),
    *rows("communities:preview", "-", none, USERS, P),
    *rows("communities:moderation-queue", "-", none, COORDS),
    *rows("communities:report-resolve", "report on Ana's post", lambda w: {"pk": w.report.pk}, COORDS, P),
    *rows("communities:library", "-", none, ALL),
    *rows("communities:library-add", "-", none, COORDS, GP),
    *rows(
        "communities:resource-download",
        "members-only file",
        lambda w: {"pk": w.resource.pk},
        MEMBERS | COORDS,
    ),
    *rows(
        "communities:resource-delete",
        "Ana's members-only file",
        lambda w: {"pk": w.resource.pk},
        {"applicant"} | COORDS,
        P,
    ),
    *rows(
        "communities:resource-delete",
        "library link",
        lambda w: {"pk": w.library_resource.pk},
        COORDS,
        P,
    ),
    *rows("communities:plans", "own plans", none, USERS),
    *rows("communities:plan-create", "-", none, USERS, GP),
    *rows("communities:plan-detail", "Ana's private plan", lambda w: {"pk": w.plan.pk}, {"applicant"}),
    *rows(
        "communities:plan-detail",
        "Ana's shared plan",
        lambda w: {"pk": w.shared_plan.pk},
        MEMBERS | COORDS,
    ),
    *rows(
        "communities:plan-detail",
        "Ben's private plan",
        lambda w: {"pk": w.other_plan.pk},
        {"other_applicant"},
    ),
    *rows("communities:plan-edit", "Ana's private plan", lambda w: {"pk": w.plan.pk}, {"applicant"}, GP),
    *rows(
        "communities:plan-edit", "Ana's shared plan", lambda w: {"pk": w.shared_plan.pk}, {"applicant"}, GP
    ),
    *rows(
        "communities:plan-edit", "Ben's private plan", lambda w: {"pk": w.other_plan.pk}, {"other_applicant"}
    ),
    *rows("communities:plan-step-create", "Ana's plan", lambda w: {"pk": w.plan.pk}, {"applicant"}, GP),
    *rows(
        "communities:plan-step-edit",
        "step of Ana's plan",
        lambda w: {"pk": w.plan.pk, "step_pk": w.step.pk},
        {"applicant"},
        GP,
    ),
    *rows(
        "communities:plan-step-edit",
        "Ana's step through Ben's plan",
        lambda w: {"pk": w.other_plan.pk, "step_pk": w.step.pk},
        NOBODY,
        GP,
    ),
    *rows("communities:plan-reflection", "Ana's plan", lambda w: {"pk": w.plan.pk}, {"applicant"}, GP),
    # A team plan: each member of the team (Ana and Tess) reads and edits it; nobody else.
    *rows("communities:plan-detail", "Ana and Tess's team plan", lambda w: {"pk": w.team_plan.pk}, TEAM),
    *rows("communities:plan-edit", "Ana and Tess's team plan", lambda w: {"pk": w.team_plan.pk}, TEAM, GP),
    *rows(
        "communities:plan-step-edit",
        "step of the team plan",
        lambda w: {"pk": w.team_plan.pk, "step_pk": w.team_step.pk},
        TEAM,
        GP,
    ),
    *rows("communities:plan-deliverable", "the team plan", lambda w: {"pk": w.team_plan.pk}, TEAM, GP),
    *rows(
        "communities:plan-deliverable", "Ana's private plan", lambda w: {"pk": w.plan.pk}, {"applicant"}, GP
    ),
    *rows(
        "communities:plan-deliverable",
        "Ben's private plan",
        lambda w: {"pk": w.other_plan.pk},
        {"other_applicant"},
    ),
    *rows(
        "communities:deliverable-share", "the team's deliverable", lambda w: {"pk": w.deliverable.pk}, TEAM, P
    ),
    *rows(
        "communities:deliverable-download", "the team's file", lambda w: {"pk": w.file_deliverable.pk}, TEAM
    ),
    *rows("communities:deliverable-download", "a link (no file)", lambda w: {"pk": w.deliverable.pk}, NOBODY),
    *rows("communities:plan-comment", "Ana's private plan", lambda w: {"pk": w.plan.pk}, {"applicant"}, GP),
    *rows(
        "communities:plan-comment",
        "Ana's shared plan",
        lambda w: {"pk": w.shared_plan.pk},
        MEMBERS | COORDS,
        GP,
    ),
    *rows(
        "communities:thread-detail", "members-only thread", lambda w: {"pk": w.thread.pk}, MEMBERS | COORDS
    ),
    *rows("communities:thread-detail", "public thread", lambda w: {"pk": w.public_thread.pk}, ALL),
    *rows(
        "communities:post-create", "members-only thread", lambda w: {"pk": w.thread.pk}, MEMBERS | COORDS, GP
    ),
    *rows("communities:thread-moderate", "members-only thread", lambda w: {"pk": w.thread.pk}, COORDS, P),
    *rows("communities:thread-follow", "members-only thread", lambda w: {"pk": w.thread.pk}, MEMBERS, P),
    *rows("communities:post-detail", "Ana's post", lambda w: {"pk": w.post.pk}, MEMBERS | COORDS),
    *rows("communities:post-edit", "Ana's post", lambda w: {"pk": w.post.pk}, {"applicant"}, GP),
    *rows("communities:post-report", "Ana's post", lambda w: {"pk": w.post.pk}, {"trainer"} | COORDS, GP),
    *rows("communities:post-moderate", "Ana's post", lambda w: {"pk": w.post.pk}, COORDS, P),
    *rows("communities:post-move", "Ana's post", lambda w: {"pk": w.post.pk}, COORDS, GP),
    *rows("communities:community-detail", "members-only", lambda w: {"slug": w.community.slug}, ALL),
    # Ben holds an invitation: he sees the cohort's page with its "Accept the invitation" button.
    *rows(
        "communities:community-detail",
        "cohort",
        lambda w: {"slug": w.cohort.slug},
        {"other_applicant"} | COORDS,
    ),
    *rows("communities:community-feed", "public", lambda w: {"slug": w.public_community.slug}, ALL),
    *rows("communities:community-feed", "members-only", lambda w: {"slug": w.community.slug}, NOBODY),
    *rows("communities:join", "public, open", lambda w: {"slug": w.public_community.slug}, USERS, P),
    *rows("communities:join", "members-only, on request", lambda w: {"slug": w.community.slug}, NOBODY, P),
    *rows("communities:leave", "members-only", lambda w: {"slug": w.community.slug}, MEMBERS, P),
    *rows(
        "communities:request-join", "members-only", lambda w: {"slug": w.community.slug}, USERS - MEMBERS, GP
    ),
    *rows("communities:join-requests", "members-only", lambda w: {"slug": w.community.slug}, COORDS),
    *rows(
        "communities:join-request-decide",
        "Ben's request",
        lambda w: {"slug": w.community.slug, "pk": w.join_request.pk},
        COORDS,
        P,
    ),
    *rows("communities:members", "members-only", lambda w: {"slug": w.community.slug}, MEMBERS | COORDS),
    *rows(
        "communities:member-remove",
        "Tess's membership",
        lambda w: {"slug": w.community.slug, "pk": w.trainer_membership.pk},
        COORDS,
        P,
    ),
    *rows("communities:invite", "members-only", lambda w: {"slug": w.community.slug}, COORDS, GP),
    # Ben holds the invitation; moderators see the cohort and are told there is no invitation for them.
    *rows(
        "communities:invitation-accept",
        "cohort",
        lambda w: {"slug": w.cohort.slug},
        {"other_applicant"} | COORDS,
        P,
    ),
    *rows("communities:notify-settings", "members-only", lambda w: {"slug": w.community.slug}, MEMBERS, GP),
    *rows("communities:expected-hours", "members-only", lambda w: {"slug": w.community.slug}, COORDS, GP),
    *rows("communities:expected-hours", "public", lambda w: {"slug": w.public_community.slug}, COORDS, GP),
    *rows("communities:follow", "members-only", lambda w: {"slug": w.community.slug}, MEMBERS, P),
    *rows(
        "communities:thread-create",
        "members-only",
        lambda w: {"slug": w.community.slug},
        MEMBERS | COORDS,
        GP,
    ),
    *rows("communities:resources", "members-only", lambda w: {"slug": w.community.slug}, MEMBERS | COORDS),
    *rows(
        "communities:resource-create",
        "members-only",
        lambda w: {"slug": w.community.slug},
        MEMBERS | COORDS,
        GP,
    ),
    *rows(
        "communities:community-plans", "members-only", lambda w: {"slug": w.community.slug}, MEMBERS | COORDS
    ),
    *rows("communities:event-create", "members-only", lambda w: {"slug": w.community.slug}, COORDS, GP),
    *rows("communities:event-create", "public", lambda w: {"slug": w.public_community.slug}, COORDS, GP),
    # --- events (communities) -------------------------------------------------------------------
    *rows("events:list", "-", none, ALL),
    *rows("events:calendars", "own feeds", none, USERS, GP),
    # The private feed address is the secret: whoever holds it reads it; a guessed one is 404.
    *rows("events:feed", "Ana's community feed", lambda w: {"token": w.feed.token}, ALL),
    *rows("events:feed", "guessed token", lambda w: {"token": "guessed-token-0000"}, NOBODY),
    *rows("events:detail", "members-only webinar", lambda w: {"pk": w.event.pk}, MEMBERS | COORDS),
    *rows("events:detail", "public meeting", lambda w: {"pk": w.public_event.pk}, ALL),
    *rows("events:ics", "members-only webinar", lambda w: {"pk": w.event.pk}, MEMBERS | COORDS),
    *rows("events:ics", "public meeting", lambda w: {"pk": w.public_event.pk}, ALL),
    *rows("events:register", "members-only webinar", lambda w: {"pk": w.event.pk}, MEMBERS | COORDS, P),
    *rows("events:register", "public meeting", lambda w: {"pk": w.public_event.pk}, USERS, P),
    # Only one's own place is given back (the others are told they hold none).
    *rows("events:unregister", "members-only webinar", lambda w: {"pk": w.event.pk}, MEMBERS | COORDS, P),
    *rows("events:attendance", "members-only webinar", lambda w: {"pk": w.event.pk}, COORDS, GP),
    *rows("events:attendance", "public meeting", lambda w: {"pk": w.public_event.pk}, COORDS, GP),
    *rows("events:held", "members-only webinar", lambda w: {"pk": w.event.pk}, COORDS, P),
    *rows("events:materials", "members-only webinar", lambda w: {"pk": w.event.pk}, COORDS, GP),
    *rows("events:materials", "public meeting", lambda w: {"pk": w.public_event.pk}, COORDS, GP),
    *rows("events:cancel", "members-only webinar", lambda w: {"pk": w.event.pk}, COORDS, GP),
    *rows("events:cancel", "public meeting", lambda w: {"pk": w.public_event.pk}, COORDS, GP),
    # --- trainers -------------------------------------------------------------------------------
    *rows("trainers:verify", "-", none, ALL),
    # A badge handed back: anyone may check one (an empty POST gets the form's message).
    *rows("trainers:verify-badge", "-", none, ALL, GP),
    *rows("trainers:verify-code", "Tess's code", lambda w: {"code": w.trainer_certification.code}, ALL),
    *rows("trainers:verify-code", "unknown code", lambda w: {"code": "NOPE-NOPE"}, NOBODY),
    *rows("trainers:verify-code", "Ana's hours record", lambda w: {"code": w.hours_record.code}, ALL),
    *rows("trainers:directory", "-", none, ALL),
    *rows(
        "trainers:certificate",
        "Tess's certificate",
        lambda w: {"pk": w.trainer_certification.pk},
        {"trainer"} | MODULE,
    ),
    *rows(
        "trainers:certificate",
        "Tom's certificate",
        lambda w: {"pk": w.other_trainer_certification.pk},
        {"other_trainer"} | MODULE,
    ),
    *rows(
        "trainers:certificate-pdf",
        "Tess's certificate",
        lambda w: {"pk": w.trainer_certification.pk},
        {"trainer"} | MODULE,
    ),
    *rows(
        "trainers:certificate-pdf",
        "Tom's certificate",
        lambda w: {"pk": w.other_trainer_certification.pk},
        {"other_trainer"} | MODULE,
    ),
    *rows(
        "trainers:certificate-badge",
        "Tess's certificate",
        lambda w: {"pk": w.trainer_certification.pk},
        {"trainer"} | MODULE,
    ),
    *rows(
        "trainers:certificate-badge",
        "Tom's certificate",
        lambda w: {"pk": w.other_trainer_certification.pk},
        {"other_trainer"} | MODULE,
    ),
    *rows(
        "trainers:certificate-renew",
        "Tess's certificate (Cora's institute)",
        lambda w: {"pk": w.trainer_certification.pk},
        INST,
        GP,
    ),
    *rows(
        "trainers:certificate-revoke",
        "Tess's certificate (Cora's institute)",
        lambda w: {"pk": w.trainer_certification.pk},
        INST,
        GP,
    ),
    *rows("trainers:certify-roster", "Cora's institute", lambda w: {"pk": w.institute.pk}, INST),
    # Mentoring: certified trainers offer; Tess's mentee page (hers, and the institute's
    # coordinator reads it; only the mentor logs meetings); pairing is the institute coordinator's.
    *rows("trainers:my-mentoring", "-", none, {"trainer", "other_trainer"}, GP),
    *rows("trainers:mentee", "Tess mentors Ana", lambda w: {"pk": w.mentorship.pk}, INST | {"trainer"}),
    *rows("trainers:mentee", "Tess mentors Ana", lambda w: {"pk": w.mentorship.pk}, {"trainer"}, P),
    *rows("trainers:mentor-pairs", "Cora's institute", lambda w: {"slug": w.institute.slug}, INST, GP),
    *rows(
        "trainers:mentor-pairs",
        "Carl's institute",
        lambda w: {"slug": w.other_institute.slug},
        {"other_coordinator", "admin"},
        GP,
    ),
    *rows("trainers:certify-all", "Cora's institute", lambda w: {"pk": w.institute.pk}, INST, P),
    *rows(
        "trainers:certify-one",
        "Ana in Cora's institute",
        lambda w: {"pk": w.institute.pk, "user_pk": w.users["applicant"].pk},
        INST,
        P,
    ),
    *rows("trainers:commitments", "-", none, COORDS | {"state_office"}),
    *rows("trainers:overview", "-", none, COORDS),
    *rows("trainers:my-reports", "own reports", none, USERS),
    *rows("trainers:report-new", "-", none, {"trainer", "other_trainer"}, GP),
    *rows("trainers:report-queue", "-", none, COORDS | {"state_office"}),
    *rows(
        "trainers:report-detail", "Tess's report", lambda w: {"pk": w.trainer_report.pk}, {"trainer"} | MODULE
    ),
    *rows(
        "trainers:report-detail",
        "Tom's report",
        lambda w: {"pk": w.other_trainer_report.pk},
        {"other_trainer"} | MODULE,
    ),
    *rows(
        "trainers:report-edit",
        "Tess's returned report",
        lambda w: {"pk": w.trainer_returned_report.pk},
        {"trainer"},
        GP,
    ),
    *rows(
        "trainers:report-edit",
        "Tom's returned report",
        lambda w: {"pk": w.other_trainer_returned_report.pk},
        {"other_trainer"},
        GP,
    ),
    *rows(
        "trainers:report-verify",
        "Tess's returned report",
        lambda w: {"pk": w.trainer_returned_report.pk},
        INST,
        P,
    ),
    *rows("trainers:report-return", "Tess's report", lambda w: {"pk": w.trainer_report.pk}, INST, GP),
    *rows(
        "trainers:report-file",
        "Tess's agenda",
        lambda w: {"pk": w.trainer_report.pk, "which": "agenda"},
        {"trainer"} | MODULE,
    ),
    *rows(
        "trainers:report-file",
        "Tess's sign-in sheet",
        lambda w: {"pk": w.trainer_report.pk, "which": "sign-in-sheet"},
        {"trainer"} | MODULE,
    ),
    *rows(
        "trainers:report-file",
        "Tom's agenda",
        lambda w: {"pk": w.other_trainer_report.pk, "which": "agenda"},
        {"other_trainer"} | MODULE,
    ),
    *rows(
        "trainers:report-file",
        "Tess's report, unknown file",
        lambda w: {"pk": w.trainer_report.pk, "which": "secrets"},
        NOBODY,
    ),
    *rows(
        "trainers:honorarium-request",
        "Tess's verified report",
        lambda w: {"pk": w.trainer_report.pk},
        {"trainer"},
        P,
    ),
    *rows("trainers:honoraria", "-", none, COORDS | FINANCE | {"state_office"}),
    *rows("trainers:my-honoraria", "own honoraria", none, USERS),
    *rows("trainers:honoraria-export", "-", none, FINANCE),
    *rows(
        "trainers:honorarium-detail",
        "Tess's honorarium",
        lambda w: {"pk": w.trainer_honorarium.pk},
        {"trainer"} | MODULE | FINANCE,
    ),
    *rows(
        "trainers:honorarium-detail",
        "Tom's honorarium",
        lambda w: {"pk": w.other_trainer_honorarium.pk},
        {"other_trainer"} | MODULE | FINANCE,
    ),
    *rows(
        "trainers:honorarium-approve",
        "Tess's honorarium",
        lambda w: {"pk": w.trainer_honorarium.pk},
        INST,
        P,
    ),
    *rows(
        "trainers:honorarium-reject",
        "Tess's honorarium",
        lambda w: {"pk": w.trainer_honorarium.pk},
        INST,
        GP,
    ),
    *rows(
        "trainers:honorarium-pay", "Tess's honorarium", lambda w: {"pk": w.trainer_honorarium.pk}, FINANCE, GP
    ),
    *rows("trainers:my-listing", "own listing", none, USERS, GP),
    # --- turnkey trainings: planning ------------------------------------------------------------
    *rows("trainers:trainings", "own trainings", none, USERS),
    *rows("trainers:training-new", "-", none, {"trainer", "other_trainer"}, GP),
    *rows("trainers:trainings-all", "-", none, COORDS | {"state_office"}),
    # Tom was invited to co-facilitate Tess's training: he may read it before answering.
    *rows(
        "trainers:training",
        "Tess's training",
        lambda w: {"pk": w.trainer_training.pk},
        {"trainer", "other_trainer", "state_office"} | COORDS,
    ),
    *rows(
        "trainers:training",
        "Tom's training",
        lambda w: {"pk": w.other_trainer_training.pk},
        {"other_trainer", "state_office"} | COORDS,
    ),
    # --- turnkey trainings: registration without an account -----------------------------------
    # A public page: a draft's (or a cancelled one's) says it is closed; only an unknown code is 404.
    *rows(
        "trainers:training-public",
        "Tess's training",
        lambda w: {"code": w.trainer_training.short_code},
        ALL,
        GP,
    ),
    *rows(
        "trainers:training-public", "Tess's draft", lambda w: {"code": w.draft_training.short_code}, ALL, GP
    ),
    *rows("trainers:training-public", "unknown code", lambda w: {"code": "nope-nope"}, NOBODY, GP),
    *rows(
        "trainers:training-flyer", "Tess's training", lambda w: {"code": w.trainer_training.short_code}, ALL
    ),
    *rows("trainers:training-flyer", "Tess's draft", lambda w: {"code": w.draft_training.short_code}, NOBODY),
    *rows("trainers:training-qr", "Tess's training", lambda w: {"code": w.trainer_training.short_code}, ALL),
    *rows("trainers:training-qr", "Tess's draft", lambda w: {"code": w.draft_training.short_code}, NOBODY),
    *rows("trainers:find-trainings", "-", none, ALL),
    # The link in the registrant's e-mail: the token is the secret.
    *rows(
        "trainers:registration-cancel",
        "Rita's link",
        lambda w: {"token": w.registration.cancel_token},
        ALL,
        GP,
    ),
    *rows("trainers:registration-cancel", "forged link", lambda w: {"token": "forged"}, NOBODY, GP),
    # Tom is only invited to co-facilitate Tess's training: he sees no registrant until he accepts.
    *rows(
        "trainers:training-registrants",
        "Tess's training",
        lambda w: {"pk": w.trainer_training.pk},
        {"trainer", "state_office"} | COORDS,
    ),
    *rows(
        "trainers:training-registrants",
        "Tom's training",
        lambda w: {"pk": w.other_trainer_training.pk},
        {"other_trainer", "state_office"} | COORDS,
    ),
    *[
        row
        for name, methods in (
            ("trainers:training-edit", GP),
            ("trainers:training-publish", P),
            ("trainers:training-cancel", GP),
            ("trainers:training-checklist", P),
            ("trainers:training-invite", P),
        )
        for row in (
            *rows(name, "Tess's training", lambda w: {"pk": w.trainer_training.pk}, {"trainer"}, methods),
            *rows(
                name,
                "Tom's training",
                lambda w: {"pk": w.other_trainer_training.pk},
                {"other_trainer"},
                methods,
            ),
        )
    ],
    *rows(
        "trainers:training-session",
        "Tess's session",
        lambda w: {"pk": w.trainer_training.pk, "session_pk": w.trainer_training.sessions.get().pk},
        {"trainer"},
        GP,
    ),
    *rows(
        "trainers:training-session",
        "Tom's session under Tess's training",
        lambda w: {"pk": w.trainer_training.pk, "session_pk": w.other_trainer_training.sessions.get().pk},
        NOBODY,
        GP,
    ),
    *rows(
        "trainers:co-facilitation",
        "Tom's invitation",
        lambda w: {"pk": w.co_facilitation.pk},
        {"other_trainer"},
        GP,
    ),
    # The day of a turnkey training: its facilitators only (Tess leads hers, Tom his; Tom is only
    # invited to co-facilitate Tess's, so her roster is not yet his)
    *rows(
        "trainers:training-roster",
        "Tom's training",
        lambda w: {"pk": w.other_trainer_training.pk},
        {"other_trainer"},
    ),
    *rows(
        "trainers:training-roster",
        "Tess's training",
        lambda w: {"pk": w.trainer_training.pk},
        {"trainer"},
        GP,
    ),
    *rows(
        "trainers:training-roster",
        "Tess's session",
        lambda w: {"pk": w.trainer_training.pk, "session_pk": w.trainer_training.sessions.get().pk},
        {"trainer"},
        GP,
    ),
    *rows(
        "trainers:training-roster",
        "another training's session",
        lambda w: {"pk": w.trainer_training.pk, "session_pk": w.held_training.sessions.get().pk},
        NOBODY,
        GP,
    ),
    *rows(
        "trainers:training-walk-in",
        "Tess's training",
        lambda w: {"pk": w.trainer_training.pk},
        {"trainer"},
        GP,
    ),
    *rows(
        "trainers:training-room",
        "Tess's session",
        lambda w: {"pk": w.trainer_training.pk, "session_pk": w.trainer_training.sessions.get().pk},
        {"trainer"},
    ),
    *rows(
        "trainers:training-held", "Tess's training", lambda w: {"pk": w.trainer_training.pk}, {"trainer"}, P
    ),
    *rows(
        "trainers:training-report",
        "Tess's held training",
        lambda w: {"pk": w.held_training.pk},
        {"trainer"},
        GP,
    ),
    *rows(
        "trainers:training-report",
        "Tess's open training",
        lambda w: {"pk": w.trainer_training.pk},
        {"trainer"},
    ),
    *rows(
        "trainers:training-results",
        "Tess's held training",
        lambda w: {"pk": w.held_training.pk},
        {"trainer", "state_office"} | COORDS,
    ),
    # Self check-in: anyone in the room (the code is checked inside); never on a draft.
    *rows("trainers:check-in", "Tess's training", lambda w: {"code": w.trainer_training.short_code}, ALL, GP),
    *rows("trainers:check-in", "a draft", lambda w: {"code": w.draft_training.short_code}, NOBODY, GP),
    *rows("trainers:check-in", "unknown code", lambda w: {"code": "nope"}, NOBODY),
    # --- reach and impact, awards and impact stories ---------------------------------------------
    *rows("trainers:impact-public", "-", none, ALL),
    *rows("trainers:impact", "-", none, PROGRAM),
    *rows(
        "trainers:impact-export", "agency table, CSV", lambda w: {"table": "agency", "fmt": "csv"}, PROGRAM
    ),
    *rows("trainers:impact-export", "chain, XLSX", lambda w: {"table": "chain", "fmt": "xlsx"}, PROGRAM),
    *rows("trainers:recognitions", "own, or all for results", none, USERS),
    # Certified trainers record on their own profile; coordinators on anyone's.
    *rows("trainers:recognition-new", "-", none, {"trainer", "other_trainer"} | COORDS, GP),
    *rows(
        "trainers:recognition-edit",
        "Tess's award",
        lambda w: {"pk": w.trainer_recognition.pk},
        {"trainer"} | COORDS,
        GP,
    ),
    *rows(
        "trainers:recognition-publish", "Tess's award", lambda w: {"pk": w.trainer_recognition.pk}, COORDS, P
    ),
    # Requests from agencies: staff of an agency ask and see their own; coordinators see and decide
    # every one; the trainer a request is offered to answers it on the offer's page, nobody else.
    *rows("trainers:requests", "own requests", none, USERS),
    *rows("trainers:request-new", "-", none, AGENCY_STAFF, GP),
    *rows("trainers:request-host", "-", none, AGENCY_STAFF, GP),
    *rows("trainers:request-queue", "-", none, COORDS),
    *rows(
        "trainers:request", "Ana's request", lambda w: {"pk": w.training_request.pk}, {"applicant"} | COORDS
    ),
    *rows(
        "trainers:request", "Ana's host offer", lambda w: {"pk": w.host_request.pk}, {"applicant"} | COORDS
    ),
    *rows("trainers:request-offer-new", "Ana's request", lambda w: {"pk": w.training_request.pk}, COORDS, P),
    *rows("trainers:request-withdraw", "Ana's request", lambda w: {"pk": w.training_request.pk}, COORDS, P),
    *rows("trainers:request-decide", "Ana's host offer", lambda w: {"pk": w.host_request.pk}, COORDS, GP),
    *rows("trainers:request-close", "Ana's request", lambda w: {"pk": w.training_request.pk}, COORDS, GP),
    *rows("trainers:request-follow-up", "Ana's request", lambda w: {"pk": w.training_request.pk}, COORDS, P),
    *rows("trainers:request-offer", "Tess's offer", lambda w: {"pk": w.request_offer.pk}, {"trainer"}, GP),
]


def outcome(response) -> str:
    """'ok' (got through), 'no' (turned away) or the odd status itself."""
    code = response.status_code
    if code == 200:
        return "ok"
    if code in (301, 302):
        # Log-in (ours or the admin's), or the staff two-factor set-up: the view was never reached.
        return "no" if response["Location"].startswith(("/accounts/", "/admin/login/")) else "ok"
    if code in (403, 404, 410):
        return "no"
    return f"HTTP {code}"


def _try(client, method: str, url: str):
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, {})
        if hasattr(response, "streaming_content"):
            # Reading it to the end closes the file (the test client wraps the close for us).
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


def test_every_role_gets_exactly_what_the_table_says(world, clients):
    mismatches = []
    cells = 0
    for row in TABLE:
        url = row.url(world)
        for role in ROLES:
            cells += 1
            response = _try(clients[role], row.method, url)
            got = outcome(response)
            want = "ok" if role in row.allowed else "no"
            if got != want:
                mismatches.append(
                    f"{row.method} {row.name} [{row.target}] as {role}: "
                    f"expected {want}, got {got} (HTTP {response.status_code} {response.get('Location', '')})"
                )
    assert cells == len(TABLE) * len(ROLES)
    assert mismatches == [], "\n" + "\n".join(mismatches)


def _project_url_names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns == "admin" or (p.urlconf_module and str(p.pattern).startswith("accounts/")):
                continue
            yield from _project_url_names(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name and p.callback.__module__.split(".")[0] in PROJECT_APPS:
            yield f"{namespace}{p.name}"


def test_every_project_url_name_is_in_the_table():
    names = set(_project_url_names(get_resolver().url_patterns))
    assert len(names) > 80
    assert sorted(names - {row.name for row in TABLE}) == []


def test_table_names_resolve_to_real_urls(world):
    for row in TABLE:
        assert row.url(world).startswith("/")
