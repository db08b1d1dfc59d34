"""Settings for the ToT Portal, read from the environment (see .env.example)."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, ""),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "testserver"]),
    DATABASE_URL=(str, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    REDIS_URL=(str, ""),
    EMAIL_URL=(str, "consolemail://"),
    DEFAULT_FROM_EMAIL=(str, "ToT Portal <no-reply@tot-portal.example.org>"),
    SITE_URL=(str, "http://127.0.0.1:8000"),
    SITE_NAME=(str, "ToT Portal"),
    TRUSTED_PROXY_COUNT=(int, 0),
    TRUSTED_CLIENT_IP_HEADER=(str, ""),
    RATE_LIMIT_LOGIN_FAILED=(str, "5/5m/ip,5/5m/key"),
    RATE_LIMIT_SIGNUP=(str, "20/h/ip"),
    RATE_LIMIT_RESET_PASSWORD=(str, "10/h/ip,5/h/key"),
    TIME_ZONE=(str, "America/Los_Angeles"),
    MEDIA_ROOT=(str, str(BASE_DIR / "var" / "uploads")),
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 31_536_000),
    CELERY_VISIBILITY_TIMEOUT=(int, 3600),
    CELERY_UNACKED_RESTORE_INTERVAL=(int, 10),
    CELERY_UNACKED_RESTORE_THROTTLE=(int, 10),
    CELERY_UNACKED_RESTORE_LIMIT=(int, 0),
    CELERY_UNACKED_MUTEX_EXPIRE=(int, 300),
    CELERY_WORKER_PREFETCH_MULTIPLIER=(int, 1),
    EMAIL_CLAIM_LEASE_SECONDS=(int, 300),
    EMAIL_RETRY_BACKOFF_SECONDS=(int, 60),
    EMAIL_MAX_ATTEMPTS=(int, 5),
    EMAIL_FLUSH_GRACE_SECONDS=(int, 60),
    REMINDER_BATCH_SIZE=(int, 1000),
    UPLOAD_MAX_MB=(int, 10),
    CREDENTIALS_SIGNING_KEY=(str, ""),
    CREDENTIALS_SIGNING_KEY_FILE=(str, ""),
)
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(env_file)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
SECRET_KEY_IS_PLACEHOLDER = not SECRET_KEY
if SECRET_KEY_IS_PLACEHOLDER:
    # For the quick start, the tests and offline commands such as makemigrations. With DEBUG off the
    # web server and the Celery processes refuse to start on it (portal/startup.py), and
    # `check --deploy` reports it.
    SECRET_KEY = "insecure-quick-start-key-never-used-in-production-0123456789"
# The private key that signs the Open Badges the portal issues (portal/credentials/keys.py): a PEM
# EC P-256 or RSA key, in the variable (newlines may be written as \n) or in a file it names.
CREDENTIALS_SIGNING_KEY = env("CREDENTIALS_SIGNING_KEY").replace("\\n", "\n")
if not CREDENTIALS_SIGNING_KEY and env("CREDENTIALS_SIGNING_KEY_FILE"):
    CREDENTIALS_SIGNING_KEY = Path(env("CREDENTIALS_SIGNING_KEY_FILE")).read_text()
# Without one, a key derived from SECRET_KEY signs (quick start, demo, tests); with DEBUG off the
# web server and the Celery processes refuse to start on it, like on the placeholder SECRET_KEY.
CREDENTIALS_KEY_IS_PLACEHOLDER = not CREDENTIALS_SIGNING_KEY
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
SITE_URL = env("SITE_URL").rstrip("/")
SITE_NAME = env("SITE_NAME")
# The portal is served over HTTPS when its public address says so, whether or not Django itself
# redirects plain HTTP (a proxy in front may do that instead).
SERVED_OVER_HTTPS = SITE_URL.startswith("https://")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "portal",
    "portal.surveys",
    "portal.learning",
    "institutes",
    "communities",
    "trainers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireStaffTwoFactorMiddleware",
    "portal.middleware.PrivatePagesNotCachedMiddleware",
]

# The benchmark (bench) serves the same site plus two ceiling views through its own URLconf.
ROOT_URLCONF = env.str("ROOT_URLCONF", default="portal.urls")
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Named after the database, so that two checkouts testing at once never share a test database.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}")
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The quick start is one process, so an in-memory cache holds the rate limits, sessions and
    # group names well enough; production and CI set REDIS_URL and share one cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tot"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "portal.backends.ModelBackend",
    "portal.backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
# One way to write a time of day everywhere (pages, e-mails, calendar files): en-us's own
# "1:20 p.m.", "9 a.m.", "noon" (templates' |time, portal.reminders.clock).
TIME_FORMAT = "P"
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
# locale/en: django-allauth's Title Case headings and buttons in the site's sentence case.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    # Uploads live outside the web root and are served only through views that check access.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env("MEDIA_ROOT")
MEDIA_URL = "/uploads/"  # never routed: files go out through permission-checked views
UPLOAD_MAX_BYTES = env("UPLOAD_MAX_MB") * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail -------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_CLAIM_LEASE_SECONDS = env("EMAIL_CLAIM_LEASE_SECONDS")
EMAIL_RETRY_BACKOFF_SECONDS = env("EMAIL_RETRY_BACKOFF_SECONDS")
EMAIL_MAX_ATTEMPTS = env("EMAIL_MAX_ATTEMPTS")
EMAIL_FLUSH_GRACE_SECONDS = env("EMAIL_FLUSH_GRACE_SECONDS")
REMINDER_BATCH_SIZE = env("REMINDER_BATCH_SIZE")
# The daily scans `manage.py send_reminders` runs (beat runs their tasks), named by string so
# that portal imports no app.
REMINDER_SCANS = [
    "institutes.tasks.scan_reminders",
    "trainers.tasks.scan_reminders",
    "portal.surveys.tasks.scan_reminders",
]

# --- Accounts (django-allauth) ------------------------------------------------------------
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_FORMS = {"signup": "portal.forms.SignupForm"}
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED"),
    "signup": env("RATE_LIMIT_SIGNUP"),
    "reset_password": env("RATE_LIMIT_RESET_PASSWORD"),
}
# Behind a proxy every request comes from the proxy's address: name how many proxies append to
# X-Forwarded-For (or the one header that carries the client's address), so that rate limits
# count each person's address and one person's failures never lock out everyone else.
ALLAUTH_TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT")
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ToT Portal"
MFA_REQUIRED_GROUPS = ("Coordinators", "Finance", "State office")
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)
if DEBUG:
    # Quick start only (allauth refuses it with DEBUG off): lets the demo staff sign in with a fixed code.
    MFA_TOTP_INSECURE_BYPASS_CODE = env.str("DEMO_TOTP_CODE", default="") or None

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# No script reads the token from the cookie: forms (and htmx, through the enclosing form) send it.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = SERVED_OVER_HTTPS
    CSRF_COOKIE_SECURE = SERVED_OVER_HTTPS

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker holds at most multiplier x concurrency messages at once (running or reserved); with
# late acks each sits unacknowledged in Redis and waits for the visibility timeout if the worker
# dies, so 1 (one per process) keeps what a kill strands small.
CELERY_WORKER_PREFETCH_MULTIPLIER = env("CELERY_WORKER_PREFETCH_MULTIPLIER")
# Kombu's Redis transport keeps each message handed to a worker in an "unacked" hash until it is
# acknowledged. A worker killed outright never acknowledges, so every running worker sweeps that
# hash: every `unacked_restore_interval` seconds it calls restore_visible, which scans Redis only
# on every `unacked_restore_throttle`-th call (about interval x throttle seconds apart, 100 s by
# default), and puts back on the queue up to `unacked_restore_limit` messages (0: all) that were
# handed over more than `visibility_timeout` seconds ago. `unacked_mutex_expire` bounds how long
# one worker's sweep holds the lock that keeps two sweeps from restoring the same message.
# The visibility timeout must outlast the longest task and retry countdown, or a task still
# running is handed to a second worker (harmless for e-mail, whose rows are claimed, but wasteful).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env("CELERY_VISIBILITY_TIMEOUT"),
    "unacked_restore_interval": env("CELERY_UNACKED_RESTORE_INTERVAL"),
    "unacked_restore_throttle": env("CELERY_UNACKED_RESTORE_THROTTLE"),
    "unacked_restore_limit": env("CELERY_UNACKED_RESTORE_LIMIT") or None,
    "unacked_mutex_expire": env("CELERY_UNACKED_MUTEX_EXPIRE"),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "flush-outbox": {"task": "portal.flush_outbox", "schedule": 300.0},
    "send-daily-digests": {
        "task": "communities.send_daily_digests",
        "schedule": crontab(hour=6, minute=30),
    },
    "seat-offers-expire": {
        "task": "institutes.expire_seat_offers",
        "schedule": crontab(hour=6, minute=45),
    },
    "institute-reminders": {
        "task": "institutes.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "trainer-reminders": {
        "task": "trainers.send_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    "request-flags": {
        "task": "trainers.flag_waiting_requests",
        "schedule": crontab(hour=7, minute=20),
    },
    "survey-invitations": {
        "task": "surveys.send_invitations",
        "schedule": crontab(hour=7, minute=30),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports each step of every PDF at INFO; its warnings and errors still show.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
