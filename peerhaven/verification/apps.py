from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "peerhaven.verification"
    label = "verification"
