from django.urls import path

from trainers.views import (
    attendance,
    certificates,
    directory,
    honoraria,
    impact,
    mentoring,
    overview,
    planning,
    recognitions,
    registration,
    reports,
    requests,
)

app_name = "trainers"
urlpatterns = [
    # Public
    path("verify/", certificates.verify, name="verify"),
    path("verify/badge/", certificates.verify_badge, name="verify-badge"),
    path("verify/<str:code>/", certificates.verify_code, name="verify-code"),
    path("trainers/", directory.directory, name="directory"),
    # Certificates and certification
    path("certificates/<int:pk>/", certificates.certificate, name="certificate"),
    path("certificates/<int:pk>/revoke/", certificates.revoke, name="certificate-revoke"),
    path("certificates/<int:pk>/renew/", certificates.renew, name="certificate-renew"),
    path("certificates/<int:pk>/certificate.pdf", certificates.certificate_pdf, name="certificate-pdf"),
    path("certificates/<int:pk>/badge.jwt", certificates.certificate_badge, name="certificate-badge"),
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
    # Mentoring
    path("trainers/mentoring/", mentoring.my_mentoring, name="my-mentoring"),
    path("trainers/mentoring/mentees/<int:pk>/", mentoring.mentee, name="mentee"),
    path("trainers/mentoring/institutes/<slug:slug>/", mentoring.pairs, name="mentor-pairs"),
    # The trainer's directory listing
    path("trainers/my-listing/", directory.my_listing, name="my-listing"),
    # Turnkey trainings: planning (the trainer), every planned one (coordinators, state office)
    path("trainers/trainings/", planning.my_trainings, name="trainings"),
    path("trainers/trainings/new/", planning.training_new, name="training-new"),
    path("trainers/trainings/all/", planning.trainings_all, name="trainings-all"),
    path("trainers/trainings/<int:pk>/", planning.training_detail, name="training"),
    path("trainers/trainings/<int:pk>/edit/", planning.training_edit, name="training-edit"),
    path(
        "trainers/trainings/<int:pk>/sessions/<int:session_pk>/",
        planning.training_session,
        name="training-session",
    ),
    path("trainers/trainings/<int:pk>/publish/", planning.training_publish, name="training-publish"),
    path("trainers/trainings/<int:pk>/cancel/", planning.training_cancel, name="training-cancel"),
    path("trainers/trainings/<int:pk>/checklist/", planning.training_checklist, name="training-checklist"),
    path("trainers/trainings/<int:pk>/invite/", planning.training_invite, name="training-invite"),
    path("trainers/co-facilitation/<int:pk>/", planning.co_facilitation, name="co-facilitation"),
    # Turnkey trainings: the public side (registration without an account) and the registrants
    path("t/<slug:code>/", registration.training_public, name="training-public"),
    path("t/<slug:code>/flyer/", registration.training_flyer, name="training-flyer"),
    path("t/<slug:code>/qr.svg", registration.training_qr, name="training-qr"),
    path("trainings/find/", registration.find_trainings, name="find-trainings"),
    path("registrations/<slug:token>/cancel/", registration.registration_cancel, name="registration-cancel"),
    path(
        "trainers/trainings/<int:pk>/registrants/",
        registration.training_registrants,
        name="training-registrants",
    ),
    # The day of a turnkey training: roster, walk-ins, the room's code, self check-in, held, report
    path("trainers/trainings/<int:pk>/roster/", attendance.roster, name="training-roster"),
    path("trainers/trainings/<int:pk>/roster/<int:session_pk>/", attendance.roster, name="training-roster"),
    path("trainers/trainings/<int:pk>/walk-in/", attendance.walk_in, name="training-walk-in"),
    path("trainers/trainings/<int:pk>/room/<int:session_pk>/", attendance.room, name="training-room"),
    path("trainers/trainings/<int:pk>/held/", attendance.mark_held, name="training-held"),
    path("trainers/trainings/<int:pk>/report/", attendance.training_report, name="training-report"),
    path("trainers/trainings/<int:pk>/results/", attendance.training_results, name="training-results"),
    path("t/<slug:code>/check-in/", attendance.check_in, name="check-in"),
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

# Agencies' requests for a trainer or to host a regional CoP, and the offered trainer's answer
urlpatterns += [
    path("trainers/requests/", requests.my_requests, name="requests"),
    path("trainers/requests/new/", requests.request_new, name="request-new"),
    path("trainers/requests/host/", requests.host_new, name="request-host"),
    path("trainers/requests/queue/", requests.request_queue, name="request-queue"),
    path("trainers/requests/<int:pk>/", requests.request_detail, name="request"),
    path("trainers/requests/<int:pk>/offer/", requests.request_offer, name="request-offer-new"),
    path("trainers/requests/<int:pk>/withdraw/", requests.request_withdraw, name="request-withdraw"),
    path("trainers/requests/<int:pk>/decide/", requests.request_decide, name="request-decide"),
    path("trainers/requests/<int:pk>/close/", requests.request_close, name="request-close"),
    path("trainers/requests/<int:pk>/follow-up/", requests.request_follow_up, name="request-follow-up"),
    path("trainers/offers/<int:pk>/", requests.offer_answer, name="request-offer"),
]
