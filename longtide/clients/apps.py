from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "longtide.clients"
    label = "clients"
