from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "longtide.audit"
    label = "audit"
    verbose_name = "Audit trail"
