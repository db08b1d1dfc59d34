from django.urls import path

from institutes import views

app_name = "institutes"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("endorse/<str:token>/", views.endorse, name="endorse"),
    path("teams/invitations/<str:token>/", views.team_invitation, name="team-invitation"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment-detail"),
    path("<slug:slug>/", views.institute_detail, name="institute-detail"),
    path("<slug:slug>/sessions.ics", views.institute_ics, name="institute-ics"),
    path("<slug:slug>/apply/", views.apply, name="apply"),
    path("<slug:slug>/review/", views.review_queue, name="review-queue"),
]
