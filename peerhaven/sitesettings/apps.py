from django.apps import AppConfig


class SiteSettingsConfig(AppConfig):
    name = "peerhaven.sitesettings"
    label = "sitesettings"
    verbose_name = "Instance settings"
