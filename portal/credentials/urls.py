from django.urls import path

from portal.credentials import views

app_name = "credentials"
urlpatterns = [
    path("keys.json", views.key_set, name="keys"),
    path("keys/<slug:kid>.json", views.key, name="key"),
    path("issuer.json", views.issuer, name="issuer"),
]
