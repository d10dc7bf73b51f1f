from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "peerhaven.staff"
    label = "staff"
    verbose_name = "Staff console"
