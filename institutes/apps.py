from django.apps import AppConfig


class InstitutesConfig(AppConfig):
    name = "institutes"
