from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peerhaven.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from peerhaven.core import checks  # noqa: F401  (registers system checks)
