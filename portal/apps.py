from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_save

# The apps whose rows the portal's pages show (see portal.pagecache).
PAGE_DATA_APPS = ("portal", "institutes", "communities", "trainers")


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # startup registers the deploy check; tasks registers the delivery tasks that
        # portal.emails queues by name, in every process (web, tests and workers alike).
        from portal import pagecache, startup, tasks  # noqa: F401

        # Per model, not for every sender: models without receivers keep Django's fast delete.
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label not in PAGE_DATA_APPS:
                continue
            if model._meta.label_lower in pagecache.NOT_SHOWN:
                continue
            uid = f"pagecache:{model._meta.label_lower}"
            post_save.connect(pagecache.bump_for_instance, sender=model, dispatch_uid=uid)
            post_delete.connect(pagecache.bump_for_instance, sender=model, dispatch_uid=uid)
            # add(), remove() and clear() on a many-to-many field name its table as the sender.
            m2m_changed.connect(pagecache.bump_for_instance, sender=model, dispatch_uid=uid)
