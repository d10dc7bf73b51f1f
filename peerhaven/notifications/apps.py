from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "peerhaven.notifications"
    label = "notifications"
