from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "longtide.checks"
    label = "longtide_checks"

    def ready(self) -> None:
        from longtide.checks import production  # noqa: F401  (registers the checks)
