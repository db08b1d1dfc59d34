import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

from portal.startup import refuse_placeholder_key  # noqa: E402  (needs the settings loaded above)

refuse_placeholder_key()
