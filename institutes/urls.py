from django.urls import path

from institutes.views import applications, assignments, attendance, catalog, plans, results, review, teams

app_name = "institutes"
urlpatterns = [
    path("", catalog.catalog, name="catalog"),
    path("coordinate/", review.coordinate, name="coordinate"),
    path("applications/<int:pk>/", applications.application_detail, name="application-detail"),
    path("applications/<int:pk>/withdraw/", applications.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/offer/", applications.application_offer, name="application-offer"),
    path("applications/<int:pk>/decide/", applications.application_decide, name="application-decide"),
    path(
        "applications/<int:pk>/endorsement/",
        applications.application_endorsement,
        name="application-endorsement",
    ),
    path("endorse/<str:token>/", applications.endorse, name="endorse"),
    path("teams/<int:pk>/invite/", teams.team_invite, name="team-invite"),
    path("teams/invitations/<str:token>/", teams.team_invitation, name="team-invitation"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment-detail"),
    path("submissions/<int:pk>/review/", assignments.submission_review, name="submission-review"),
    path("submissions/<int:pk>/download/", assignments.submission_download, name="submission-download"),
    path("sessions/<int:pk>/attendance/", attendance.attendance, name="attendance"),
    path("sessions/<int:pk>/results/", results.session_results, name="session-results"),
    path("modules/<slug:slug>/", results.module_detail, name="module-detail"),
    path("<slug:slug>/", catalog.institute_detail, name="institute-detail"),
    path("<slug:slug>/sessions.ics", catalog.institute_ics, name="institute-ics"),
    path("<slug:slug>/apply/", applications.apply, name="apply"),
    path("<slug:slug>/team/", teams.team_start, name="team-start"),
    path("<slug:slug>/review/", review.review_queue, name="review-queue"),
    path("<slug:slug>/review/bulk/", review.review_bulk, name="review-bulk"),
    path("<slug:slug>/applications.csv", review.applications_csv, name="applications-csv"),
    path("<slug:slug>/assignments/", assignments.assignments, name="assignments"),
    path("<slug:slug>/roster/", attendance.roster, name="roster"),
    path("<slug:slug>/results/", results.institute_results, name="institute-results"),
    path("<slug:slug>/plans/", plans.team_plans, name="team-plans"),
    path("<slug:slug>/plans/<int:plan_pk>/review/", plans.team_plan_review, name="team-plan-review"),
]
