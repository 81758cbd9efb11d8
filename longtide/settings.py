"""Longtide settings: one module, read from the environment.

Modes: development (the default, used by `longtide demo` and the tests) and production
(`LONGTIDE_PRODUCTION=1`, set by `longtide serve`). In production the system checks in
`longtide.checks` refuse to start with an unsafe configuration.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP

from longtide.email_url import email_settings
from longtide.env import env_bool, env_int, env_list, env_str
from longtide.sms_url import sms_settings

# Lets typed generics such as `forms.ModelForm[Practice]` work at run time, not only for mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("LONGTIDE_DATA_DIR", str(Path.cwd() / "var")))

PRODUCTION = env_bool("LONGTIDE_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
# Development falls back to a fixed, clearly-marked key; production refuses it (longtide.checks).
INSECURE_DEV_KEY = "dev-insecure-longtide-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", INSECURE_DEV_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The admin is the operator's tool: superusers only (longtide/web/admin_site.py).
    "longtide.web.admin_apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # For its packaged, pinned Swagger UI (/api/v1/docs): without the app, Ninja loads it from a CDN.
    "ninja",
    "longtide.checks",
    "longtide.audit",
    "longtide.notifications",
    "longtide.ratelimit",
    "longtide.accounts",
    "longtide.backups",
    "longtide.practice",
    "longtide.clients",
    "longtide.scheduling",
    "longtide.intake",
    "longtide.records",
    "longtide.tokens",
    "longtide.notes",
    "longtide.checkins",
    "longtide.measurement",
    "longtide.sampledata",
    "longtide.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL bytes in the address and headers are refused first; errors under /api/ stay JSON.
    "longtide.web.bad_input.BadInputMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "longtide.web.private_pages.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "longtide.web.session_activity.SessionActivityMiddleware",
    # The formats (prices, 12/24-hour clock) of the practice the address names.
    "longtide.web.formats.PracticeFormatsMiddleware",
]

ROOT_URLCONF = "longtide.urls"
WSGI_APPLICATION = "longtide.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["longtide.web.templatetags.practice_formats"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'longtide.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so a booking's overlap check and
    # its insert are serialized; WAL lets readers carry on while one writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    # A file, not :memory:, so that live-server tests use real, separate connections per thread;
    # one per process, so that two test runs on one machine never share (and delete) a file.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-longtide-{os.getpid()}.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The statements run prepared (longtide/prepared.py: a booking's search, its insert, the
    # availability endpoint's first statement) keep one generic plan per connection. Left to
    # choose, PostgreSQL planned a booking's search afresh on every run (its generic plan's
    # estimate is the higher, its real cost the lower: EXPLAIN 0.07 ms run, 0.3-0.5 ms planned).
    # Only prepared statements (ours, and PL/pgSQL's inside the triggers) are concerned: Django's
    # own statements are never prepared. A startup option, so no transaction can undo it.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
if test_name := env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": test_name}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Per process, in memory. "availability" keeps the availability engine's answers (scheduling/
# slot_cache.py), keyed by the database's own change counters, so each worker's copy is exact on
# its own; bounded so a worker's memory stays flat. AVAILABILITY_CACHE=0 keeps nothing (every
# search computed afresh: the benchmarks' "uncached" runs).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "availability": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
        if env_bool("AVAILABILITY_CACHE", True)
        else "django.core.cache.backends.dummy.DummyCache",
        "LOCATION": "availability",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 400},
    },
}

# Argon2 first (new and changed passwords); the others still check older hashes, which Django
# upgrades to Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Sign-in attempts are counted before any password is hashed (accounts/throttle.py): per account
# and per network address, in windows of LOGIN_THROTTLE_MINUTES; a successful sign-in gives its
# attempt back, so the counts are of failures and of attempts still in flight.
AUTHENTICATION_BACKENDS = ["longtide.accounts.throttle.ThrottledModelBackend"]
LOGIN_ATTEMPTS_PER_ACCOUNT = env_int("LOGIN_ATTEMPTS_PER_ACCOUNT", 5)
LOGIN_ATTEMPTS_PER_ADDRESS = env_int("LOGIN_ATTEMPTS_PER_ADDRESS", 10)
LOGIN_THROTTLE_MINUTES = env_int("LOGIN_THROTTLE_MINUTES", 15)
# How many reverse proxies in front of the app set X-Forwarded-For (ratelimit/addresses.py).
PROXY_HOPS = env_int("PROXY_HOPS", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "staff-login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "staff-login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Sessions in the database (longtide.accounts.StaffSession), so that staff can list and end their
# sessions and idle time is measured on the server; the idle limit is each practice's setting.
SESSION_ENGINE = "longtide.accounts.session_store"
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Longtide")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

globals().update(email_settings(env_str("EMAIL_URL")))

# Messages (email, SMS) wait in the outbox table and are sent by `longtide worker`
# (longtide/notifications/). SMS_URL: twilio://SID:TOKEN@api.twilio.com?from=%2B1..., console, off.
SMS = sms_settings(env_str("SMS_URL"), production=PRODUCTION)
# How long a worker's claim on a message holds; a worker that dies mid-send loses it after this.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Longtide <no-reply@longtide.invalid>")

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy, in every mode (so the browser tests run under it): scripts, styles and
# everything else only from this site's own files — no inline script, no inline style, no CDN.
# `data:` images are for Swagger UI's icons; forms post only here; no framing, no plugins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if PRODUCTION:
    # Behind the TLS proxy, which must set X-Forwarded-Proto: https (and never pass a client's own).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # HSTS is sent only on requests that came through TLS, i.e. through the proxy above.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line goes through RedactSecrets: no manage token, request key or address in a log,
    # whoever wrote the line (Django logs 4xx answers with their path).
    "filters": {"redact": {"()": "longtide.lib.log_redaction.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
