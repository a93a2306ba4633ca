"""Settings for the quality-award portal.

Every value that differs between installations is read from the environment once, here
(django-environ). With no environment at all the portal runs embedded: SQLite, Celery
tasks executed in-process, files on the local disk and e-mail printed to the console.
The production path sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis) and DEBUG=0;
the README's configuration table lists every variable.
"""
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env(
    "SECRET_KEY",
    default="embedded-only-insecure-key-set-SECRET_KEY-in-production-0123456789abcdef" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "guardian",
    "rules.apps.AutodiscoverRulesConfig",
    "qualityaward.accounts.apps.AxesConfig",
    "django_htmx",
    "csp",
    "bootstrap",
    "qualityaward.accounts",
    "applications",
    "review",
    "publicity",
    "django_prose_editor",  # the narratives' editor (ProseMirror), served from its static files
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "qualityaward.security_headers.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qualityaward.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qualityaward.urls"
WSGI_APPLICATION = "qualityaward.wsgi.application"

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
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# guardian stores explicit grants only; its backend is deliberately not installed so that
# every object check goes through the rule predicates, where a recusal outranks a grant.
# No anonymous user row (guardian's setting is ANONYMOUS_USER_NAME): visitors hold no grants, and the
# admin's user list shows people only.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LOCALE_PATHS = [BASE_DIR / "qualityaward" / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded and generated files are private: there is no MEDIA_URL route; every file is
    # served by a view that checks access first.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = None
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="质量奖评审平台 <noreply@localhost>")

# --- Celery ---------------------------------------------------------------------------
_BROKER = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run eagerly in the web process; the in-memory transport stands in so that Celery
# never looks for a message server on localhost.
CELERY_BROKER_URL = _BROKER or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not _BROKER)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="qualityaward")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-documents": {
        "task": "applications.tasks.requeue_stale_documents",
        "schedule": 300.0,
    },
    "run-publicity": {
        "task": "publicity.tasks.run_publicity",
        "schedule": env.float("PUBLICITY_BEAT_SECONDS", default=60.0),
    },
}

# --- UI -------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Fonts used by generated PDFs; the setup installs them from Debian packages.
PDF_FONT_DIRS = env.list("PDF_FONT_DIRS", default=["/usr/share/fonts"])
# The Chinese faces subset once for fast PDFs (`manage.py prepare_fonts`; outside git).
PDF_FONT_CACHE_DIR = env.path("PDF_FONT_CACHE_DIR", default=str(VAR_DIR / "fonts"))

#: Excel exports with more rows than this run as a background job (progress, then a download); smaller ones
#: are answered at once.
BACKGROUND_EXPORT_ROWS = env.int("BACKGROUND_EXPORT_ROWS", default=20000)

#: Objections one network address may submit per hour (every attempt counts, refused ones too).
OBJECTIONS_PER_IP_PER_HOUR = env.int("OBJECTIONS_PER_IP_PER_HOUR", default=10)

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "qualityaward.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts and styles come from the portal's own static files only: templates carry no inline script,
# event handler or style (their behaviour is in static/js/portal.js, their looks in static/css/).
# data: images are Bootstrap's own icons (form controls, the navbar toggler) inside its stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Addresses of the reverse proxies in front of the portal (e.g. "10.0.0.5,10.0.0.6"). Only a request that
# arrives from one of them has its X-Forwarded-For believed; by default none is, so a client cannot put
# another address into the audit trail or dodge a rate limit (accounts.services.client_ip).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "qualityaward.accounts.services.client_ip"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

SILENCED_SYSTEM_CHECKS = [
    # guardian's backend is left out on purpose: grants are checked through applications.rules,
    # where a recusal outranks a grant.
    "guardian.W001",
    # SQLite cannot enforce the NULLS NOT DISTINCT role-scope constraint; PostgreSQL does, and
    # grant_role() uses get_or_create on both.
    "models.W047",
]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The ranking's covering index (INCLUDE columns) is a PostgreSQL feature; SQLite builds the
    # index on its key columns alone, which is all the embedded configuration needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
