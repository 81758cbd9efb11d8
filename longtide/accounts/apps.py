from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "longtide.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self) -> None:
        # Connects the receiver that counts wrong second-factor codes against sign-in limits.
        from longtide.accounts import throttle  # noqa: F401
