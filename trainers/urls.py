from django.urls import path

from trainers.views import certificates, directory, honoraria, impact, overview, recognitions, reports

app_name = "trainers"
urlpatterns = [
    # Public
    path("verify/", certificates.verify, name="verify"),
    path("verify/<str:code>/", certificates.verify_code, name="verify-code"),
    path("trainers/", directory.directory, name="directory"),
    # Certificates and certification
    path("certificates/<int:pk>/", certificates.certificate, name="certificate"),
    path("certificates/<int:pk>/revoke/", certificates.revoke, name="certificate-revoke"),
    path("trainers/institutes/<int:pk>/certify/", certificates.certify_roster, name="certify-roster"),
    path("trainers/institutes/<int:pk>/certify/all/", certificates.certify_all, name="certify-all"),
    path("trainers/institutes/<int:pk>/certify/<int:user_pk>/", certificates.certify_one, name="certify-one"),
    # Commitments and the overview (coordinators)
    path("trainers/commitments/", overview.commitments, name="commitments"),
    path("trainers/overview/", overview.overview, name="overview"),
    # Facilitation reports
    path("trainers/reports/", reports.my_reports, name="my-reports"),
    path("trainers/reports/new/", reports.report_new, name="report-new"),
    path("trainers/reports/queue/", reports.report_queue, name="report-queue"),
    path("trainers/reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("trainers/reports/<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("trainers/reports/<int:pk>/verify/", reports.report_verify, name="report-verify"),
    path("trainers/reports/<int:pk>/return/", reports.report_return, name="report-return"),
    path("trainers/reports/<int:pk>/files/<slug:which>/", reports.report_file, name="report-file"),
    path("trainers/reports/<int:pk>/honorarium/", honoraria.honorarium_request, name="honorarium-request"),
    # Honoraria
    path("trainers/honoraria/", honoraria.honoraria, name="honoraria"),
    path("trainers/honoraria/mine/", honoraria.my_honoraria, name="my-honoraria"),
    path("trainers/honoraria/export/", honoraria.honoraria_export, name="honoraria-export"),
    path("trainers/honoraria/<int:pk>/", honoraria.honorarium_detail, name="honorarium-detail"),
    path("trainers/honoraria/<int:pk>/approve/", honoraria.honorarium_approve, name="honorarium-approve"),
    path("trainers/honoraria/<int:pk>/reject/", honoraria.honorarium_reject, name="honorarium-reject"),
    path("trainers/honoraria/<int:pk>/pay/", honoraria.honorarium_pay, name="honorarium-pay"),
    # The trainer's directory listing
    path("trainers/my-listing/", directory.my_listing, name="my-listing"),
]

# Reach and impact, awards and impact stories
urlpatterns += [
    path("impact/", impact.impact_public, name="impact-public"),
    path("trainers/impact/", impact.impact_dashboard, name="impact"),
    path("trainers/impact/export/<slug:table>.<slug:fmt>", impact.impact_export, name="impact-export"),
    path("trainers/recognition/", recognitions.recognitions, name="recognitions"),
    path("trainers/recognition/new/", recognitions.recognition_new, name="recognition-new"),
    path("trainers/recognition/<int:pk>/edit/", recognitions.recognition_edit, name="recognition-edit"),
    path(
        "trainers/recognition/<int:pk>/publish/", recognitions.recognition_publish, name="recognition-publish"
    ),
]
