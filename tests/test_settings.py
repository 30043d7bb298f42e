"""The settings read the environment: the database, and production hardening when DEBUG is off.

Each case imports the real settings (wuxisafety.settings) in a fresh interpreter with a clean,
explicit environment, so the result does not depend on the shell that runs the suite.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Everything the settings read from the environment (and that a developer's shell or CI may set).
SETTINGS_ENV = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it for their own process
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "VAR_DIR",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "BEHIND_TLS_PROXY",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CELERY_BROKER_URL",
    "CELERY_VISIBILITY_TIMEOUT",
    "CELERY_UNACKED_RESTORE_INTERVAL",
    "CACHE_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_BACKEND",
    "AXES_IPWARE_PROXY_COUNT",
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
}

# 64 characters from several classes, as `check --deploy` (security.W009) demands.
PRODUCTION_SECRET_KEY = "kQ7#vN2!pX9@mR4$wT6%yB8^zC1&dF3*hJ5(gL0)sA-eU_iO+oP=qW~rE[tY]uI{"

SETTINGS_REPORT = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "PORT": db.get("PORT", ""),
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "SETTINGS_MODULE": settings.SETTINGS_MODULE,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_HSTS_PRELOAD": settings.SECURE_HSTS_PRELOAD,
    "SECURE_CONTENT_TYPE_NOSNIFF": settings.SECURE_CONTENT_TYPE_NOSNIFF,
    "X_FRAME_OPTIONS": settings.X_FRAME_OPTIONS,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SILENCED_SYSTEM_CHECKS": settings.SILENCED_SYSTEM_CHECKS,
    "MIDDLEWARE": settings.MIDDLEWARE,
    "CACHE": [settings.CACHES["default"]["BACKEND"], settings.CACHES["default"]["LOCATION"]],
    "BROKER_OPTIONS": getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
}))
"""

# A request through the whole middleware stack with the production settings: a page that renders
# no template (a 404 with DEBUG off), so neither a database nor collected static files are needed.
PRODUCTION_REQUEST = """
import json
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="anquan.example.gov.cn")
plain = client.get("/no-such-page/")
secure = client.get("/no-such-page/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, {key: secure.get(key) for key in (
        "Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"
    )}],
}))
"""


def clean_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_ENV}
    env["DJANGO_SETTINGS_MODULE"] = "wuxisafety.settings"
    env.update(overrides)
    return env


def run_python(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(**env: str) -> dict:
    result = run_python(["-c", SETTINGS_REPORT], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production_env(**extra: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": PRODUCTION_SECRET_KEY,
        "ALLOWED_HOSTS": "anquan.example.gov.cn",
    } | extra


# --- the database ----------------------------------------------------------------------


def test_without_database_url_the_database_is_sqlite_in_var():
    settings = load_settings()

    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["NAME"] == str(BASE_DIR / "var" / "db.sqlite3")


def test_the_shared_cache_is_files_in_var_unless_cache_url_says_otherwise(tmp_path):
    files = "django.core.cache.backends.filebased.FileBasedCache"
    default = load_settings(VAR_DIR=str(tmp_path))
    assert default["CACHE"] == [files, str(tmp_path / "cache")]
    redis = load_settings(CACHE_URL="redis://:pw@db1.intra:6379/1")["CACHE"]
    assert redis == ["django.core.cache.backends.redis.RedisCache", "redis://:pw@db1.intra:6379/1"]
    assert load_settings(CACHE_URL="file:///srv/wx%20cache")["CACHE"] == [files, "/srv/wx cache"]
    refused = run_python(["-c", SETTINGS_REPORT], CACHE_URL="memcached://x")
    assert refused.returncode != 0 and "CACHE_URL must be" in refused.stderr


# --- files --------------------------------------------------------------------------------


def test_importing_the_settings_writes_nothing(tmp_path):
    """Every process, tool and test imports the settings: none of them may create folders by it."""
    var = tmp_path / "var"
    settings = load_settings(VAR_DIR=str(var))

    assert settings["CACHE"][1] == str(var / "cache")
    assert not var.exists()


def test_the_embedded_broker_makes_its_folders_when_a_task_is_first_sent(tmp_path):
    """The default broker is files in VAR_DIR/broker; a process that sends a task (a web request
    queueing e-mails, in a fresh checkout) finds its folders made by the Celery app."""
    var = tmp_path / "var"
    send = "from wuxisafety import celery_app; celery_app.send_task('assessment.deliver_notifications')"
    result = run_python(["-c", send], VAR_DIR=str(var))

    assert result.returncode == 0, result.stderr
    broker = var / "broker"
    assert {p.name for p in broker.iterdir() if p.is_dir()} == {"processed", "control"}
    assert len(list(broker.glob("*.msg"))) == 1  # the task, waiting for a worker


def test_a_task_lost_with_its_worker_is_back_in_the_queue_within_minutes_on_redis():
    """A worker killed whole leaves its task unacknowledged in Redis: it is redelivered once out
    longer than the visibility timeout, at the next sweep (the README's bound: 5 min 10 s)."""
    options = load_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")["BROKER_OPTIONS"]
    sweep = options["unacked_restore_interval"] * options.get("unacked_restore_throttle", 10)
    assert (options["visibility_timeout"], sweep) == (300, 10)


def test_database_url_selects_postgresql():
    settings = load_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/wuxi")

    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert settings["NAME"] == "wuxi"
    assert settings["HOST"] == "127.0.0.1"
    assert str(settings["PORT"]) == "5432"


# --- development defaults --------------------------------------------------------------


def test_debug_is_on_by_default_without_production_hardening():
    settings = load_settings()

    assert settings["DEBUG"] is True
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["SECURE_PROXY_SSL_HEADER"] is None


# --- production ------------------------------------------------------------------------


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_env(VAR_DIR=str(tmp_path)),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_secret_key(tmp_path):
    """The check above can fail: a short key is a deploy warning."""
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_env(VAR_DIR=str(tmp_path), SECRET_KEY="short"),
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_python(["-c", SETTINGS_REPORT], DEBUG="0", ALLOWED_HOSTS="anquan.example.gov.cn")

    assert result.returncode != 0
    assert "RuntimeError" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_debug_off_with_empty_secret_key_refuses_to_start():
    result = run_python(["-c", SETTINGS_REPORT], DEBUG="0", SECRET_KEY="")

    assert result.returncode != 0
    assert "RuntimeError: SECRET_KEY" in result.stderr


def test_debug_off_turns_on_https_hardening():
    settings = load_settings(**production_env())

    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_HSTS_SECONDS"] > 0
    assert settings["SECURE_PROXY_SSL_HEADER"] is None


def test_production_settings_are_what_the_deploy_check_checks():
    """CI's `check --deploy` and the one above run the real settings, not the test settings, and
    the one check silenced is the HSTS preload warning, while preload is not opted into."""
    settings = load_settings(**production_env())

    assert settings["SETTINGS_MODULE"] == "wuxisafety.settings"
    assert settings["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
    assert load_settings(**production_env(SECURE_HSTS_PRELOAD="1"))["SILENCED_SYSTEM_CHECKS"] == []
    ci = (BASE_DIR / ".ci" / "run").read_text()
    assert "DJANGO_SETTINGS_MODULE=wuxisafety.settings DEBUG=0" in ci
    assert "manage.py check --deploy --fail-level WARNING" in ci


def test_debug_off_turns_on_every_browser_protection():
    settings = load_settings(**production_env())

    assert settings["SECURE_HSTS_SECONDS"] >= 31536000
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is False  # opt-in: see below
    assert settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert settings["X_FRAME_OPTIONS"] == "DENY"
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    for middleware in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "axes.middleware.AxesMiddleware",
    ):
        assert middleware in settings["MIDDLEWARE"]


def test_a_production_request_is_sent_to_https_and_answered_with_the_security_headers(tmp_path):
    result = run_python(["-c", PRODUCTION_REQUEST], **production_env(VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.splitlines()[-1])

    assert answers["plain"] == [301, "https://anquan.example.gov.cn/no-such-page/"]
    status, headers = answers["secure"]
    assert status == 404
    assert headers == {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def test_hsts_preload_is_opt_in_and_then_passes_the_deploy_check_unsilenced(tmp_path):
    env = production_env(VAR_DIR=str(tmp_path), SECURE_HSTS_PRELOAD="1")
    assert load_settings(**env)["SECURE_HSTS_PRELOAD"] is True

    check = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues (0 silenced)" in check.stdout

    request = run_python(["-c", PRODUCTION_REQUEST], **env)
    assert request.returncode == 0, request.stderr
    _, headers = json.loads(request.stdout.splitlines()[-1])["secure"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_behind_tls_proxy_trusts_x_forwarded_proto():
    settings = load_settings(**production_env(BEHIND_TLS_PROXY="1"))

    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_django_info_line_prints_once_while_debugging():
    """Django's own console handler prints its INFO lines under DEBUG (runserver's "Watching for file
    changes"); the root handler must not print them a second time."""
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.utils.autoreload').info('Watching for file changes with StatReloader')"
    )
    result = run_python(["-c", script], DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Watching for file changes") == 1, result.stderr
