from django.urls import path

from institutes import views

app_name = "institutes"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application-decide"),
    path("endorse/<str:token>/", views.endorse, name="endorse"),
    path("teams/<int:pk>/invite/", views.team_invite, name="team-invite"),
    path("teams/invitations/<str:token>/", views.team_invitation, name="team-invitation"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment-detail"),
    path("submissions/<int:pk>/review/", views.submission_review, name="submission-review"),
    path("submissions/<int:pk>/download/", views.submission_download, name="submission-download"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<slug:slug>/", views.institute_detail, name="institute-detail"),
    path("<slug:slug>/sessions.ics", views.institute_ics, name="institute-ics"),
    path("<slug:slug>/apply/", views.apply, name="apply"),
    path("<slug:slug>/team/", views.team_start, name="team-start"),
    path("<slug:slug>/review/", views.review_queue, name="review-queue"),
    path("<slug:slug>/review/bulk/", views.review_bulk, name="review-bulk"),
    path("<slug:slug>/applications.csv", views.applications_csv, name="applications-csv"),
    path("<slug:slug>/assignments/", views.assignments, name="assignments"),
    path("<slug:slug>/roster/", views.roster, name="roster"),
]
