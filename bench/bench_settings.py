"""Settings for the benchmark servers: Longtide's own, plus a bench-only URLconf and no email delivery.

Not for production. bench/ scripts point gunicorn at this module with DJANGO_SETTINGS_MODULE.
"""

from longtide.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
# Timings are for a production-like server: no debug query log, no per-request static rescans.
DEBUG = False
WHITENOISE_AUTOREFRESH = False
# Bookings still render their confirmation emails (text, HTML, .ics); nothing is delivered.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
