from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "longtide.tokens"
    label = "tokens"
    verbose_name = "Staff API tokens"
