from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "peerhaven.notifications"
    label = "notifications"

    def ready(self) -> None:
        from peerhaven.core import privacy
        from peerhaven.notifications import privacy as notifications_privacy

        privacy.register(
            notifications_privacy.SECTION,
            exporter=notifications_privacy.export_member,
            eraser=notifications_privacy.erase_member,
        )
