from django.urls import path

from portal.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.transcript, name="transcript"),
    path("records/", views.issue_record, name="record-issue"),
    path("records/<int:pk>/", views.record, name="record"),
    path("export/", views.export, name="export"),
]
