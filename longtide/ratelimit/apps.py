from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    """Counters for rate limits, kept in the database so that every app server shares them."""

    name = "longtide.ratelimit"
    label = "ratelimit"
    verbose_name = "Rate limits"
