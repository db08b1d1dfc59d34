from django.urls import path

from trainers import views

app_name = "trainers"
urlpatterns = [
    # Public
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify-code"),
    path("trainers/", views.directory, name="directory"),
    # Certificates and certification
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("certificates/<int:pk>/revoke/", views.revoke, name="certificate-revoke"),
    path("trainers/institutes/<int:pk>/certify/", views.certify_roster, name="certify-roster"),
    path("trainers/institutes/<int:pk>/certify/all/", views.certify_all, name="certify-all"),
    path("trainers/institutes/<int:pk>/certify/<int:user_pk>/", views.certify_one, name="certify-one"),
    # Commitments and the overview (coordinators)
    path("trainers/commitments/", views.commitments, name="commitments"),
    path("trainers/overview/", views.overview, name="overview"),
    # Facilitation reports
    path("trainers/reports/", views.my_reports, name="my-reports"),
    path("trainers/reports/new/", views.report_new, name="report-new"),
    path("trainers/reports/queue/", views.report_queue, name="report-queue"),
    path("trainers/reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("trainers/reports/<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("trainers/reports/<int:pk>/verify/", views.report_verify, name="report-verify"),
    path("trainers/reports/<int:pk>/return/", views.report_return, name="report-return"),
    path("trainers/reports/<int:pk>/files/<slug:which>/", views.report_file, name="report-file"),
    path("trainers/reports/<int:pk>/honorarium/", views.honorarium_request, name="honorarium-request"),
    # Honoraria
    path("trainers/honoraria/", views.honoraria, name="honoraria"),
    path("trainers/honoraria/mine/", views.my_honoraria, name="my-honoraria"),
    path("trainers/honoraria/export/", views.honoraria_export, name="honoraria-export"),
    path("trainers/honoraria/<int:pk>/", views.honorarium_detail, name="honorarium-detail"),
    path("trainers/honoraria/<int:pk>/approve/", views.honorarium_approve, name="honorarium-approve"),
    path("trainers/honoraria/<int:pk>/reject/", views.honorarium_reject, name="honorarium-reject"),
    path("trainers/honoraria/<int:pk>/pay/", views.honorarium_pay, name="honorarium-pay"),
    # The trainer's directory listing
    path("trainers/my-listing/", views.my_listing, name="my-listing"),
]
