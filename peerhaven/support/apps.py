from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "peerhaven.support"
    label = "support"
