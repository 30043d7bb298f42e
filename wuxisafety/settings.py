"""Settings for the safety-responsibility dashboard.

Every value that differs between machines comes from the environment (see .env.example);
the defaults are a developer laptop: SQLite, an embedded broker, e-mail to the console.
"""

import os
import urllib.parse
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The city this installation serves; every page and document names it.
CITY_NAME = os.environ.get("CITY_NAME", "无锡市")
OFFICE_NAME = os.environ.get("OFFICE_NAME", f"{CITY_NAME}安全生产委员会办公室")
# 文号 prefixes: the responsibility letters' (锡安委〔2026〕3号) and the circulars' (锡安办〔2026〕5号).
DOC_PREFIX = os.environ.get("DOC_PREFIX", "锡安委")
CIRCULAR_DOC_PREFIX = os.environ.get("CIRCULAR_DOC_PREFIX", "锡安办")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "simple_history",
    "axes",
    "responsibility",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "responsibility.middleware.ContentSecurityPolicyMiddleware",
    "responsibility.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pushes the idle expiry back every few minutes, not on every request (SESSION_REFRESH_SECONDS).
    "responsibility.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "responsibility.middleware.PasswordChangeRequiredMiddleware",
    # Last, so that a lockout raised anywhere above becomes the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wuxisafety.urls"
WSGI_APPLICATION = "wuxisafety.wsgi.application"

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
                "responsibility.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache (login throttling and the like; the kept assessment is in the database, see
# assessment/results/keeping.py): Redis (redis://…; required once the web tier spans machines), or
# files (file:///path; default var/cache: one machine, the quick start, the tests).
CACHE_URL = os.environ.get("CACHE_URL") or (VAR_DIR / "cache").resolve().as_uri()
if CACHE_URL.startswith(("redis://", "rediss://")):
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    CACHES = {"default": _redis}
elif CACHE_URL.startswith("file://"):
    _files = urllib.parse.unquote(urllib.parse.urlsplit(CACHE_URL).path)
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": _files},
    }
else:
    raise RuntimeError("CACHE_URL must be redis://… or file:///…")

AUTH_USER_MODEL = "responsibility.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, loading the user with the unread count for the bell: no query per page.
    "assessment.notices.backends.InboxModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    # Django's, refusing in Chinese (its zh-hans catalogue lacks one message) and saying 您, not 你.
    {"NAME": "responsibility.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "responsibility.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "responsibility.passwords.CommonPasswordValidator"},
    {"NAME": "responsibility.passwords.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A working day idle ends the session. Activity pushes the expiry back, but the session is written
# at most once every SESSION_REFRESH_SECONDS (responsibility.middleware.SessionRefreshMiddleware)
# rather than on every request: idle expiry is exact to within those 5 minutes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 5 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# Five wrong passwords for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_IPWARE_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("AXES_IPWARE_META_PRECEDENCE_ORDER", "REMOTE_ADDR")

# One language for everyone, whatever the browser asks for: no LocaleMiddleware.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Uploads (signed letters, evidence) are private: outside static, served only through views
# that check the user's scope. There is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "anweiban@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the filebased backend
# The address people open the site at, for the links in e-mails (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Celery: Redis in production; by default a broker in files under var/, so a laptop needs nothing.
# ("localhost" only keeps kombu from warning that the URL names no host.)
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The folders are made by the Celery app when a process first uses it (wuxisafety/celery.py).
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # else kombu writes ./control/ wherever it runs
        "store_processed": False,
    }
else:
    # A task whose worker died unacknowledged (killed whole, main process and child) goes back to the
    # queue once it has been out longer than the visibility timeout, at the next sweep of any worker
    # (every `unacked_restore_interval` seconds): within 5 min 10 s of a worker running, by default.
    # The timeout must stay longer than any task runs or waits (the app uses no countdowns; the
    # year's export of the 300-unit city takes about 12 s), else a slow task is run twice: harmless
    # (every task is idempotent) but wasted. Tests shorten both.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(5 * 60))),
        "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": 1,  # so the interval alone sets the sweep's period
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_REDIRECT_STDOUTS = False  # console e-mails print as they are, not as log lines
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "send-reminders": {"task": "assessment.send_reminders", "schedule": crontab(hour=8, minute=30)},
    "prune-year-exports": {"task": "assessment.prune_year_exports", "schedule": crontab(hour=3, minute=15)},
    # The kept assessment's safety net (assessment/results/keeping.py): marks a lost or killed
    # refresh left, and the current year's first refresh of a new day, just after midnight.
    "refresh-kept-assessment": {"task": "assessment.refresh_due_kept", "schedule": crontab()},
}
# A year's export workbook is kept this many days after it is made, then its file is removed.
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "30"))
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Production hardening: on whenever DEBUG is off; a proxy that terminates TLS says so.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preloading is opt-in (SECURE_HSTS_PRELOAD=1): once the domain is on the browsers' list, each of
# its subdomains must answer over HTTPS, and leaving the list takes months. Django's deploy check
# warns (security.W021) whenever HSTS is on without it; until then that warning is this choice.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images and fonts from this site only; no inline script (the pages' scripts are
# files under static/js, their data in json_script blocks); inline style attributes are allowed
# (a few templates and the charts set widths). Tested by the browser journeys, which fail on any
# violation logged to the console.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
# The app's own limits on what a request may carry (the proxy's client_max_body_size should match,
# README, Deploying): a whole request with its files; a form's fields without them; their number.
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", str(210 * 1024 * 1024)))  # ten 20 MB files
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The handler's own level too: Django's loggers print their INFO lines themselves while DEBUG is
    # on ("Watching for file changes…") and also pass them up here, where they would print twice.
    "handlers": {
        "console": {"class": "logging.StreamHandler", "level": os.environ.get("LOG_LEVEL", "WARNING")}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
