"""Django settings for kehu.

Everything that differs between a laptop demo and a production deployment comes from
environment variables (``KEHU_*``); the defaults give a working SQLite demo on 127.0.0.1.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("KEHU_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("KEHU_DEBUG", False)
# A fixed development key is only acceptable while DEBUG or tests run; production must set one.
# The "django-insecure-" prefix makes `check --deploy` report (security.W009) a forgotten key.
SECRET_KEY = os.environ.get(
    "KEHU_SECRET_KEY", "django-insecure-kehu-development-key-change-me-in-production"
)
# Key for encrypting sensitive customer fields at rest (ID numbers, whistle-blower identity).
# Separate from SECRET_KEY so rotating sessions does not make stored data unreadable.
FIELD_ENCRYPTION_KEY = os.environ.get("KEHU_FIELD_ENCRYPTION_KEY", SECRET_KEY)
ALLOWED_HOSTS = [
    h for h in os.environ.get("KEHU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KEHU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Listed so the API docs page (/api/v1/docs) uses ninja's bundled Swagger files instead of
    # a CDN: no internet on intranets, and the CSP allows our own origin only.
    "ninja",
    "csp",
    "axes",
    "huey.contrib.djhuey",
    "kehu.core.org",
    "kehu.core.audit",
    "kehu.core.ledger",
    "kehu.core.calendar",
    "kehu.core.policy",
    "kehu.core.customers",
    "kehu.core.web",
    "kehu.discipline",
    "kehu.sales",
    "kehu.complaints",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kehu.core.web.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "kehu.core.web.middleware.KehuErrorPageMiddleware",
    # AxesMiddleware must be last: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kehu.urls"
WSGI_APPLICATION = "kehu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kehu.core.web.context_processors.staff",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
_default_db_url = f"sqlite:///{VAR_DIR / 'kehu.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KEHU_DATABASE_URL", _default_db_url), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE makes a write transaction take
    # the write lock at BEGIN, so two racing registrations serialise instead of deadlocking.
    # Checkpoints run in the worker, not in a user's save (kehu/core/web/maintenance.py); the
    # raised threshold (pages of 4 KiB, ≈ 16 MB) bounds the log when no worker runs.
    SQLITE_WAL_AUTOCHECKPOINT_PAGES = 4000
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
            f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Django's SQLite backend, remembering how it rewrote each statement's placeholders
    DATABASES["default"]["ENGINE"] = "kehu.core.sqlite"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The full name's index carries extra columns (INCLUDE) for PostgreSQL's index-only A7.4 match;
# SQLite has no INCLUDE and Django leaves them out there, as intended (core/customers/models.py).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with a user's permissions read in one statement (every request asks).
    "kehu.core.org.backends.PermissionsInOneReadBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AXES_FAILURE_LIMIT = int(os.environ.get("KEHU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"

# --- i18n and time --------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Money is written 1,234,567.50 in Chinese too (kehu/formats/zh_Hans).
FORMAT_MODULE_PATH = ["kehu.formats"]
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read by a plain statement (every request reads its session).
SESSION_ENGINE = "kehu.core.web.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Chinese error page for a failed CSRF check (an expired form); the refusal is audited.
CSRF_FAILURE_VIEW = "kehu.core.web.views.csrf_failure"
if not DEBUG and _env_bool("KEHU_HTTPS", True) and not _env_bool("KEHU_DEMO", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("KEHU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("KEHU_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Everything is served from our own origin: no CDN, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- background jobs ------------------------------------------------------------------------
_redis_url = os.environ.get("KEHU_REDIS_URL")
HUEY: dict[str, object] = (
    {"huey_class": "huey.RedisHuey", "name": "kehu", "url": _redis_url, "immediate": False}
    if _redis_url
    else {
        "huey_class": "huey.SqliteHuey",
        "name": "kehu",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEHU_LOG_LEVEL", "WARNING")},
}
