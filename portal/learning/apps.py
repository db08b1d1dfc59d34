from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "portal.learning"
    label = "learning"
    verbose_name = "Professional-learning hours"
