from __future__ import annotations

from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "peerhaven.backups"
    label = "backups"
    verbose_name = "Backups"
