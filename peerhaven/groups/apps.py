from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "peerhaven.groups"
    label = "groups"
