"""Django's admin app, served by the operator-only site (web/admin_site.py). Its own module: an app
module may declare one AppConfig, and this one must not import models while apps load."""

from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    default_site = "longtide.web.admin_site.OperatorAdminSite"
