from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "peerhaven.safety"
    label = "safety"

    def ready(self) -> None:
        from peerhaven.core import privacy
        from peerhaven.safety import privacy as safety_privacy

        privacy.register(safety_privacy.SECTION, exporter=safety_privacy.export_member, eraser=safety_privacy.erase_member)
