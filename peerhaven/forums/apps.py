from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "peerhaven.forums"
    label = "forums"
