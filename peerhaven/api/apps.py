from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "peerhaven.api"
    label = "api"
