from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "longtide.web"
    label = "web"
