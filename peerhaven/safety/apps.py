from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "peerhaven.safety"
    label = "safety"
