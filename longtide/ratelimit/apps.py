from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RateLimitConfig(AppConfig):
    """Counters for rate limits, kept in the database so that every app server shares them."""

    name = "longtide.ratelimit"
    label = "ratelimit"
    verbose_name = _("Rate limits")
