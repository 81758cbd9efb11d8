from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "longtide.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"
