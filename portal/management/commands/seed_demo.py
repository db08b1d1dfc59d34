from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create the demo world (agencies, people for every role, institutes, communities). Idempotent."

    def handle(self, *args, **options):
        # Each app contributes its own part in INSTALLED_APPS order, so portal never imports them.
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith("django") or find_spec(config.name) is None:
                continue
            if find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).seed(stdout=self.stdout)
            self.stdout.write(f"Seeded {config.label}.")
        self.stdout.write(self.style.SUCCESS("The demo world is ready."))
