from django.contrib import admin
from django.urls import include, path

from portal import views

# The admin signs in through allauth, with its rate limits and two-factor step.
admin.site.login = views.admin_login
admin.site.site_header = "ToT Portal administration"
admin.site.site_title = "ToT Portal admin"

handler403 = views.permission_denied

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("healthz", views.healthz, name="healthz"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("institutes/", include("institutes.urls")),
    path("communities/", include("communities.urls")),
    path("surveys/", include("portal.surveys.urls")),
    path("credentials/", include("portal.credentials.urls")),
    path("learning/", include("portal.learning.urls")),
    path("", include("trainers.urls")),
]
